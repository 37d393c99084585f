package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.server.domain.metric.MetricCompactor;
import dev.labbook.server.domain.metric.SmallChunks;
import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.MetricStreams;
import dev.labbook.server.testing.MetricStreams.Series;
import dev.labbook.server.testing.TestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Compaction merges the small chunks of slow loggers without losing, duplicating or reordering a point. */
@ExtendWith(LabbookServerExtension.class)
class MetricCompactionIT {

    private static long chunks(TestServer server) throws Exception {
        try (Connection c = server.jdbc(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM metric_chunk")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static MetricBatch onePoint(String run, long seq, long step, double value) {
        return MetricServiceIT.batch(run, "slow", seq, "loss", new long[] {step}, new double[] {value});
    }

    @Test
    void mergesSmallChunksKeepingEveryPointAndTheOrderOfEqualSteps(TestServer server) throws Exception {
        String run = MetricServiceIT.run(server);
        List<MetricBatch> batches = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            // Repeated and out-of-order steps: ties must keep their arrival order.
            batches.add(onePoint(run, i + 1, (i * 7L) % 50, i));
        }
        MetricStreams.send(server.channel(), batches);
        GetMetricHistoryRequest request = GetMetricHistoryRequest.newBuilder().setRunId(run).setKey("loss").build();
        Series before = MetricStreams.history(server.channel(), request);
        assertThat(chunks(server)).isEqualTo(200);

        try (PostgresDatabase db = PostgresDatabase.open(server.database(), 2)) {
            MetricCompactor compactor = new MetricCompactor(db.trackingStore(), db.exclusiveTasks());
            assertThat(compactor.compactOnce()).isEqualTo(199);
            assertThat(compactor.compactOnce()).isZero();
        }

        assertThat(chunks(server)).isEqualTo(1);
        Series after = MetricStreams.history(server.channel(), request);
        assertThat(after).isEqualTo(before);
        assertThat(after.size()).isEqualTo(200);
    }

    @Test
    void ingestDuringCompactionLosesNothing(TestServer server) throws Exception {
        String run = MetricServiceIT.run(server);
        List<MetricBatch> first = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            first.add(onePoint(run, i + 1, i, i));
        }
        MetricStreams.send(server.channel(), first);

        try (PostgresDatabase db = PostgresDatabase.open(server.database(), 2)) {
            MetricCompactor compactor = new MetricCompactor(db.trackingStore(), db.exclusiveTasks());
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                for (int i = 300; i < 600; i++) {
                    MetricStreams.send(server.channel(), List.of(onePoint(run, i + 1, i, i)));
                }
            });
            while (!writer.isDone()) {
                compactor.compactOnce();
            }
            writer.join();
            compactor.compactOnce();
        }

        Series after = MetricStreams.history(server.channel(),
                GetMetricHistoryRequest.newBuilder().setRunId(run).setKey("loss").build());
        assertThat(after.size()).isEqualTo(600);
        for (int i = 0; i < 600; i++) {
            assertThat(after.steps().get(i)).isEqualTo(i);
            assertThat(after.values().get(i)).isEqualTo((double) i);
        }
        assertThat(chunks(server)).isLessThan(10);
    }

    @Test
    void seriesWhoseSmallChunksAreNotAdjacentAreNotPickedAgain(TestServer server) {
        String run = MetricServiceIT.run(server);
        List<MetricBatch> batches = new ArrayList<>();
        long step = 0;
        for (int i = 0; i < 10; i++) {
            int size = i % 2 == 0 ? 1500 : 10; // big, small, big, small...: no two small in a row
            long[] steps = new long[size];
            double[] values = new double[size];
            for (int j = 0; j < size; j++) {
                steps[j] = step++;
            }
            batches.add(MetricServiceIT.batch(run, "alternating", i + 1, "loss", steps, values));
        }
        MetricStreams.send(server.channel(), batches);

        try (PostgresDatabase db = PostgresDatabase.open(server.database(), 2)) {
            var store = db.trackingStore();
            List<SmallChunks> found = store.inTransaction(tx -> tx.metrics().smallChunksAfter(0, 1000, 100));
            assertThat(found).singleElement().satisfies(series -> {
                assertThat(series.chunks()).isEqualTo(5);
                assertThat(series.mergeablePairs()).isZero();
            });
            assertThat(new MetricCompactor(store, db.exclusiveTasks()).compactOnce()).isZero();
        }
    }
}
