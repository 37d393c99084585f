package dev.labbook.server.grpc;

import static dev.labbook.server.testing.ArtifactTransfers.content;
import static dev.labbook.server.testing.ArtifactTransfers.download;
import static dev.labbook.server.testing.ArtifactTransfers.sha256;
import static dev.labbook.server.testing.ArtifactTransfers.upload;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.GetUploadStatusRequest;
import dev.labbook.api.v1.PurgeRunRequest;
import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.artifacts.S3ArtifactStore;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.ArtifactTransfers;
import dev.labbook.server.testing.S3ProxyServer;
import dev.labbook.server.testing.SharedPostgres;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole artifact path against a real S3 server (S3Proxy over HTTP): resume, download, purge. */
class S3ArtifactServerIT {
    private static final int MIB = 1024 * 1024;
    private static final String BUCKET = "labbook-it";

    @TempDir
    Path dir;

    @Test
    void resumableUploadDownloadAndPurgeThroughS3() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3"))) {
            DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_s3_it");
            ArtifactConfig artifacts = new ArtifactConfig(dir.resolve("unused"), Optional.of(new ArtifactConfig.S3(
                    s3.endpoint(), "us-east-1", BUCKET, s3.accessKey(), s3.secretKey())), 1L << 36, 0);
            ServerConfig config = new ServerConfig("127.0.0.1", 0, dir, Optional.of(db.jdbcUrl()), db.user(),
                    db.password(), 4, 0, 16 * MIB, 0, artifacts);
            try (LabbookServer server = LabbookServer.start(config);
                    S3ArtifactStore bucket = new S3ArtifactStore(s3.endpoint(), "us-east-1", BUCKET, s3.accessKey(),
                            s3.secretKey())) {
                ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext()
                        .build();
                try {
                    String run = RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                            .setExperimentName("s3").setName("r").build()).getRun().getId();
                    byte[] data = content(0, 26 * MIB + 5, 21);
                    String uploadId = UUID.randomUUID().toString();
                    UploadHeader header = UploadHeader.newBuilder().setRunId(run).setPath("ckpt/model.pt")
                            .setUploadId(uploadId).setSizeBytes(data.length).setSha256(sha256(data)).build();

                    // 20 MiB sent past an 8 MiB flow-control window: at least one part is stored.
                    assertThat(upload(channel, header, data, MIB, 20L * MIB)).isNull();
                    long received = awaitReceived(channel, run, uploadId, 8L * MIB);
                    assertThat(received).isBetween(8L * MIB, 16L * MIB);
                    assertThat(received % (8 * MIB)).isZero();
                    assertThat(bucket.list("runs/" + run + "/")).isEmpty();
                    ArtifactTransfers.resume(channel, header, data, MIB);

                    assertThat(download(channel, run, "ckpt/model.pt", 0, 0)).isEqualTo(data);
                    assertThat(download(channel, run, "ckpt/model.pt", 25L * MIB, 0))
                            .isEqualTo(java.util.Arrays.copyOfRange(data, 25 * MIB, data.length));
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
    }

    private static long awaitReceived(ManagedChannel channel, String run, String uploadId, long atLeast) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        long received = 0;
        while (System.currentTimeMillis() < deadline) {
            received = ArtifactServiceGrpc.newBlockingStub(channel).getUploadStatus(GetUploadStatusRequest
                    .newBuilder().setRunId(run).setUploadId(uploadId).build()).getReceivedBytes();
            if (received >= atLeast) {
                return received;
            }
            Thread.sleep(50);
        }
        return received;
    }
}
