package dev.labbook.server.domain.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.store.AccessStore;
import dev.labbook.server.store.AuditRepository;
import dev.labbook.server.store.TokenRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The audit writer's queueing and batching, against a store that records (or holds up) its inserts. */
class AuditWriterTest {

    /** An AccessStore whose audit inserts are recorded; each can be made to wait or fail. */
    private static final class RecordingStore implements AccessStore {
        final List<List<AuditEntry>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch inserting = new CountDownLatch(1);
        volatile CountDownLatch release = new CountDownLatch(0);
        final AtomicInteger failuresLeft = new AtomicInteger();

        @Override
        public <T> T inTransaction(Function<AccessTransaction, T> work) {
            return work.apply(new AccessTransaction() {
                @Override
                public TokenRepository tokens() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public AuditRepository audit() {
                    return new AuditRepository() {
                        @Override
                        public void insert(List<AuditEntry> entries) {
                            inserting.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            if (failuresLeft.getAndDecrement() > 0) {
                                throw new IllegalStateException("database down");
                            }
                            batches.add(List.copyOf(entries));
                        }

                        @Override
                        public List<AuditEvent> list(Collection<String> projects, String principal, long beforeId,
                                int limit) {
                            throw new UnsupportedOperationException();
                        }

                        @Override
                        public int deleteOlderThan(java.time.Instant cutoff, int limit) {
                            throw new UnsupportedOperationException();
                        }
                    };
                }
            });
        }

        List<String> written() {
            List<String> methods = new ArrayList<>();
            batches.forEach(batch -> batch.forEach(e -> methods.add(e.method())));
            return methods;
        }
    }

    private static AuditEntry entry(int i) {
        return new AuditEntry(Instant.now(), "token:t", "labbook.v1.RunService/UpdateRun#" + i, "p1", "run_id=x", "OK",
                "127.0.0.1:5000");
    }

    @Test
    void aSingleEntryIsWrittenAfterTheBatchDelay() throws Exception {
        RecordingStore store = new RecordingStore();
        try (AuditWriter writer = new AuditWriter(store)) {
            long start = System.nanoTime();
            writer.record(entry(1));
            while (writer.written() < 1 && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                Thread.sleep(5);
            }
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(store.batches).hasSize(1);
            assertThat(store.written()).containsExactly(entry(1).method());
            assertThat(tookMs).isBetween(150L, 2000L);
        }
    }

    @Test
    void aBurstIsWrittenInOrderInBatchesOfAtMost500() throws Exception {
        RecordingStore store = new RecordingStore();
        try (AuditWriter writer = new AuditWriter(store)) {
            for (int i = 0; i < 1200; i++) {
                writer.record(entry(i));
            }
            assertThat(writer.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(writer.written()).isEqualTo(1200);
            assertThat(store.batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(500));
            assertThat(store.batches.size()).isBetween(3, 6);
            assertThat(store.written()).containsExactlyElementsOf(
                    java.util.stream.IntStream.range(0, 1200).mapToObj(i -> entry(i).method()).toList());
        }
    }

    @Test
    void closeWritesEverythingQueuedAndLaterEntriesAreDropped() throws Exception {
        RecordingStore store = new RecordingStore();
        AuditWriter writer = new AuditWriter(store);
        for (int i = 0; i < 700; i++) {
            writer.record(entry(i));
        }
        writer.close();

        assertThat(store.written()).hasSize(700);
        assertThat(writer.written()).isEqualTo(700);
        writer.record(entry(700));
        assertThat(writer.dropped()).isEqualTo(1);
        assertThat(store.written()).hasSize(700);
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfBlockingCalls() throws Exception {
        RecordingStore store = new RecordingStore();
        store.release = new CountDownLatch(1);
        try (AuditWriter writer = new AuditWriter(store, 10)) {
            writer.record(entry(0));
            assertThat(store.inserting.await(5, TimeUnit.SECONDS)).isTrue(); // the writer holds entry 0, stuck

            long start = System.nanoTime();
            for (int i = 1; i <= 25; i++) {
                writer.record(entry(i));
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(500);
            assertThat(writer.dropped()).isEqualTo(15);

            store.release.countDown();
            assertThat(writer.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(writer.written()).isEqualTo(11);
            assertThat(store.written()).containsExactlyElementsOf(
                    java.util.stream.IntStream.rangeClosed(0, 10).mapToObj(i -> entry(i).method()).toList());
        }
    }

    @Test
    void aFailedBatchIsRetriedOnceThenCountedAsFailed() throws Exception {
        RecordingStore store = new RecordingStore();
        store.failuresLeft.set(1);
        try (AuditWriter writer = new AuditWriter(store)) {
            writer.record(entry(1));
            assertThat(writer.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(writer.written()).isEqualTo(1);
            assertThat(writer.failed()).isZero();

            store.failuresLeft.set(2);
            writer.record(entry(2));
            assertThat(writer.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(writer.written()).isEqualTo(1);
            assertThat(writer.failed()).isEqualTo(1);
        }
    }

    @Test
    void fieldsAreCutToTheColumnWidths() {
        AuditEntry fitted = AuditWriter.fit(new AuditEntry(Instant.EPOCH, "p".repeat(300), "m", "x".repeat(70),
                "t".repeat(2000), "OK", null));
        assertThat(fitted.principal()).hasSize(256).endsWith("...");
        assertThat(fitted.project()).hasSize(64);
        assertThat(fitted.target()).hasSize(1024);
        assertThat(fitted.peer()).isEmpty();
        assertThat(fitted.method()).isEqualTo("m");
    }
}
