package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryResponse;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.TestServer;
import io.grpc.Context;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** GetMetricHistory cursors: every message can resume the read after its last point. */
@ExtendWith(LabbookServerExtension.class)
class MetricHistoryCursorIT {
    private static final long T0 = 1_760_000_000_000L;

    /** A point as read back, to compare reads exactly (value identifies the point). */
    private record P(long step, double value) {
    }

    private static List<P> points(GetMetricHistoryResponse message) {
        List<P> points = new ArrayList<>();
        for (int i = 0; i < message.getStepCount(); i++) {
            points.add(new P(message.getStep(i), message.getValue(i)));
        }
        return points;
    }

    private static List<GetMetricHistoryResponse> read(TestServer server, GetMetricHistoryRequest request) {
        List<GetMetricHistoryResponse> messages = new ArrayList<>();
        MetricServiceGrpc.newBlockingStub(server.channel()).getMetricHistory(request).forEachRemaining(messages::add);
        return messages;
    }

    /** Steps given; values 0, 1, 2... in arrival order so each point is recognisable. */
    private static void log(TestServer server, String run, String key, long[][] batches) {
        List<MetricBatch> messages = new ArrayList<>();
        int value = 0;
        for (long[] steps : batches) {
            MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(run).addKeys(key);
            for (long step : steps) {
                b.addKeyIndex(0).addStep(step).addTimestampMs(T0 + step).addValue(value++);
            }
            messages.add(b.build());
        }
        MetricStreams.send(server.channel(), messages);
    }

    private static long[] range(long from, int n) {
        long[] steps = new long[n];
        for (int i = 0; i < n; i++) {
            steps[i] = from + i;
        }
        return steps;
    }

    @Test
    void aBrokenStreamResumesFromTheCursorOfItsLastMessage(TestServer server) {
        String run = MetricServiceIT.run(server);
        // Three chunks of 10,000 points: the stream sends one message per chunk.
        log(server, run, "loss", new long[][] {range(0, 10_000), range(10_000, 10_000), range(20_000, 10_000)});
        GetMetricHistoryRequest request = MetricServiceIT.history(run, "loss");
        List<P> expected = new ArrayList<>();
        read(server, request).forEach(m -> expected.addAll(points(m)));

        List<P> got = new ArrayList<>();
        String cursor;
        try (Context.CancellableContext call = Context.current().withCancellation()) {
            cursor = call.call(() -> {
                Iterator<GetMetricHistoryResponse> it = MetricServiceGrpc.newBlockingStub(server.channel())
                        .getMetricHistory(request);
                GetMetricHistoryResponse first = it.next();
                got.addAll(points(first));
                return first.getNextPageToken();
            });
            call.cancel(null); // the client breaks the stream after one message
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertThat(cursor).isNotEmpty();
        List<GetMetricHistoryResponse> rest = read(server, request.toBuilder().setPageToken(cursor).build());
        rest.forEach(m -> got.addAll(points(m)));

        assertThat(expected).hasSize(30_000);
        assertThat(got).isEqualTo(expected);
        assertThat(rest.get(rest.size() - 1).getNextPageToken()).isEmpty();
        assertThat(rest.subList(0, rest.size() - 1)).allSatisfy(m -> assertThat(m.getNextPageToken()).isNotEmpty());
    }

    @Test
    void pagesSplitManyPointsOfOneStepWithoutLosingOrRepeatingAny(TestServer server) {
        String run = MetricServiceIT.run(server);
        long[] tied = new long[25];
        java.util.Arrays.fill(tied, 5);
        // Step 5 arrives in three batches, out of order with other steps.
        log(server, run, "m", new long[][] {{0, 5, 5, 9}, tied, {5, 3, 12, 5}, {5, 5, 5}});
        GetMetricHistoryRequest request = MetricServiceIT.history(run, "m");
        List<P> expected = new ArrayList<>();
        read(server, request).forEach(m -> expected.addAll(points(m)));

        for (int pageSize : new int[] {1, 2, 7, 30}) {
            List<P> got = new ArrayList<>();
            String token = "";
            int pages = 0;
            do {
                List<GetMetricHistoryResponse> page = read(server, request.toBuilder().setPageSize(pageSize)
                        .setPageToken(token).build());
                int n = page.stream().mapToInt(GetMetricHistoryResponse::getStepCount).sum();
                assertThat(n).isLessThanOrEqualTo(pageSize);
                page.forEach(m -> got.addAll(points(m)));
                token = page.get(page.size() - 1).getNextPageToken();
                pages++;
            } while (!token.isEmpty());
            assertThat(got).as("page size %d", pageSize).isEqualTo(expected);
            assertThat(pages).isEqualTo((expected.size() + pageSize - 1) / pageSize);
        }
        assertThat(expected).hasSize(36);
        assertThat(expected.stream().filter(p -> p.step() == 5).map(P::value).toList())
                .as("ties in arrival order").isSorted().hasSize(32);
    }

    @Test
    void aCursorKeepsItsRangeAndPointsAppendedLaterAtItsStepFollow(TestServer server) {
        String run = MetricServiceIT.run(server);
        log(server, run, "m", new long[][] {range(0, 100)});
        GetMetricHistoryRequest ranged = MetricServiceIT.history(run, "m").toBuilder().setStartStep(10)
                .setEndStep(50).setPageSize(20).build();

        GetMetricHistoryResponse first = read(server, ranged).get(0);
        log(server, run, "m", new long[][] {{29, 29, 60}});
        List<P> rest = new ArrayList<>();
        read(server, ranged.toBuilder().setPageToken(first.getNextPageToken()).setPageSize(0).build())
                .forEach(m -> rest.addAll(points(m)));

        assertThat(points(first)).extracting(P::step).containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(10, 29).boxed().toList());
        assertThat(rest).extracting(P::step).startsWith(29L, 29L, 30L).endsWith(50L).hasSize(2 + 21);
        assertThat(rest.get(0).value()).as("the first point appended later (values restart per log call)")
                .isEqualTo(0.0);
        assertThat(rest.get(1).value()).isEqualTo(1.0);
    }

