package dev.labbook.server.mlflow;

import static dev.labbook.server.mlflow.MlflowArtifactsIT.HTTP;
import static dev.labbook.server.mlflow.MlflowArtifactsIT.ROOT;
import static dev.labbook.server.mlflow.MlflowArtifactsIT.assertError;
import static dev.labbook.server.mlflow.MlflowArtifactsIT.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.ListArtifactsRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.HttpConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.SharedPostgres;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A server whose artifact limit is 1 MiB: an MLflow upload over it is refused and nothing is stored. */
class MlflowArtifactLimitIT {
    private static final long LIMIT = 1024 * 1024;
    private static LabbookServer server;
    private static ManagedChannel channel;
    private static Path artifacts;

    @BeforeAll
    static void start() throws Exception {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_mlflow_limit_it");
        artifacts = Files.createTempDirectory("labbook-mlflow-limit-it");
        server = LabbookServer.start(new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()),
                db.user(), db.password(), 8, 0, 16 * 1024 * 1024, 0, new ArtifactConfig(artifacts, Optional.empty(), LIMIT, 0))
                .withHttp(HttpConfig.on(0)));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        server.close();
    }

    /** Bytes in the artifact store's directory (an abandoned upload keeps an empty staging file until it expires). */
    private static long storedBytes() throws Exception {
        try (Stream<Path> files = Files.walk(artifacts)) {
            return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
        }
    }

    @Test
    void aFileOverTheLimitIsRefusedWithoutRetriesAndNothingIsStored() throws Exception {
        String exp = ExperimentServiceGrpc.newBlockingStub(channel).createExperiment(CreateExperimentRequest.newBuilder()
                .setName("limit").build()).getExperiment().getId();
        String run = RunServiceGrpc.newBlockingStub(channel).createRun(CreateRunRequest.newBuilder()
                .setExperimentId(exp).build()).getRun().getId();
        String base = "http://127.0.0.1:" + server.httpPort().orElseThrow() + ROOT + "/" + exp + "/" + run + "/artifacts/";
        byte[] big = new byte[(int) LIMIT + 1];
        long before = storedBytes();

        // With a Content-Length: refused before a byte is stored. 400, not 429, which the MLflow client retries.
        HttpResponse<byte[]> sized = MlflowArtifactsIT.put(base + "big.bin", big, "application/octet-stream");
        assertError(sized, 400, "INVALID_PARAMETER_VALUE");
        assertThat(json(sized).get("message").asText()).contains("limit");
        // Chunked, without a length: refused once the bytes pass the limit.
        HttpResponse<byte[]> chunked = HTTP.send(HttpRequest.newBuilder(URI.create(base + "chunked.bin"))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertError(chunked, 400, "INVALID_PARAMETER_VALUE");

        assertThat(ArtifactServiceGrpc.newBlockingStub(channel).listArtifacts(ListArtifactsRequest.newBuilder()
                .setRunId(run).build()).getArtifactsList()).isEmpty();
        assertThat(storedBytes()).isEqualTo(before);
        // At the limit exactly: stored.
        assertThat(MlflowArtifactsIT.put(base + "fits.bin", new byte[(int) LIMIT], "application/octet-stream")
                .statusCode()).isEqualTo(200);
    }
}
