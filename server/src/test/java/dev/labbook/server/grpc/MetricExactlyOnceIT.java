package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetWriterStateRequest;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.server.testing.FirstResponse;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.MetricStreams.Series;
import dev.labbook.server.testing.TestServer;
import io.grpc.stub.ClientCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client whose stream breaks at random points resends every batch the server has not
 * committed (asking GetWriterState where to resume), and ends with every point stored once.
 */
@ExtendWith(LabbookServerExtension.class)
class MetricExactlyOnceIT {

    @Test
    void droppedStreamsAndResendsStoreEveryPointExactlyOnce(TestServer server) throws Exception {
        String run = MetricServiceIT.run(server);
        Random random = new Random(7);
        List<MetricBatch> batches = new ArrayList<>();
        long step = 0;
        for (int seq = 1; seq <= 60; seq++) {
            MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(run).setWriterId("pod-0").setSequence(seq)
                    .addKeys("loss").addKeys("acc");
            int n = 1 + random.nextInt(300);
            for (int i = 0; i < n; i++, step++) {
                b.addKeyIndex((int) (step % 2)).addStep(step).addTimestampMs(1_000_000 + step).addValue(step * 0.5);
            }
            batches.add(b.build());
        }
        long totalPoints = step;

        int drops = 0;
        boolean done = false;
        while (!done) {
            long committed = server.metrics().getWriterState(GetWriterStateRequest.newBuilder().setRunId(run)
                    .setWriterId("pod-0").build()).getLastSequence();
            // Resend from the first unacknowledged batch, sometimes also an already committed one.
            int from = (int) Math.max(0, committed - random.nextInt(2));
            List<MetricBatch> pending = batches.subList(from, batches.size());
            boolean drop = drops < 8;
            int dropAfter = drop ? random.nextInt(Math.max(1, pending.size())) : -1;
            done = sendOnce(server, pending, dropAfter);
            if (!done) {
                drops++;
            }
        }

        assertThat(drops).isEqualTo(8);
        for (String key : List.of("loss", "acc")) {
            Series s = MetricStreams.history(server.channel(), GetMetricHistoryRequest.newBuilder().setRunId(run)
                    .setKey(key).build());
            long expectedCount = key.equals("loss") ? (totalPoints + 1) / 2 : totalPoints / 2;
            assertThat(s.size()).as(key).isEqualTo((int) expectedCount);
            for (int i = 0; i < s.size(); i++) {
                long expectedStep = key.equals("loss") ? 2L * i : 2L * i + 1;
                assertThat(s.steps().get(i)).isEqualTo(expectedStep);
                assertThat(s.values().get(i)).isEqualTo(expectedStep * 0.5);
            }
        }
        assertThat(server.metrics().listMetrics(ListMetricsRequest.newBuilder().setRunId(run).build())
                .getMetricsList()).extracting(m -> m.getCount()).containsExactlyInAnyOrder(
                        (totalPoints + 1) / 2, totalPoints / 2);
    }

    /** Sends the batches; cancels the stream after {@code dropAfter} messages when >= 0. */
    private static boolean sendOnce(TestServer server, List<MetricBatch> batches, int dropAfter) throws Exception {
        FirstResponse<LogMetricsResponse> result = new FirstResponse<>();
        ClientCallStreamObserver<LogMetricsRequest> stream = (ClientCallStreamObserver<LogMetricsRequest>)
                MetricServiceGrpc.newStub(server.channel()).logMetrics(result);
        for (int i = 0; i < batches.size(); i++) {
            if (i == dropAfter) {
                stream.cancel("simulated network drop", null);
                try {
                    result.await(30);
                } catch (RuntimeException expected) {
                    // the stream ends with CANCELLED
                }
                return false;
            }
            stream.onNext(LogMetricsRequest.newBuilder().setBatch(batches.get(i)).build());
        }
        stream.onCompleted();
        result.await(60);
        return true;
    }
}
