package dev.labbook.server.domain;

/**
 * Told what the domain stored, after it committed, so operations can count it (Prometheus
 * metrics) without the domain knowing how. Implementations must be cheap and thread-safe.
 */
public interface UsageRecorder {
    /** Records nothing. */
    UsageRecorder NONE = new UsageRecorder() {
    };

    /** A metric batch of {@code points} points was committed (duplicates are not reported). */
    default void metricBatchCommitted(int points) {
    }

    /** An artifact of {@code bytes} bytes was verified and recorded. */
    default void artifactStored(long bytes) {
    }
}
