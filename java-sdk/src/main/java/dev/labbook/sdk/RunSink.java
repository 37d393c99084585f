package dev.labbook.sdk;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Where a {@link Run}'s records go: a server (queued, sent in the background) or an offline directory. */
interface RunSink extends MetricRecorder.BlockSink {
    void params(Map<String, ?> params);

    void tags(Map<String, String> tags);

    void description(String description);

    void rows(String table, List<? extends Map<String, ?>> rows);

    void log(LogLine line);

    void file(Path file, String path, Direction direction, Long step);

    void reference(String name, String uri, Direction direction);

    void status(RunStatus status);

    /** Called by the run's flush timer (about every flush interval): an online run renews its lease when due. */
    default void heartbeat(long nowMs) {
    }

    /** Waits until everything recorded so far is delivered (or written); false on timeout. */
    boolean flush(long timeoutMillis);

    /** Flushes for up to the timeout, then stops; never throws. */
    void close(long timeoutMillis);
}
