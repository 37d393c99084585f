package dev.labbook.server.artifacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.testing.S3ProxyServer;
import io.minio.BucketExistsArgs;
import io.minio.MinioClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link ArtifactStoreContract} against a real S3 API: S3Proxy over a directory, in this
 * JVM, over HTTP on 127.0.0.1 with V4 signatures (checked: wrong keys fail), and with the safety
 * tests watching the files it writes. The bucket does not exist before the store is opened, so
 * its creation is exercised too. Pending-upload listing, which S3Proxy cannot answer, runs
 * against S3Mock in {@link S3MockArtifactStoreIT}.
 */
class S3ArtifactStoreIT extends ArtifactStoreContract {
    private static final String REGION = "us-east-1";
    private static Path base;
    private static S3ProxyServer s3;
    private static String bucket;
    private static boolean bucketExistedBefore;
    private static S3ArtifactStore store;

    @BeforeAll
    static void startS3() throws Exception {
        base = Files.createTempDirectory("labbook-s3-it");
        s3 = S3ProxyServer.start(base.resolve("s3"));
        bucket = "labbook-it-" + UUID.randomUUID().toString().substring(0, 8);
        bucketExistedBefore = rawClient().bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        store = new S3ArtifactStore(s3.endpoint(), REGION, bucket, s3.accessKey(), s3.secretKey());
    }

    @AfterAll
    static void stopS3() throws IOException {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            try {
                if (s3 != null) {
                    s3.close();
                }
            } finally {
                deleteRecursively(base);
            }
        }
    }

    private static MinioClient rawClient() {
        return MinioClient.builder().endpoint(s3.endpoint()).region(REGION)
                .credentials(s3.accessKey(), s3.secretKey()).build();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    protected ArtifactStore store() {
        return store;
    }

    @Override
    protected Path canaryDir() {
        return base.resolve("canary");
    }

    @Override
    protected List<Path> storageDirs() {
        return List.of(base); // the S3 server's directory and everything beside it
    }

    /**
     * Inside the bucket's directory the filesystem blob store keeps multipart parts and stubs
     * as {@code .mpus-<upload id>-<key>...}; objects themselves must be below the run.
     */
    @Override
    protected boolean mayAppear(Path file, String runId) {
        Path bucketDir = s3.dir().resolve(bucket);
        if (!file.startsWith(bucketDir)) {
            return false;
        }
        if (file.equals(bucketDir)) {
            return true;
        }
        Path relative = bucketDir.relativize(file);
        if (relative.getName(0).toString().startsWith(".mpus-")) {
            return true;
        }
        Path runDir = bucketDir.resolve("runs").resolve(runId);
        return file.startsWith(runDir) || runDir.startsWith(file);
    }

    @Override
    protected Set<String> pendingHandles() {
        return Set.copyOf(s3.multipartUploadIds(bucket));
    }

    /**
     * S3Proxy 2.6.0 answers ListMultipartUploads with 501 Not Implemented when the request carries
     * delimiter, max-uploads or a marker, and minio-java always sends the first two: here the call
     * fails as a storage error, which garbage collection logs and retries. The listing itself is
     * tested against S3Mock ({@link S3MockArtifactStoreIT}, {@code S3MockArtifactServerIT}).
     */
    @Override
    @Test
    void pendingUploadsListsUnfinishedUploadsWithTheirHandles() {
        assertThatThrownBy(() -> store.pendingUploads()).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void createsTheMissingBucket() throws Exception {
        assertThat(bucketExistedBefore).isFalse();
        assertThat(rawClient().bucketExists(BucketExistsArgs.builder().bucket(bucket).build())).isTrue();
        // Opening again on the existing bucket is fine.
        try (S3ArtifactStore again = new S3ArtifactStore(s3.endpoint(), REGION, bucket, s3.accessKey(),
                s3.secretKey())) {
            assertThat(again.list(newRun())).isEmpty();
        }
    }

    @Test
    void wrongCredentialsFailAsStorageErrors() {
        assertThatThrownBy(() -> new S3ArtifactStore(s3.endpoint(), REGION, "labbook-it-other", s3.accessKey(),
                "not-the-secret").close()).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void emptyRegionAsksTheServer() {
        try (S3ArtifactStore noRegion = new S3ArtifactStore(s3.endpoint(), "", bucket, s3.accessKey(),
                s3.secretKey())) {
            String key = newKey(newRun(), "r.txt");
            String handle = noRegion.beginUpload(key);
            String tag = noRegion.uploadPart(key, handle, 1, 0, new byte[] {4, 2}, 2);
            noRegion.completeUpload(key, handle, List.of(tag), 2);
            assertThat(readAll(key)).containsExactly(4, 2);
        }
    }
}
