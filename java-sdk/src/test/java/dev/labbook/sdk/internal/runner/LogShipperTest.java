package dev.labbook.sdk.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Batching, order and failure handling of the log shipper (its writer stands in for the server). */
class LogShipperTest {
    private static final class Outage extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Outage() {
            super("connection refused");
        }
    }

    private final ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    private final PrintStream warningStream = new PrintStream(warnings, true, StandardCharsets.UTF_8);

    private static CapturedLine line(int i) {
        return new CapturedLine(CapturedLine.OutputStream.STDOUT, i, "line " + i);
    }

    @Test
    void deliversEveryLineInOrderAcrossAnOutage() throws Exception {
        List<String> stored = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        LogShipper shipper = new LogShipper(batch -> () -> {
            if (calls.incrementAndGet() <= 3) {
                throw new Outage();
            }
            batch.forEach(l -> stored.add(l.text()));
        }, e -> e instanceof Outage, warningStream);
        for (int i = 0; i < 2500; i++) {
            shipper.accept(line(i));
        }
        assertThat(shipper.drain(20_000)).isEqualTo(2500);
        assertThat(stored).hasSize(2500);
        for (int i = 0; i < 2500; i++) {
            assertThat(stored.get(i)).isEqualTo("line " + i);
        }
        String warned = warnings.toString(StandardCharsets.UTF_8);
        assertThat(warned).contains("unreachable").doesNotContain("not stored");
    }

    @Test
    void aRetriedBatchIsTheSameDeliveryNotANewOne() throws Exception {
        AtomicInteger prepared = new AtomicInteger();
        AtomicInteger sends = new AtomicInteger();
        LogShipper shipper = new LogShipper(batch -> {
            prepared.incrementAndGet(); // where the launcher gives the batch its writer sequence
            return () -> {
                if (sends.incrementAndGet() <= 2) {
                    throw new Outage(); // e.g. an answer lost after the server stored the batch
                }
            };
        }, e -> e instanceof Outage, warningStream);
        shipper.accept(line(1));
        assertThat(shipper.drain(20_000)).isEqualTo(1);
        assertThat(prepared).hasValue(1);
        assertThat(sends).hasValue(3);
    }

    @Test
    void aRefusedBatchIsDroppedAfterOneRetryAndCounted() throws Exception {
        List<String> stored = new CopyOnWriteArrayList<>();
        LogShipper shipper = new LogShipper(batch -> () -> {
            if (batch.get(0).text().equals("bad")) {
                throw new IllegalArgumentException("INVALID_ARGUMENT: lines[0].text");
            }
            batch.forEach(l -> stored.add(l.text()));
        }, e -> false, warningStream);
        shipper.accept(new CapturedLine(CapturedLine.OutputStream.STDERR, 1, "bad"));
        Thread.sleep(LogShipper.LINGER_MS + 100); // its own batch
        shipper.accept(line(2));
        shipper.drain(10_000);
        assertThat(stored).containsExactly("line 2");
        assertThat(warnings.toString(StandardCharsets.UTF_8))
                .contains("could not store output", "INVALID_ARGUMENT")
                .contains("1 output line(s) were not stored");
    }

    @Test
    void anOutageThatOutlastsTheDrainLosesOnlyWhatWasNotSent() throws Exception {
        LogShipper shipper = new LogShipper(batch -> () -> {
            throw new Outage();
        }, e -> e instanceof Outage, warningStream);
        shipper.accept(line(1));
        long start = System.nanoTime();
        assertThat(shipper.drain(1_000)).isZero();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(8_000);
        assertThat(warnings.toString(StandardCharsets.UTF_8)).contains("1 output line(s) were not stored");
    }

    @Test
    void anAppendStillWaitingAtTheDeadlineIsCanceledAndCounted() throws Exception {
        // An unreachable server that does not refuse: the append waits for its own 30 s deadline,
        // answering an interrupt as the SDK's does (the call is canceled).
        List<String> stored = new CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch appending = new java.util.concurrent.CountDownLatch(1);
        LogShipper shipper = new LogShipper(batch -> () -> {
            appending.countDown();
            Thread.sleep(30_000);
            batch.forEach(l -> stored.add(l.text()));
        }, e -> false, warningStream);
        shipper.accept(line(1));
        shipper.accept(line(2));
        assertThat(appending.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        assertThat(shipper.drain(500)).isZero();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
        assertThat(warnings.toString(StandardCharsets.UTF_8)).contains("2 output line(s) were not stored");
        Thread.sleep(300);
        assertThat(stored).as("nothing is stored after drain returned").isEmpty();
    }

    @Test
    void anInterruptedDrainStopsAtOnceAndStillCountsWhatWasNotStored() throws Exception {
        // labbook run got a signal after the script ended: the drain is cut short.
        java.util.concurrent.CountDownLatch appending = new java.util.concurrent.CountDownLatch(1);
        LogShipper shipper = new LogShipper(batch -> () -> {
            appending.countDown();
            Thread.sleep(30_000);
        }, e -> false, warningStream);
        shipper.accept(line(1));
        assertThat(appending.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        java.util.concurrent.CompletableFuture<Throwable> outcome = new java.util.concurrent.CompletableFuture<>();
        Thread drainer = new Thread(() -> {
            try {
                shipper.drain(60_000);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        drainer.start();
        Thread.sleep(200);
        long start = System.nanoTime();
        drainer.interrupt();
        assertThat(outcome.get(10, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(3_000);
        assertThat(warnings.toString(StandardCharsets.UTF_8)).contains("1 output line(s) were not stored");
        shipper.close(); // already drained: no second warning
        assertThat(warnings.toString(StandardCharsets.UTF_8).split("were not stored", -1)).hasSize(2);
    }
}
