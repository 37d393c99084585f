package dev.labbook.sdk;

/**
 * The answer to one sequenced append call: {@code count} is what the call reports (log lines
 * stored by it, or the table's row count after it), {@code duplicate} whether the server had
 * committed that writer's sequence already and stored nothing.
 */
public record AppendResult(long count, boolean duplicate) {
}