    @Test
    void cursorsAreBoundToTheirRunKeyAndRange(TestServer server) {
        String run = MetricServiceIT.run(server);
        log(server, run, "a", new long[][] {range(0, 10)});
        log(server, run, "b", new long[][] {range(0, 10)});
        GetMetricHistoryRequest request = MetricServiceIT.history(run, "a").toBuilder().setPageSize(3).build();
        String token = read(server, request).get(0).getNextPageToken();
        byte[] bytes = Base64.getUrlDecoder().decode(token);
        bytes[bytes.length - 1] ^= 2;
        String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        bytes[3] ^= 1;
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);

        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> read(server, MetricServiceIT.history(run, "b")
                .toBuilder().setPageToken(token).build()));
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> read(server, request.toBuilder()
                .setStartStep(0).setPageToken(token).build()));
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> read(server, request.toBuilder()
                .setPageToken(forged).build()));
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> read(server, request.toBuilder()
                .setPageToken("not a token").build()));
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> read(server, request.toBuilder()
                .setPageSize(0).setMaxPoints(5).setPageToken(token).build()));
        assertInvalidField("page_size", () -> read(server, request.toBuilder().setMaxPoints(5).build()));
        assertInvalidField("page_size", () -> read(server, request.toBuilder().setPageSize(-1).build()));
        // Only the ties count was flipped: the fingerprint still matches, and ties are a count.
        assertThat(read(server, request.toBuilder().setPageToken(altered).build())).isNotEmpty();
        assertThat(read(server, request.toBuilder().setPageToken(token).build()).get(0).getStep(0)).isEqualTo(3L);
    }

    @Test
    void downsampledAndEmptyReadsCarryNoCursor(TestServer server) {
        String run = MetricServiceIT.run(server);
        log(server, run, "m", new long[][] {range(0, 5000)});

        List<GetMetricHistoryResponse> view = read(server, MetricServiceIT.history(run, "m").toBuilder()
                .setMaxPoints(100).build());
        List<GetMetricHistoryResponse> empty = read(server, MetricServiceIT.history(run, "m").toBuilder()
                .setStartStep(10_000).build());
        List<GetMetricHistoryResponse> whole = read(server, MetricServiceIT.history(run, "m"));

        assertThat(view).allSatisfy(m -> {
            assertThat(m.getDownsampled()).isTrue();
            assertThat(m.getNextPageToken()).isEmpty();
        });
        assertThat(empty).hasSize(1);
        assertThat(empty.get(0).getStepCount()).isZero();
        assertThat(empty.get(0).getNextPageToken()).isEmpty();
        assertThat(whole.get(whole.size() - 1).getNextPageToken()).isEmpty();
    }
}
