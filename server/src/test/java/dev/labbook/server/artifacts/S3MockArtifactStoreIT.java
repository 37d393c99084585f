package dev.labbook.server.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.artifacts.ArtifactStore.PendingUpload;
import dev.labbook.server.testing.S3MockServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole {@link ArtifactStoreContract} through {@link S3ArtifactStore} against S3Mock, an S3
 * API server that lists multipart uploads the way minio-java asks (delimiter, max-uploads,
 * markers): {@link ArtifactStore#pendingUploads()}, which S3Proxy cannot answer, is tested here
 * against real HTTP, including its paging past one listing of 1000 uploads. The server is shared
 * by the test JVM; this class has a bucket of its own, created by the store.
 */
class S3MockArtifactStoreIT extends ArtifactStoreContract {
    private static Path base;
    private static S3ArtifactStore store;

    @BeforeAll
    static void openStore() throws IOException {
        S3MockServer s3 = S3MockServer.shared();
        base = Files.createTempDirectory("labbook-s3mock-it");
        store = new S3ArtifactStore(s3.endpoint(), "us-east-1", "labbook-store-" + UUID.randomUUID().toString()
                .substring(0, 8), s3.accessKey(), s3.secretKey());
    }

    @AfterAll
    static void closeStore() throws IOException {
        if (store != null) {
            store.close();
        }
        try (var walk = Files.walk(base)) {
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

    /** More uploads than one ListMultipartUploads answer holds: the store follows the markers. */
    @Test
    void pendingUploadsPagesPastOneListing() throws Exception {
        String run = newRun();
        int count = 1003;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<PendingUpload>> begun = IntStream.range(0, count)
                    .mapToObj(i -> pool.submit(() -> {
                        String key = newKey(run, "file-" + i + ".bin");
                        return new PendingUpload(key, store.beginUpload(key), null);
                    })).toList();
            Set<String> handles = new java.util.HashSet<>();
            for (Future<PendingUpload> f : begun) {
                handles.add(f.get().handle());
            }
            List<PendingUpload> pending = store.pendingUploads();
            Set<String> listed = pending.stream().map(PendingUpload::handle).collect(Collectors.toSet());
            assertThat(listed).containsAll(handles);
            assertThat(pending).extracting(PendingUpload::handle).doesNotHaveDuplicates();
            assertThat(pending).filteredOn(p -> handles.contains(p.handle()))
                    .allSatisfy(p -> {
                        assertThat(p.key()).startsWith(run);
                        assertThat(p.started()).isNotNull();
                    });

            List<Future<Object>> aborted = pending.stream().filter(p -> handles.contains(p.handle()))
                    .map(p -> pool.submit(() -> {
                        store.abortUpload(p.key(), p.handle());
                        return null;
                    })).toList();
            for (Future<Object> f : aborted) {
                f.get();
            }
            assertThat(store.pendingUploads()).extracting(PendingUpload::handle).doesNotContainAnyElementsOf(handles);
        } finally {
            pool.shutdownNow();
        }
    }
}
