package dev.labbook.sdk;

import java.util.UUID;

/**
 * One writer of retry-safe appends to a run: a random writer id and the sequences (1, 2, 3...)
 * handed to its calls. The server keeps one last sequence per run and writer id and skips a call
 * whose sequence is not newer, so a call resent with its sequence is stored once. Use one writer
 * per kind of append and sending thread (the SDK's runs use one for log lines and one for table
 * rows, beside the metric sender's): its calls must reach the server one at a time, in sequence
 * order, since a committed higher sequence makes the server skip a lower one sent after it.
 */
public final class AppendWriter {
    private final String id;
    private long lastSequence;

    /** A writer with a new random id, e.g. {@code java-logs-<uuid>} for kind {@code logs}. */
    public AppendWriter(String kind) {
        this.id = "java-" + kind + "-" + UUID.randomUUID();
        if (id.length() > 64) {
            throw new IllegalArgumentException("writer kind too long: " + kind);
        }
    }

    /** The writer id: 1-64 characters, the same for all its calls. */
    public String id() {
        return id;
    }

    /** The next sequence (1, 2, 3...), for a call that is then sent with this writer's id. */
    public synchronized long nextSequence() {
        return ++lastSequence;
    }
}
