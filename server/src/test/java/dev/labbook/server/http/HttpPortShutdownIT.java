package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.ErrorInfo;
import dev.labbook.api.v1.AppendLogLinesRequest;
import dev.labbook.api.v1.LogLine;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.LogServiceGrpc;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.ReadLogsRequest;
import dev.labbook.api.v1.ReadLogsResponse;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.server.grpc.StreamDrain;
import dev.labbook.server.testing.FirstResponse;
import dev.labbook.server.testing.ServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server with its HTTP port, as `labbook server` runs: it prints the UI's URL, and
 * SIGTERM closes the HTTP port with the gRPC port, ending the HTTP port's streams as the gRPC
 * port's are ended (a follow with SHUTTING_DOWN, a client stream by the drain).
 */
class HttpPortShutdownIT {
    @TempDir
    Path tmp;

    /** The line `labbook server` prints once it serves (just after health turns SERVING). */
    private static void awaitOutput(ServerProcess server, String line) throws InterruptedException {
        for (int i = 0; i < 100 && !server.stdout().contains(line); i++) {
            Thread.sleep(100);
        }
        assertThat(server.stdout()).contains(line);
    }

    @Test
    void printsTheUiUrlAndClosesWithTheGrpcPortOnSigterm() throws Exception {
        int httpPort = ServerProcess.freePort();
        try (ServerProcess server = ServerProcess.start(tmp.resolve("logs"), ServerProcess.freePort(),
                "--data-dir", tmp.resolve("data").toString(), "--metrics-port", "0", "--http-port",
                Integer.toString(httpPort), "--public-url", "https://labbook.example.com/",
                "--shutdown-drain-seconds", "1", "--shutdown-grace-seconds", "5")) {
            awaitOutput(server, "Web UI: https://labbook.example.com" + System.lineSeparator());
            String httpUrl = "http://127.0.0.1:" + httpPort;
            ManagedChannel grpc = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            // Native gRPC (HTTP/2 without TLS) works on the HTTP port too.
            ManagedChannel grpcOverHttpPort = NettyChannelBuilder.forAddress("127.0.0.1", httpPort).usePlaintext()
                    .build();
            try {
                String runId = RunServiceGrpc.newBlockingStub(grpcOverHttpPort).openRun(OpenRunRequest.newBuilder()
                        .setCreateExperimentIfMissing(true).setExperimentName("shutdown").setName("r").build())
                        .getRun().getId();
                LogServiceGrpc.newBlockingStub(grpc).appendLogLines(AppendLogLinesRequest.newBuilder().setRunId(runId)
                        .addLines(LogLine.newBuilder().setText("hello")).build());

                // A browser's follow (gRPC-Web) and a client stream of metric batches, both on the HTTP port.
                GrpcWebCall follow = GrpcWebCall.start(httpUrl, "labbook.v1.LogService/ReadLogs",
                        ReadLogsRequest.newBuilder().setRunId(runId).setFollow(true).build(), false);
                assertThat(follow.next(ReadLogsResponse.parser()).orElseThrow().getLines(0).getText())
                        .isEqualTo("hello");
                FirstResponse<LogMetricsResponse> streamed = new FirstResponse<>();
                StreamObserver<LogMetricsRequest> stream = MetricServiceGrpc.newStub(grpcOverHttpPort)
                        .logMetrics(streamed);
                AtomicBoolean stop = new AtomicBoolean();
                Thread sender = new Thread(() -> {
                    for (long seq = 1; !stop.get() && !streamed.isDone() && seq <= 5000; seq++) {
                        stream.onNext(LogMetricsRequest.newBuilder().setBatch(MetricBatch.newBuilder().setRunId(runId)
                                .setWriterId("w").setSequence(seq).addKeys("loss").addKeyIndex(0).addStep(seq)
                                .addTimestampMs(1_760_000_000_000L + seq).addValue(seq)).build());
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "test-http-port-sender");
                sender.start();
                Thread.sleep(500);

                server.terminate();

                // The follow ends as on the gRPC port: UNAVAILABLE, reason SHUTTING_DOWN (resume from the offset).
                follow.drain(ReadLogsResponse.parser());
                assertThat(follow.grpcStatus()).as(server.stderr()).isEqualTo(Status.Code.UNAVAILABLE.value());
                ErrorInfo info = follow.statusDetails().getDetailsList().stream().filter(a -> a.is(ErrorInfo.class))
                        .findFirst().orElseThrow().unpack(ErrorInfo.class);
                assertThat(info.getReason()).isEqualTo("SHUTTING_DOWN");
                follow.close();
                // The client stream is ended by the drain, after the batch it was committing.
                StatusRuntimeException ended = catchThrowableOfType(StatusRuntimeException.class,
                        () -> streamed.await(15));
                assertThat(ended.getStatus().getCode()).as("%s%n%s", ended.getStatus(), server.stderr())
                        .isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(ended.getStatus().getDescription()).as(server.stderr()).isEqualTo(StreamDrain.DESCRIPTION);
                stop.set(true);
                sender.join(5000);
            } finally {
                grpc.shutdownNow();
                grpcOverHttpPort.shutdownNow();
            }
            assertThat(server.awaitExit(60)).as(server.stderr()).isZero();
            assertThatThrownBy(() -> new Socket("127.0.0.1", httpPort).close()).isInstanceOf(ConnectException.class);
        }
    }
}
