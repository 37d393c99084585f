package dev.labbook.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetWriterStateRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.server.grpc.StreamDrain;
import dev.labbook.server.testing.FirstResponse;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.MetricStreams.Series;
import dev.labbook.server.testing.ServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to the packaged server while a client streams metric batches, as in a rolling update:
 * health turns NOT_SERVING during the drain pause, the stream ends with UNAVAILABLE, and after a
 * restart on the same data directory every batch the client saw committed is there, whole, and
 * the writer's last_sequence matches exactly the batches stored.
 */
class GracefulShutdownIT {
    private static final int POINTS_PER_BATCH = 50;
    private static final String WRITER = "pod-0";

    @TempDir
    Path tmp;

    @Test
    void sigtermDuringAMetricStreamLosesNoAcknowledgedBatch() throws Exception {
        Path dataDir = tmp.resolve("data");
        int port = ServerProcess.freePort();
        String runId;
        long acknowledged;
        long sent;
        String log;
        try (ServerProcess server = ServerProcess.start(tmp.resolve("logs"), port, "--data-dir", dataDir.toString(),
                "--metrics-port", "0", "--shutdown-drain-seconds", "2", "--shutdown-grace-seconds", "10",
                "--log-format", "json")) {
            ManagedChannel streaming = channel(port);
            ManagedChannel control = channel(port);
            try {
                runId = RunServiceGrpc.newBlockingStub(control).openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                        .setExperimentName("rolling-update").setName("r1").build()).getRun().getId();
                FirstResponse<LogMetricsResponse> result = new FirstResponse<>();
                StreamObserver<LogMetricsRequest> stream = MetricServiceGrpc.newStub(streaming).logMetrics(result);
                AtomicLong sentCount = new AtomicLong();
                AtomicBoolean stop = new AtomicBoolean();
                Thread sender = new Thread(() -> {
                    for (long seq = 1; !stop.get() && !result.isDone() && seq <= 5000; seq++) {
                        stream.onNext(LogMetricsRequest.newBuilder().setBatch(batch(runId, seq)).build());
                        sentCount.set(seq);
                        sleep(10);
                    }
                }, "test-metric-sender");
                sender.start();

                // Acknowledged = seen committed by another client (GetWriterState) before the stream ended.
                long ackedBeforeSigterm = awaitCommitted(control, runId, 20);
                server.terminate();
                boolean sawNotServing = false;
                long ackedDuringDrain = ackedBeforeSigterm;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!result.isDone() && System.nanoTime() < deadline) {
                    try {
                        sawNotServing |= HealthGrpc.newBlockingStub(control).withDeadlineAfter(1, TimeUnit.SECONDS)
                                .check(HealthCheckRequest.getDefaultInstance()).getStatus()
                                == ServingStatus.NOT_SERVING;
                        ackedDuringDrain = Math.max(ackedDuringDrain, writerSequence(control, runId));
                    } catch (StatusRuntimeException stopped) {
                        // No new calls once the drain pause is over.
                    }
                    Thread.sleep(100);
                }
                assertThat(sawNotServing).as("health NOT_SERVING during the drain; stream done: %s; log:%n%s",
                        result.isDone(), server.stderr()).isTrue();
                StatusRuntimeException ended = catchThrowableOfType(StatusRuntimeException.class,
                        () -> result.await(10));
                assertThat(ended.getStatus().getCode()).as("%s; log:%n%s", ended.getStatus(), server.stderr())
                        .isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(ended.getStatus().getDescription()).isEqualTo(StreamDrain.DESCRIPTION);
                stop.set(true);
                sender.join(5000);
                acknowledged = ackedDuringDrain;
                sent = sentCount.get();
                assertThat(acknowledged).as("batches committed during the drain")
                        .isGreaterThan(ackedBeforeSigterm);
            } finally {
                streaming.shutdownNow();
                control.shutdownNow();
            }
            assertThat(server.awaitExit(60)).as("exit status after a graceful shutdown").isZero();
            log = server.stderr();
        }
        assertThat(log).contains("NOT_SERVING", "UNAVAILABLE after their current message");
        ObjectMapper json = new ObjectMapper();
        for (String line : log.strip().split("\n")) {
            JsonNode event = json.readTree(line);
            assertThat(event.has("level") && event.has("loggerName") && event.has("formattedMessage"))
                    .as("JSON log line %s", line).isTrue();
        }

        try (ServerProcess restarted = ServerProcess.start(tmp.resolve("logs"), port, "--data-dir",
                dataDir.toString(), "--metrics-port", "0")) {
            ManagedChannel channel = channel(restarted.port());
            try {
                long last = writerSequence(channel, runId);
                assertThat(last).as("every acknowledged batch is stored").isGreaterThanOrEqualTo(acknowledged);
                assertThat(last).as("no more than was sent").isLessThanOrEqualTo(sent);
                Series stored = MetricStreams.history(channel, GetMetricHistoryRequest.newBuilder().setRunId(runId)
                        .setKey("loss").build());
                // Exactly the batches up to last_sequence, each whole: no partial batch, none beyond.
                assertThat(stored.size()).isEqualTo((int) (last * POINTS_PER_BATCH));
                for (int i = 0; i < stored.size(); i++) {
                    assertThat(stored.steps().get(i)).isEqualTo(i);
                }
            } finally {
                channel.shutdownNow();
            }
        }
    }

    private static MetricBatch batch(String runId, long sequence) {
        MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(runId).setWriterId(WRITER).setSequence(sequence)
                .addKeys("loss");
        for (int i = 0; i < POINTS_PER_BATCH; i++) {
            long step = (sequence - 1) * POINTS_PER_BATCH + i;
            b.addKeyIndex(0).addStep(step).addTimestampMs(1_760_000_000_000L + step).addValue(1.0 / (step + 1));
        }
        return b.build();
    }

    private static long awaitCommitted(ManagedChannel channel, String runId, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            long last = writerSequence(channel, runId);
            if (last >= atLeast) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("fewer than " + atLeast + " batches committed within 60 s");
    }

    private static long writerSequence(ManagedChannel channel, String runId) {
        return MetricServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .getWriterState(GetWriterStateRequest.newBuilder().setRunId(runId).setWriterId(WRITER).build())
                .getLastSequence();
    }

    private static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
