package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.GrpcAssertions;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.PrometheusText;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.SharedPostgres;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests whose bytes are no valid message (invalid UTF-8 in a proto3 string, a truncated
 * varint), sent as raw bytes over a real socket: INVALID_ARGUMENT with a message and an
 * ErrorInfo, counted in labbook_grpc_requests_total, nothing stored, the server fine afterwards.
 */
class MalformedRequestIT {
    private static final String REQUESTS = "labbook_grpc_requests_total";

    @TempDir
    static Path artifacts;

    private static LabbookServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() {
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_malformed_it");
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()),
                db.user(), db.password(), 4, 0, 16 * 1024 * 1024, 0,
                new ArtifactConfig(artifacts, Optional.empty(), 1L << 30, 0))
                .withOperations(OperationsConfig.minimal().withMetricsPort(ServerProcess.freePort()))
                .withHttp(dev.labbook.server.config.HttpConfig.on(0));
        server = LabbookServer.start(config);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    @Test
    void unaryRequestWithInvalidUtf8IsInvalidArgumentAndCounted() throws Exception {
        MethodDescriptor<OpenRunRequest, ?> openRun = RunServiceGrpc.getOpenRunMethod();
        // experiment_name (field 3) holding 0xC3 0x28, no UTF-8; create_experiment_if_missing true.
        byte[] request = concat(bytes(0x1a, 0x02, 0xc3, 0x28), bytes(0x20, 0x01));
        double before = count(openRun.getFullMethodName(), "INVALID_ARGUMENT");

        StatusRuntimeException refused = GrpcAssertions.assertReason(Status.Code.INVALID_ARGUMENT,
                "REQUEST_MALFORMED", () -> unary(openRun, request));

        assertThat(refused.getStatus().getDescription()).startsWith("request could not be parsed: ")
                .containsIgnoringCase("UTF-8");
        assertThat(count(openRun.getFullMethodName(), "INVALID_ARGUMENT") - before).isEqualTo(1.0);
        assertThat(ExperimentServiceGrpc.newBlockingStub(channel).listExperiments(
                ListExperimentsRequest.getDefaultInstance()).getExperimentsList()).isEmpty();
        // The same call, well formed, still works.
        assertThat(RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder()
                .setExperimentName("fine").setCreateExperimentIfMissing(true).setName("r").build())
                .getRun().getId()).isNotEmpty();
    }

    @Test
    void clientStreamWithTruncatedVarintIsInvalidArgumentAndStoresNothing() throws Exception {
        String runId = RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder()
                .setExperimentName("streams").setCreateExperimentIfMissing(true).setName("r").build())
                .getRun().getId();
        MethodDescriptor<LogMetricsRequest, ?> logMetrics = MetricServiceGrpc.getLogMetricsMethod();
        // A whole batch, then sequence (field 3, varint) whose varint breaks off: 0x80 says more follows.
        byte[] batch = concat(batch(runId, 1).toByteArray(), bytes(0x18, 0x80));
        byte[] request = concat(concat(bytes(0x0a), varint(batch.length)), batch);
        double before = count(logMetrics.getFullMethodName(), "INVALID_ARGUMENT");

        StatusRuntimeException refused = GrpcAssertions.assertReason(Status.Code.INVALID_ARGUMENT,
                "REQUEST_MALFORMED", () -> clientStream(logMetrics, List.of(request, request)));

        assertThat(refused.getStatus().getDescription()).startsWith("request could not be parsed: ");
        assertThat(count(logMetrics.getFullMethodName(), "INVALID_ARGUMENT") - before).isEqualTo(1.0);
        assertThat(scrape().value("labbook_grpc_open_streams", Map.of("method", logMetrics.getFullMethodName())))
                .contains(0.0);
        assertThat(MetricServiceGrpc.newBlockingStub(channel).listMetrics(ListMetricsRequest.newBuilder()
                .setRunId(runId).build()).getMetricsList()).isEmpty();
        // The server is fine: the same batch, well formed, is stored.
        assertThat(MetricStreams.send(channel, List.of(batch(runId, 1))).getAcceptedPoints()).isEqualTo(3);
        assertThat(MetricServiceGrpc.newBlockingStub(channel).listMetrics(ListMetricsRequest.newBuilder()
                .setRunId(runId).build()).getMetricsList()).hasSize(1);
    }

    @Test
    void aMalformedMessageAfterGoodOnesEndsTheStream() throws Exception {
        String runId = RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder()
                .setExperimentName("midstream").setCreateExperimentIfMissing(true).setName("r").build())
                .getRun().getId();
        byte[] good = LogMetricsRequest.newBuilder().setBatch(batch(runId, 1)).build().toByteArray();
        byte[] bad = bytes(0x0a, 0x05, 0x0a, 0x01);

        StatusRuntimeException refused = GrpcAssertions.assertReason(Status.Code.INVALID_ARGUMENT,
                "REQUEST_MALFORMED", () -> clientStream(MetricServiceGrpc.getLogMetricsMethod(), List.of(good, bad)));

        assertThat(refused.getStatus().getDescription()).startsWith("request could not be parsed: ");
        // The next writer of the run resumes as after any broken stream.
        assertThat(MetricStreams.send(channel, List.of(batch(runId, 2))).getAcceptedBatches()).isEqualTo(1);
    }

    /** The HTTP port answers a gRPC-Web request that does not parse alike, and counts it alike. */
    @Test
    void grpcWebRequestThatDoesNotParseIsCountedOnTheHttpPort() throws Exception {
        String method = RunServiceGrpc.getOpenRunMethod().getFullMethodName();
        byte[] message = concat(bytes(0x1a, 0x02, 0xc3, 0x28), bytes(0x20, 0x01));
        byte[] frame = concat(bytes(0, 0, 0, 0, message.length), message);
        Map<String, Double> before = new java.util.HashMap<>();
        for (String code : List.of("INVALID_ARGUMENT", "CANCELLED", "INTERNAL", "UNKNOWN")) {
            before.put(code, count(method, code));
        }
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.httpPort().orElseThrow() + "/" + method))
                .header("content-type", "application/grpc-web+proto").header("x-grpc-web", "1")
                .POST(HttpRequest.BodyPublishers.ofByteArray(frame)).build(), HttpResponse.BodyHandlers.ofByteArray());
        String body = new String(response.body(), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(response.headers().firstValue("grpc-status").orElseGet(() -> body))
                .contains(Integer.toString(Status.Code.INVALID_ARGUMENT.value()));
        Map<String, Double> delta = new java.util.TreeMap<>();
        for (String code : before.keySet()) {
            delta.put(code, count(method, code) - before.get(code));
        }
        assertThat(delta).containsEntry("INVALID_ARGUMENT", 1.0).containsEntry("CANCELLED", 0.0)
                .containsEntry("INTERNAL", 0.0).containsEntry("UNKNOWN", 0.0);
    }

    private static MetricBatch batch(String runId, long sequence) {
        MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(runId).setWriterId("w").setSequence(sequence)
                .addKeys("loss");
        for (int i = 0; i < 3; i++) {
            b.addKeyIndex(0).addStep(sequence * 10 + i).addTimestampMs(1_760_000_000_000L + i).addValue(i);
        }
        return b.build();
    }

    /** The method with its request sent as the given bytes, as they are. */
    private static <Q, R> MethodDescriptor<byte[], byte[]> raw(MethodDescriptor<Q, R> method) {
        return method.toBuilder(RawBytes.INSTANCE, RawBytes.INSTANCE).build();
    }

    private static byte[] unary(MethodDescriptor<?, ?> method, byte[] request) {
        return ClientCalls.blockingUnaryCall(channel, raw(method), CallOptions.DEFAULT.withDeadlineAfter(10,
                TimeUnit.SECONDS), request);
    }

    private static byte[] clientStream(MethodDescriptor<?, ?> method, List<byte[]> requests) throws Exception {
        CompletableFuture<byte[]> response = new CompletableFuture<>();
        StreamObserver<byte[]> sender = ClientCalls.asyncClientStreamingCall(channel.newCall(raw(method),
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), new StreamObserver<>() {
                    @Override
                    public void onNext(byte[] value) {
                        response.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        response.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        response.complete(null);
                    }
                });
        requests.forEach(sender::onNext);
        sender.onCompleted();
        try {
            return response.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    private static double count(String method, String code) throws Exception {
        return scrape().value(REQUESTS, Map.of("method", method, "code", code)).orElse(0.0);
    }

    private static PrometheusText scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.metricsPort().orElseThrow() + "/metrics"))
                .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString());
        return PrometheusText.parse(response.body());
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] varint(int value) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        com.google.protobuf.CodedOutputStream coded = com.google.protobuf.CodedOutputStream.newInstance(out);
        coded.writeUInt32NoTag(value);
        coded.flush();
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private enum RawBytes implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                stream.transferTo(out);
                return out.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
