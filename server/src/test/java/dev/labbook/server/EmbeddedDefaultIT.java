package dev.labbook.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.Param;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.Value;
import dev.labbook.server.config.Setting;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.config.ServerConfigLoader;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default: no database settings, a real PostgreSQL under --data-dir that survives restarts. */
class EmbeddedDefaultIT {
    @TempDir
    Path dataDir;

    private ServerConfig config() {
        // No metrics endpoint: its fixed default port could be taken by another test JVM.
        return ServerConfigLoader.load(Map.of(Setting.HOST, "127.0.0.1", Setting.PORT, "0",
                Setting.DATA_DIR, dataDir.toString(), Setting.METRICS_PORT, "0"), Map.of(), null, dataDir);
    }

    private static <T> T call(LabbookServer server, Function<ManagedChannel, T> work) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            return work.apply(channel);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void restartingTheServerKeepsEveryExperimentAndRun() throws Exception {
        assertThat(config().embeddedDatabase()).isTrue();
        Run created;
        try (LabbookServer server = LabbookServer.start(config())) {
            created = call(server, channel -> {
                ExperimentServiceGrpc.newBlockingStub(channel).createExperiment(CreateExperimentRequest.newBuilder()
                        .setName("persisted").build());
                return RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                        .setExperimentName("persisted").setName("r1")
                        .addParams(Param.newBuilder().setKey("lr").setValue(Value.newBuilder().setDoubleValue(0.01)))
                        .build()).getRun();
            });
        }
        assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();

        try (LabbookServer server = LabbookServer.start(config())) {
            Run reloaded = call(server, channel -> RunServiceGrpc.newBlockingStub(channel)
                    .getRun(GetRunRequest.newBuilder().setRunId(created.getId()).build()).getRun());
            String experimentName = call(server, channel -> ExperimentServiceGrpc.newBlockingStub(channel)
                    .getExperiment(GetExperimentRequest.newBuilder().setName("persisted").build())
                    .getExperiment().getName());

            assertThat(reloaded).isEqualTo(created);
            assertThat(experimentName).isEqualTo("persisted");
        }
    }

    @Test
    void aSecondServerOnTheSameDataDirectoryIsRefusedClearly() {
        try (LabbookServer first = LabbookServer.start(config())) {
            assertThatThrownBy(() -> LabbookServer.start(config()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another Labbook server")
                    .hasMessageContaining(dataDir.toString());
            assertThat(first.port()).isPositive();
        }
        assertThat(Files.exists(dataDir.resolve("labbook.lock"))).isTrue();
    }
}
