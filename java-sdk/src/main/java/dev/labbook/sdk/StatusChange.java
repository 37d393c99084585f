package dev.labbook.sdk;

/**
 * One entry of a run's status history. {@code from} is null for the first one; {@code reason}
 * says why in a word ({@code lease_expired}, {@code job_failed}...), {@code message} in a sentence
 * when the server has one (e.g. Kubernetes' {@code OOMKilled: ...} for a submitted run's pod).
 */
public record StatusChange(RunStatus from, RunStatus to, long timeMs, String reason, String message) {
    public StatusChange {
        reason = reason == null ? "" : reason;
        message = message == null ? "" : message;
    }

    /** Without a message. */
    public StatusChange(RunStatus from, RunStatus to, long timeMs, String reason) {
        this(from, to, timeMs, reason, "");
    }
}
