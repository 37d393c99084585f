package dev.labbook.server.domain.metric;

/**
 * A position in a series read in step order (ties in arrival order): after the first
 * {@code tiesSent} points of step {@code step}. Counting the points of the last step, rather
 * than naming the last point, resumes correctly among many points of one step; points appended
 * later at that step come after them in arrival order, so they are not skipped.
 */
public record HistoryCursor(long step, long tiesSent) {
}
