package dev.labbook.sdk;

/** One entry of a run's status history. {@code from} is null for the first one. */
public record StatusChange(RunStatus from, RunStatus to, long timeMs, String reason) {
}
