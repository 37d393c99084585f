package dev.labbook.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts a fuzz target's executions and writes them, with the time they took, to
 * {@code target/fuzz-stats/<target>.properties} when the test class ends; {@code bench/run fuzz}
 * prints them as {@code name=value} lines. One instance per fuzz test class.
 */
public final class FuzzStats {
    private final String target;
    private final AtomicLong executions = new AtomicLong();
    private volatile long firstNanos;

    public FuzzStats(String target) {
        this.target = target;
    }

    /** Call once per input. */
    public void count() {
        if (executions.getAndIncrement() == 0) {
            firstNanos = System.nanoTime();
        }
    }

    /** Call from {@code @AfterAll}. */
    public void write() {
        long n = executions.get();
        double seconds = n == 0 ? 0 : (System.nanoTime() - firstNanos) / 1e9;
        String mode = System.getenv("JAZZER_FUZZ") == null || System.getenv("JAZZER_FUZZ").isEmpty()
                ? "regression" : "fuzzing";
        String text = "target=" + target + "\nmode=" + mode + "\nexecutions=" + n
                + "\nseconds=" + String.format(java.util.Locale.ROOT, "%.1f", seconds) + "\n";
        try {
            Path dir = Path.of("target", "fuzz-stats");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(target + ".properties"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
