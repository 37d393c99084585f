package dev.labbook.server.grpc;

import static dev.labbook.server.testing.ArtifactTransfers.content;
import static dev.labbook.server.testing.ArtifactTransfers.download;
import static dev.labbook.server.testing.ArtifactTransfers.sha256;
import static dev.labbook.server.testing.ArtifactTransfers.upload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.GetUploadStatusRequest;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.PurgeRunRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.artifacts.ArtifactStore.PendingUpload;
import dev.labbook.server.artifacts.S3ArtifactStore;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.domain.artifact.ArtifactGarbageCollector;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.ArtifactTransfers;
import dev.labbook.server.testing.S3TestServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole artifact path of a real server against a real S3 API over HTTP: resumable upload,
 * download, purge, and artifact garbage collection of unfinished multipart uploads. Run by
 * {@link S3ArtifactServerIT} (S3Proxy), {@link S3MockArtifactServerIT} (S3Mock, which lists
 * multipart uploads) and {@link ContainersArtifactServerIT} (PostgreSQL and MinIO containers).
 */
abstract class S3ArtifactServerContract {
    static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    /** The S3 server under test. */
    abstract S3TestServer s3();

    /** A bucket of the test class (created by the server when missing). */
    abstract String bucket();

    /** The database of a test: empty, or one a server of the class already migrated. */
    abstract DatabaseEndpoint database();

    /** False for S3 servers that cannot answer ListMultipartUploads as minio-java asks (S3Proxy). */
    boolean listsMultipartUploads() {
        return true;
    }

