package dev.labbook.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.ArtifactTransfers;
import dev.labbook.server.testing.FirstResponse;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.PrometheusText;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.SharedPostgres;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Prometheus endpoint scraped over HTTP and parsed strictly, before and after real RPCs. */
class MetricsEndpointIT {
    private static final String LOG_METRICS = "labbook.v1.MetricService/LogMetrics";
    private static final int POOL_SIZE = 4;

    @TempDir
    static Path artifacts;

    private static LabbookServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_metrics_it");
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()),
                db.user(), db.password(), POOL_SIZE, 0, 16 * 1024 * 1024, 0,
                new ArtifactConfig(artifacts, Optional.empty(), 1L << 30, 0))
                .withOperations(OperationsConfig.minimal().withMetricsPort(ServerProcess.freePort()));
        server = LabbookServer.start(config);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    private static PrometheusText scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.metricsPort().orElseThrow() + "/metrics"))
                .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
        return PrometheusText.parse(response.body());
    }

    private static double value(PrometheusText text, String name, Map<String, String> labels) {
        return text.value(name, labels).orElse(0.0);
    }

    private static MetricBatch batch(String runId, long sequence, int points) {
        MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(runId).setWriterId("w").setSequence(sequence)
                .addKeys("loss");
        for (int i = 0; i < points; i++) {
            b.addKeyIndex(0).addStep(sequence * 1000 + i).addTimestampMs(1_760_000_000_000L + i).addValue(i);
        }
        return b.build();
    }

    @Test
    void countersMoveWithRealCalls() throws Exception {
        PrometheusText before = scrape();
        String runId = RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                .setExperimentName("metrics-endpoint").setName("r").build()).getRun().getId();
        // Two new batches and one duplicate: only the new ones count as ingested.
        LogMetricsResponse logged = MetricStreams.send(channel, List.of(batch(runId, 1, 30), batch(runId, 2, 20),
                batch(runId, 2, 20)));
        assertThat(logged.getAcceptedPoints()).isEqualTo(50);
        assertThatThrownBy(() -> RunServiceGrpc.newBlockingStub(channel).getRun(GetRunRequest.newBuilder()
                .setRunId("not-a-uuid").build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        byte[] data = ArtifactTransfers.content(0, 10_000, 3);
        ArtifactTransfers.upload(channel, UploadHeader.newBuilder().setRunId(runId).setPath("model.bin")
                .setSizeBytes(data.length).build(), data, 4096, -1);

        PrometheusText after = scrape();
        String requests = "labbook_grpc_requests_total";
        assertThat(after.type("labbook_grpc_requests_total")).contains("counter");
        assertThat(value(after, requests, Map.of("method", LOG_METRICS, "code", "OK"))
                - value(before, requests, Map.of("method", LOG_METRICS, "code", "OK"))).isEqualTo(1.0);
        Map<String, String> badGetRun = Map.of("method", "labbook.v1.RunService/GetRun", "code", "INVALID_ARGUMENT");
        assertThat(value(after, requests, badGetRun) - value(before, requests, badGetRun)).isEqualTo(1.0);
        Map<String, String> upload = Map.of("method", "labbook.v1.ArtifactService/UploadArtifact", "code", "OK");
        assertThat(value(after, requests, upload) - value(before, requests, upload)).isEqualTo(1.0);
        assertThat(value(after, "labbook_metric_points_ingested_total", Map.of())
                - value(before, "labbook_metric_points_ingested_total", Map.of())).isEqualTo(50.0);
        assertThat(value(after, "labbook_metric_batches_ingested_total", Map.of())
                - value(before, "labbook_metric_batches_ingested_total", Map.of())).isEqualTo(2.0);
        assertThat(value(after, "labbook_artifact_bytes_stored_total", Map.of())
                - value(before, "labbook_artifact_bytes_stored_total", Map.of())).isEqualTo(10_000.0);
        assertThat(value(after, "labbook_artifacts_stored_total", Map.of())
                - value(before, "labbook_artifacts_stored_total", Map.of())).isEqualTo(1.0);
        assertThat(after.value("labbook_grpc_open_streams", Map.of("method", LOG_METRICS))).contains(0.0);
    }

    @Test
    void auditLogEntriesAreCountedByOutcome() throws Exception {
        Map<String, String> written = Map.of("outcome", "written");
        PrometheusText before = scrape();
        for (int i = 0; i < 3; i++) {
            server.auditWriter().record(new dev.labbook.server.domain.access.AuditEntry(java.time.Instant.now(),
                    "test", "labbook.v1.RunService/DeleteRun", "p", "run_id=" + i, "OK", "127.0.0.1:1"));
        }
        assertThat(server.auditWriter().flush(java.time.Duration.ofSeconds(10))).isTrue();

        PrometheusText after = scrape();
        assertThat(after.type("labbook_audit_events_total")).contains("counter");
        assertThat(value(after, "labbook_audit_events_total", written)
                - value(before, "labbook_audit_events_total", written)).isGreaterThanOrEqualTo(3.0);
        assertThat(after.value("labbook_audit_events_total", Map.of("outcome", "dropped"))).contains(0.0);
        assertThat(after.value("labbook_audit_events_total", Map.of("outcome", "failed"))).contains(0.0);
    }

    @Test
    void openStreamsAreCountedWhileOpen() throws Exception {
        String runId = RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                .setExperimentName("metrics-endpoint").setName("open").build()).getRun().getId();
        FirstResponse<LogMetricsResponse> result = new FirstResponse<>();
        StreamObserver<LogMetricsRequest> stream = MetricServiceGrpc.newStub(channel).logMetrics(result);
        stream.onNext(LogMetricsRequest.newBuilder().setBatch(batch(runId, 1, 5)).build());
        double open = 0;
        for (int i = 0; i < 50 && open < 1; i++) {
            open = scrape().value("labbook_grpc_open_streams", Map.of("method", LOG_METRICS)).orElse(0.0);
            Thread.sleep(50);
        }
        assertThat(open).isEqualTo(1.0);
        stream.onCompleted();
        result.await(10);
        double afterClose = 1;
        for (int i = 0; i < 50 && afterClose > 0; i++) {
            afterClose = scrape().value("labbook_grpc_open_streams", Map.of("method", LOG_METRICS)).orElse(0.0);
            Thread.sleep(50);
        }
        assertThat(afterClose).isEqualTo(0.0);
    }

    @Test
    void aStreamTheClientCancelsCountsAsCancelled() throws Exception {
        String runId = RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                .setExperimentName("metrics-endpoint").setName("cancelled").build()).getRun().getId();
        Map<String, String> cancelled = Map.of("method", LOG_METRICS, "code", "CANCELLED");
        double before = value(scrape(), "labbook_grpc_requests_total", cancelled);
        FirstResponse<LogMetricsResponse> result = new FirstResponse<>();
        io.grpc.stub.ClientCallStreamObserver<LogMetricsRequest> stream =
                (io.grpc.stub.ClientCallStreamObserver<LogMetricsRequest>) MetricServiceGrpc.newStub(channel)
                        .logMetrics(result);
        stream.onNext(LogMetricsRequest.newBuilder().setBatch(batch(runId, 1, 5)).build());
        stream.cancel("client gave up", null);

        double after = before;
        for (int i = 0; i < 50 && after == before; i++) {
            Thread.sleep(50);
            after = value(scrape(), "labbook_grpc_requests_total", cancelled);
        }
        assertThat(after - before).isEqualTo(1.0);
    }

    @Test
    void aTakenMetricsPortStopsTheStartWithAClearMessage() {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_metrics_clash_it");
        int taken = server.metricsPort().orElseThrow();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()),
                db.user(), db.password(), 2, 0, 16 * 1024 * 1024, 0, ArtifactConfig.local(artifacts.resolve("b")))
                .withOperations(OperationsConfig.minimal().withMetricsPort(taken));

        assertThatThrownBy(() -> LabbookServer.start(config)).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageStartingWith("cannot serve metrics on 127.0.0.1:" + taken)
                .hasMessageContaining("--metrics-port (LABBOOK_METRICS_PORT)");
    }

    @Test
    void reportsThePoolAndTheJvm() throws Exception {
        PrometheusText text = scrape();

        assertThat(text.value("labbook_db_pool_max_connections")).contains((double) POOL_SIZE);
        double active = text.value("labbook_db_pool_connections", Map.of("state", "active")).orElseThrow();
        double idle = text.value("labbook_db_pool_connections", Map.of("state", "idle")).orElseThrow();
        assertThat(active + idle).isBetween(1.0, (double) POOL_SIZE);
        assertThat(text.value("labbook_db_pool_pending_threads")).isPresent();
        assertThat(text.value("labbook_db_pool_acquire_seconds_count").orElseThrow()).as("checkouts timed")
                .isPositive();
        assertThat(text.value("labbook_db_pool_acquire_seconds_bucket", Map.of("le", "+Inf")))
                .isEqualTo(text.value("labbook_db_pool_acquire_seconds_count"));
        assertThat(text.value("labbook_db_pool_timeouts_total")).contains(0.0);
        assertThat(text.samples()).anySatisfy(s -> {
            assertThat(s.name()).isEqualTo("jvm_memory_used_bytes");
            assertThat(s.labels()).containsEntry("area", "heap");
            assertThat(s.value()).isPositive();
        });
        assertThat(text.has("jvm_threads_current")).isTrue();
        assertThat(text.has("jvm_gc_collection_seconds_count")).isTrue();
        assertThat(text.has("process_cpu_seconds_total")).isTrue();
    }
}
