package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.AccessServiceGrpc;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.RevokeTokenRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.WatchRunRequest;
import dev.labbook.api.v1.WatchRunResponse;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.GrpcAssertions;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Streams opened with a token end within 10 s (re-check interval plus token cache) of its
 * revocation: a follow or a watch stops delivering, a metric stream stops storing.
 */
@ExtendWith(AuthServerExtension.class)
class StreamRevocationIT {
    @Test
    void revokingATokenEndsTheStreamsItOpened(TestServer server) throws Exception {
        String admin = TestTokens.create(server, "rev", Role.ADMIN);
        String experimentId = TestTokens.as(server.experiments(), admin).createExperiment(CreateExperimentRequest
                .newBuilder().setProject("rev").setName("e").build()).getExperiment().getId();
        String runId = TestTokens.as(server.runs(), admin).createRun(CreateRunRequest.newBuilder()
                .setExperimentId(experimentId).setName("r").build()).getRun().getId();
        var created = server.server().tokens().create(TestTokens.MINTER, "soon-revoked", "rev", Role.EDITOR, 0);
        String editor = created.secret();

        CompletableFuture<Status> watchEnded = new CompletableFuture<>();
        CountDownLatch watching = new CountDownLatch(1);
        TestTokens.as(RunServiceGrpc.newStub(server.channel()), editor).watchRun(
                WatchRunRequest.newBuilder().setRunId(runId).build(), new StreamObserver<WatchRunResponse>() {
                    @Override
                    public void onNext(WatchRunResponse value) {
                        watching.countDown();
                    }

                    @Override
                    public void onError(Throwable t) {
                        watchEnded.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        watchEnded.complete(Status.OK);
                    }
                });
        assertThat(watching.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Status> streamEnded = new CompletableFuture<>();
        StreamObserver<LogMetricsRequest> metrics = TestTokens.as(MetricServiceGrpc.newStub(server.channel()), editor)
                .logMetrics(new StreamObserver<LogMetricsResponse>() {
                    @Override
                    public void onNext(LogMetricsResponse value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        streamEnded.complete(Status.fromThrowable(t));
                    }

                    @Override
                    public void onCompleted() {
                        streamEnded.complete(Status.OK);
                    }
                });
        metrics.onNext(batch(runId, 1));

        long revokedAt = System.nanoTime();
        TestTokens.as(AccessServiceGrpc.newBlockingStub(server.channel()), admin).revokeToken(
                RevokeTokenRequest.newBuilder().setTokenId(created.token().id().toString()).build());

        Status watch = watchEnded.get(15, TimeUnit.SECONDS);
        Status stream = streamEnded.get(15, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - revokedAt)).isLessThanOrEqualTo(11);
        assertThat(watch.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(stream.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(stream.getDescription()).contains("revoked");

        // A batch sent after the end is not stored: the run has the first batch's point only.
        try {
            metrics.onNext(batch(runId, 2));
        } catch (IllegalStateException | StatusRuntimeException alreadyClosed) {
            // the client may already know the call ended
        }
        long points = TestTokens.as(server.metrics(), admin).listMetrics(ListMetricsRequest.newBuilder()
                .setRunId(runId).build()).getMetricsList().stream().mapToLong(m -> m.getCount()).sum();
        assertThat(points).isEqualTo(1);
        GrpcAssertions.assertReason(Status.Code.UNAUTHENTICATED, "TOKEN_REVOKED", () -> TestTokens.as(
                server.runs(), editor).getRun(dev.labbook.api.v1.GetRunRequest.newBuilder().setRunId(runId).build()));
    }

    private static LogMetricsRequest batch(String runId, long step) {
        return LogMetricsRequest.newBuilder().setBatch(MetricBatch.newBuilder().setRunId(runId).addKeys("loss")
                .addKeyIndex(0).addStep(step).addTimestampMs(1_700_000_000_000L).addValue(0.5)).build();
    }
}
