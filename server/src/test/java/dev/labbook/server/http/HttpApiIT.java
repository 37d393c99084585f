package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.ResourceInfo;
import dev.labbook.api.v1.AppendLogLinesRequest;
import dev.labbook.api.v1.BatchLogMetricsRequest;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateExperimentResponse;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryResponse;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.GetRunResponse;
import dev.labbook.api.v1.GetServerInfoRequest;
import dev.labbook.api.v1.GetServerInfoResponse;
import dev.labbook.api.v1.LogLevel;
import dev.labbook.api.v1.LogLine;
import dev.labbook.api.v1.LogStream;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.OpenRunResponse;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.ReadLogsResponse;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.ServerServiceGrpc;
import dev.labbook.server.ServerVersion;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The labbook.v1 services on the HTTP port, over real HTTP/1.1 as browsers and curl speak it:
 * unframed JSON POSTs, gRPC-Web (binary and text) unary calls and server streams, and errors with
 * their codes, messages and details on every form.
 */
@ExtendWith(LabbookServerExtension.class)
class HttpApiIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> postJson(TestServer server, String method, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + "/" + method))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Run openRun(TestServer server, String name) {
        return server.runs().openRun(OpenRunRequest.newBuilder().setProject("web").setExperimentName("http")
                .setCreateExperimentIfMissing(true).setName(name).build()).getRun();
    }

    @Test
    void aUnaryCallIsAPlainJsonPost(TestServer server) throws Exception {
        HttpResponse<String> created = postJson(server, "labbook.v1.ExperimentService/CreateExperiment",
                "{\"project\": \"web\", \"name\": \"from-curl\", \"tags\": {\"team\": \"vision\"}}");
        assertThat(created.statusCode()).isEqualTo(200);
        assertThat(created.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        JsonNode experiment = JSON.readTree(created.body()).get("experiment");
        assertThat(experiment.get("name").asText()).isEqualTo("from-curl");
        // The canonical proto3 JSON mapping: lowerCamelCase names, int64 as decimal strings.
        assertThat(experiment.get("createTimeMs").isTextual()).isTrue();
        assertThat(Long.parseLong(experiment.get("createTimeMs").asText())).isPositive();

        HttpResponse<String> projects = postJson(server, "labbook.v1.ProjectService/ListProjects", "{}");
        assertThat(projects.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(projects.body()).get("projects").findValuesAsText("name")).contains("default", "web");
    }

    @Test
    void aJsonErrorKeepsItsCodeReadableMessageAndDetails(TestServer server) throws Exception {
        HttpResponse<String> malformed = postJson(server, "labbook.v1.RunService/GetRun", "{\"runId\": \"not-a-uuid\"}");
        assertThat(malformed.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(malformed.body());
        assertThat(error.get("code").asInt()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
        assertThat(error.get("grpc-code").asText()).isEqualTo("INVALID_ARGUMENT");
        // Plain text, as the gRPC client shows it: not the percent-encoded wire form.
        assertThat(error.get("message").asText()).startsWith("run_id: ").doesNotContain("%");
        JsonNode info = detail(error, "google.rpc.ErrorInfo");
        assertThat(info.get("domain").asText()).isEqualTo("labbook.dev");
        assertThat(info.get("reason").asText()).isEqualTo("INVALID_FIELD");
        assertThat(info.get("metadata").get("field").asText()).isEqualTo("run_id");
        assertThat(detail(error, "google.rpc.BadRequest").get("fieldViolations").get(0).get("field").asText())
                .isEqualTo("run_id");

        String id = UUID.randomUUID().toString();
        HttpResponse<String> missing = postJson(server, "labbook.v1.RunService/GetRun", "{\"runId\": \"" + id + "\"}");
        assertThat(missing.statusCode()).isEqualTo(404);
        JsonNode notFound = JSON.readTree(missing.body());
        assertThat(notFound.get("grpc-code").asText()).isEqualTo("NOT_FOUND");
        assertThat(detail(notFound, "google.rpc.ErrorInfo").get("reason").asText()).isEqualTo("RUN_NOT_FOUND");
        assertThat(detail(notFound, "google.rpc.ResourceInfo").get("resourceName").asText()).isEqualTo(id);
    }

    @Test
    void aBodyThatIsNoJsonIsInvalidArgument(TestServer server) throws Exception {
        HttpResponse<String> response = postJson(server, "labbook.v1.RunService/GetRun", "{runId: ");
        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("grpc-code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.get("message").asText()).contains("labbook.v1.RunService/GetRun");
        // Refused by the transport, before any service: still with the ErrorInfo every error has.
        assertThat(detail(error, "google.rpc.ErrorInfo").get("reason").asText()).isEqualTo("REQUEST_MALFORMED");
    }

    /** The gRPC port's answer to bytes that are no request (see MalformedRequestIT), on this port too. */
    @Test
    void aGrpcWebRequestThatDoesNotParseIsInvalidArgument(TestServer server) throws Exception {
        // experiment_name (field 3) holding 0xC3 0x28, no UTF-8; create_experiment_if_missing true.
        byte[] request = {0x1a, 0x02, (byte) 0xc3, 0x28, 0x20, 0x01};
        for (boolean text : List.of(false, true)) {
            try (GrpcWebCall call = GrpcWebCall.start(server.httpUrl(), "labbook.v1.RunService/OpenRun", request, text)) {
                assertThat(call.drain(OpenRunResponse.parser())).isEmpty();
                assertThat(call.grpcStatus()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
                assertThat(call.trailer("grpc-message")).hasValueSatisfying(m -> assertThat(m).isNotBlank());
                assertThat(unpack(call.statusDetails().getDetailsList(), ErrorInfo.class).orElseThrow().getReason())
                        .isEqualTo("REQUEST_MALFORMED");
            }
        }
        assertThat(server.experiments().listExperiments(dev.labbook.api.v1.ListExperimentsRequest.newBuilder()
                .setProject("web").build()).getExperimentsList()).isEmpty();
    }

    /** Browsers and curl cannot send client streams over HTTP/1.1: the unary twins exist for them. */
    @Test
    void aJsonPostToAStreamingMethodIsRefusedWithAHint(TestServer server) throws Exception {
        HttpResponse<String> response = postJson(server, "labbook.v1.MetricService/LogMetrics", "{}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("unary");
    }

    private static JsonNode detail(JsonNode error, String type) {
        for (JsonNode detail : error.get("details")) {
            if (detail.get("@type").asText().equals("type.googleapis.com/" + type)) {
                return detail;
            }
        }
        throw new AssertionError("no " + type + " in " + error);
    }

    @Test
    void aUnaryCallOverGrpcWeb(TestServer server) throws Exception {
        try (GrpcWebCall call = GrpcWebCall.start(server.httpUrl(), "labbook.v1.ExperimentService/CreateExperiment",
                CreateExperimentRequest.newBuilder().setProject("web").setName("from-browser").build(), false)) {
            assertThat(call.httpStatus()).isEqualTo(200);
            assertThat(call.header("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/grpc-web"));
            CreateExperimentResponse response = call.next(CreateExperimentResponse.parser()).orElseThrow();
            assertThat(response.getExperiment().getName()).isEqualTo("from-browser");
            assertThat(call.next(CreateExperimentResponse.parser())).isEmpty();
            assertThat(call.grpcStatus()).isZero();
        }
        // The same experiment, read back by the gRPC port.
        assertThat(server.experiments().getExperiment(dev.labbook.api.v1.GetExperimentRequest.newBuilder()
                .setProject("web").setName("from-browser").build()).getExperiment().getName()).isEqualTo("from-browser");
    }

    @Test
    void aGrpcWebErrorCarriesItsStatusMessageAndDetails(TestServer server) throws Exception {
        String id = UUID.randomUUID().toString();
        for (boolean text : List.of(false, true)) {
            try (GrpcWebCall call = GrpcWebCall.start(server.httpUrl(), "labbook.v1.RunService/GetRun",
                    GetRunRequest.newBuilder().setRunId(id).build(), text)) {
                assertThat(call.httpStatus()).isEqualTo(200);
                assertThat(call.drain(GetRunResponse.parser())).isEmpty();
                assertThat(call.grpcStatus()).isEqualTo(Status.Code.NOT_FOUND.value());
                assertThat(call.trailer("grpc-message")).hasValueSatisfying(m -> assertThat(m).contains(id));
                com.google.rpc.Status status = call.statusDetails();
                assertThat(status.getCode()).isEqualTo(Status.Code.NOT_FOUND.value());
                ErrorInfo info = unpack(status.getDetailsList(), ErrorInfo.class).orElseThrow();
                assertThat(info.getDomain()).isEqualTo("labbook.dev");
                assertThat(info.getReason()).isEqualTo("RUN_NOT_FOUND");
                assertThat(unpack(status.getDetailsList(), ResourceInfo.class).orElseThrow().getResourceName())
                        .isEqualTo(id);
            }
        }
        try (GrpcWebCall call = GrpcWebCall.start(server.httpUrl(), "labbook.v1.RunService/GetRun",
                GetRunRequest.newBuilder().setRunId("nope").build(), false)) {
            call.drain(GetRunResponse.parser());
            assertThat(call.grpcStatus()).isEqualTo(Status.Code.INVALID_ARGUMENT.value());
            BadRequest bad = unpack(call.statusDetails().getDetailsList(), BadRequest.class).orElseThrow();
            assertThat(bad.getFieldViolations(0).getField()).isEqualTo("run_id");
        }
    }

    private static <T extends com.google.protobuf.Message> Optional<T> unpack(List<Any> details, Class<T> type) {
        return details.stream().filter(any -> any.is(type)).findFirst().map(any -> {
            try {
                return any.unpack(type);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void aMetricHistoryStreamsOverGrpcWebInBinaryAndText(TestServer server) throws Exception {
        Run run = openRun(server, "history");
        // 12,000 points: more than one page (pages join chunks up to 10,000 points).
        for (int batch = 0; batch < 6; batch++) {
            MetricBatch.Builder points = MetricBatch.newBuilder().setRunId(run.getId()).addKeys("loss");
            for (int i = 0; i < 2000; i++) {
                int step = batch * 2000 + i;
                points.addKeyIndex(0).addStep(step).addTimestampMs(1_700_000_000_000L + step).addValue(1.0 / (step + 1));
            }
            server.metrics().batchLogMetrics(BatchLogMetricsRequest.newBuilder().setBatch(points).build());
        }
        for (boolean text : List.of(false, true)) {
            try (GrpcWebCall call = GrpcWebCall.start(server.httpUrl(), "labbook.v1.MetricService/GetMetricHistory",
                    GetMetricHistoryRequest.newBuilder().setRunId(run.getId()).setKey("loss").build(),
                    text)) {
                List<GetMetricHistoryResponse> pages = call.drain(GetMetricHistoryResponse.parser());
                assertThat(call.grpcStatus()).isZero();
                assertThat(pages).hasSizeGreaterThan(1);
                assertThat(pages.stream().mapToInt(GetMetricHistoryResponse::getStepCount).sum()).isEqualTo(12_000);
                assertThat(pages.get(pages.size() - 1).getStep(pages.get(pages.size() - 1).getStepCount() - 1))
                        .isEqualTo(11_999);
            }
        }
    }

    /** A follow delivers each line as it is logged: the stream is flushed message by message. */
    @Test
    void aLogFollowDeliversLinesWhileTheStreamIsOpen(TestServer server) throws Exception {
        Run run = openRun(server, "follow");
        appendLine(server, run, "first line");
        try (GrpcWebCall call = GrpcWebCall.start(server.httpUrl(), "labbook.v1.LogService/ReadLogs",
                ReadLogsRequest.newBuilder().setRunId(run.getId()).setFollow(true).build(), false)) {
            assertThat(texts(call, 1)).containsExactly("first line");
            appendLine(server, run, "second line");
            assertThat(texts(call, 1)).containsExactly("second line");
            server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(run.getId())
                    .setStatus(RunStatus.RUN_STATUS_COMPLETED).build());
            assertThat(call.drain(ReadLogsResponse.parser())).allMatch(r -> r.getLinesCount() == 0);
            assertThat(call.grpcStatus()).isZero();
        }
    }

    private static void appendLine(TestServer server, Run run, String text) {
        server.logs().appendLogLines(AppendLogLinesRequest.newBuilder().setRunId(run.getId())
                .addLines(LogLine.newBuilder().setText(text).setLevel(LogLevel.LOG_LEVEL_INFO)
                        .setStream(LogStream.LOG_STREAM_STDOUT))
                .build());
    }

    /** The texts of the next messages holding {@code lines} lines (follows may send empty keep-alives). */
    private static List<String> texts(GrpcWebCall call, int lines) throws Exception {
        List<String> texts = new java.util.ArrayList<>();
        while (texts.size() < lines) {
            ReadLogsResponse response = call.next(ReadLogsResponse.parser())
                    .orElseThrow(() -> new AssertionError("the follow ended early"));
            response.getLinesList().forEach(line -> texts.add(line.getText()));
        }
        return texts;
    }

    @Test
    void theServerTellsItsVersionAndPublicUrlOnBothPorts(TestServer server) throws Exception {
        String expected = "http://localhost:" + server.httpPort();
        assertThat(server.uiUrl()).contains(expected);
        GetServerInfoResponse overGrpc = ServerServiceGrpc.newBlockingStub(server.channel())
                .getServerInfo(GetServerInfoRequest.getDefaultInstance());
        assertThat(overGrpc.getServerInfo().getPublicUrl()).isEqualTo(expected);
        assertThat(overGrpc.getServerInfo().getVersion()).isEqualTo(ServerVersion.get()).isNotEqualTo("unknown");

        JsonNode overHttp = JSON.readTree(postJson(server, "labbook.v1.ServerService/GetServerInfo", "{}").body());
        assertThat(overHttp.get("serverInfo").get("publicUrl").asText()).isEqualTo(expected);
    }
}