    private LabbookServer startServer(DatabaseEndpoint db) {
        S3TestServer s3 = s3();
        ArtifactConfig artifacts = new ArtifactConfig(dir.resolve("unused"), Optional.of(new ArtifactConfig.S3(
                s3.endpoint(), "us-east-1", bucket(), s3.accessKey(), s3.secretKey())), 1L << 36, 0);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir, Optional.of(db.jdbcUrl()), db.user(),
                db.password(), 4, 0, 16 * MIB, 0, artifacts);
        return LabbookServer.start(config);
    }

    private S3ArtifactStore openBucket() {
        S3TestServer s3 = s3();
        return new S3ArtifactStore(s3.endpoint(), "us-east-1", bucket(), s3.accessKey(), s3.secretKey());
    }

    private static ManagedChannel channel(LabbookServer server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    private static String openRun(ManagedChannel channel, String experiment) {
        return RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder()
                .setCreateExperimentIfMissing(true).setExperimentName(experiment).setName("r").build())
                .getRun().getId();
    }

    private static UploadHeader header(String run, String path, byte[] data) {
        return UploadHeader.newBuilder().setRunId(run).setPath(path).setUploadId(UUID.randomUUID().toString())
                .setSizeBytes(data.length).setSha256(sha256(data)).build();
    }

    @Test
    void resumableUploadDownloadAndPurgeThroughS3() throws Exception {
        try (LabbookServer server = startServer(database()); S3ArtifactStore bucket = openBucket()) {
            ManagedChannel channel = channel(server);
            try {
                String run = openRun(channel, "s3");
                byte[] data = content(0, 26 * MIB + 5, 21);
                UploadHeader header = header(run, "ckpt/model.pt", data);

                // 20 MiB sent past an 8 MiB flow-control window: at least one part is stored.
                assertThat(upload(channel, header, data, MIB, 20L * MIB)).isNull();
                long received = awaitReceived(channel, header, 8L * MIB);
                assertThat(received).isBetween(8L * MIB, 16L * MIB);
                assertThat(received % (8 * MIB)).isZero();
                assertThat(bucket.list("runs/" + run + "/")).isEmpty();
                ArtifactTransfers.resume(channel, header, data, MIB);

                assertThat(download(channel, run, "ckpt/model.pt", 0, 0)).isEqualTo(data);
                assertThat(download(channel, run, "ckpt/model.pt", 25L * MIB, 0))
                        .isEqualTo(Arrays.copyOfRange(data, 25 * MIB, data.length));
                assertThat(bucket.list("runs/" + run + "/")).hasSize(1);

                RunServiceGrpc.newBlockingStub(channel).deleteRun(DeleteRunRequest.newBuilder().setRunId(run)
                        .build());
                RunServiceGrpc.newBlockingStub(channel).purgeRun(PurgeRunRequest.newBuilder().setRunId(run)
                        .build());
                long deadline = System.currentTimeMillis() + 20_000;
                while (!bucket.list("runs/" + run + "/").isEmpty() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(bucket.list("runs/" + run + "/")).isEmpty();
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Garbage collection of unfinished multipart uploads, found by listing them in the bucket: an
     * upload the database never heard of (a server that died between beginning it in S3 and
     * writing its row) is spared for an hour, then aborted; a live upload the database knows
     * survives and still completes; an upload abandoned for over a week is aborted.
     */
    @Test
    void garbageCollectionAbortsForgottenAndAbandonedUploadsAndSparesLiveOnes() throws Exception {
        DatabaseEndpoint db = database();
        try (LabbookServer server = startServer(db); S3ArtifactStore bucket = openBucket();
                PostgresDatabase gcDatabase = PostgresDatabase.open(db, 2)) {
            var store = gcDatabase.trackingStore();
            if (!listsMultipartUploads()) {
                // The pass fails as a storage error (logged and retried by the scheduler), deleting nothing it should not.
                assertThatThrownBy(() -> new ArtifactGarbageCollector(store, bucket, gcDatabase.exclusiveTasks(),
                        Clock.systemUTC()).collect())
                        .isInstanceOf(UncheckedIOException.class);
                return;
            }
            ManagedChannel channel = channel(server);
            try {
                String run = openRun(channel, "s3-gc");
                // 18 MiB sent past an 8 MiB flow-control window, then the stream breaks: at least
                // one 8 MiB part is stored, the upload is open in the database.
                byte[] data = content(0, 20 * MIB + 3, 31);
                UploadHeader live = header(run, "ckpt/live.bin", data);
                assertThat(upload(channel, live, data, MIB, 18L * MIB)).isNull();
                assertThat(awaitReceived(channel, live, 8L * MIB)).isBetween(8L * MIB, 16L * MIB);

                String strayKey = "runs/" + run + "/" + UUID.randomUUID() + "/stray.bin";
                String stray = bucket.beginUpload(strayKey);
                bucket.uploadPart(strayKey, stray, 1, 0, new byte[] {1, 2, 3}, 3);
                Set<String> pending = pendingBelow(bucket, run);
                assertThat(pending).hasSize(2).contains(stray);
                String liveHandle = pending.stream().filter(h -> !h.equals(stray)).findFirst().orElseThrow();

                // Now: the stray upload is as young as one being begun, so it is spared.
                new ArtifactGarbageCollector(store, bucket, gcDatabase.exclusiveTasks(), Clock.systemUTC()).collect();
                assertThat(pendingBelow(bucket, run)).containsExactlyInAnyOrder(liveHandle, stray);

                // Two hours later: the forgotten upload is aborted, the live one kept.
                new ArtifactGarbageCollector(store, bucket, gcDatabase.exclusiveTasks(), Clock.offset(Clock.systemUTC(), Duration.ofHours(2)))
                        .collect();
                assertThat(pendingBelow(bucket, run)).containsExactly(liveHandle);

                // The live upload still resumes and completes byte-exactly.
                ArtifactTransfers.resume(channel, live, data, MIB);
                assertThat(download(channel, run, "ckpt/live.bin", 0, 0)).isEqualTo(data);
                assertThat(pendingBelow(bucket, run)).isEmpty();

                // An upload left for more than a week is aborted in S3; the finished artifact stays.
                UploadHeader abandoned = header(run, "ckpt/abandoned.bin", data);
                assertThat(upload(channel, abandoned, data, MIB, 18L * MIB)).isNull();
                assertThat(awaitReceived(channel, abandoned, 8L * MIB)).isBetween(8L * MIB, 16L * MIB);
                assertThat(pendingBelow(bucket, run)).hasSize(1);
                new ArtifactGarbageCollector(store, bucket, gcDatabase.exclusiveTasks(), Clock.offset(Clock.systemUTC(), Duration.ofDays(8)))
                        .collect();
                assertThat(pendingBelow(bucket, run)).isEmpty();
                assertThat(download(channel, run, "ckpt/live.bin", 0, 0)).isEqualTo(data);
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static Set<String> pendingBelow(S3ArtifactStore bucket, String run) {
        return bucket.pendingUploads().stream().filter(p -> p.key().startsWith("runs/" + run + "/"))
                .map(PendingUpload::handle).collect(Collectors.toSet());
    }

    private static long awaitReceived(ManagedChannel channel, UploadHeader header, long atLeast)
            throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        long received = 0;
        while (System.currentTimeMillis() < deadline) {
            received = ArtifactServiceGrpc.newBlockingStub(channel).getUploadStatus(GetUploadStatusRequest
                    .newBuilder().setRunId(header.getRunId()).setUploadId(header.getUploadId()).build())
                    .getReceivedBytes();
            if (received >= atLeast) {
                return received;
            }
            Thread.sleep(50);
        }
        return received;
    }
}
