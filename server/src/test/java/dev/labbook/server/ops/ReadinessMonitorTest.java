package dev.labbook.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Readiness reports only changes; a hanging check counts as failed and is not started again. */
class ReadinessMonitorTest {
    @Test
    void aHangingCheckIsNotReadyAndIsNotPiledUp() throws Exception {
        List<Boolean> reports = new CopyOnWriteArrayList<>();
        AtomicInteger started = new AtomicInteger();
        AtomicBoolean hang = new AtomicBoolean(false);
        CountDownLatch release = new CountDownLatch(1);
        Runnable check = () -> {
            started.incrementAndGet();
            if (hang.get()) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (ReadinessMonitor monitor = ReadinessMonitor.start(List.of(
                new ReadinessMonitor.Dependency("store", check),
                new ReadinessMonitor.Dependency("broken", () -> {
                    if (hang.get()) {
                        throw new IllegalStateException("down");
                    }
                })), Duration.ofMillis(20), Duration.ofMillis(100), reports::add)) {
            await(() -> reports.equals(List.of(true)));
            hang.set(true);
            await(() -> reports.equals(List.of(true, false)));
            int whileHanging = started.get();
            Thread.sleep(300);
            assertThat(started.get()).as("checks started while one hangs").isEqualTo(whileHanging);
            hang.set(false);
            release.countDown();
            await(() -> reports.equals(List.of(true, false, true)));
            Thread.sleep(100);
            assertThat(reports).containsExactly(true, false, true);
        }
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
