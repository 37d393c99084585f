package dev.labbook.sdk.internal;

import dev.labbook.sdk.Direction;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.Run;
import dev.labbook.sdk.RunStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Where a {@link Run}'s records go: a server (queued, sent in the background) or an offline directory. */
public interface RunSink extends MetricRecorder.BlockSink {
    public void params(Map<String, ?> params);

    public void tags(Map<String, String> tags);

    public void description(String description);

    public void rows(String table, List<? extends Map<String, ?>> rows);

    public void log(LogLine line);

    public void file(Path file, String path, Direction direction, Long step);

    public void reference(String name, String uri, Direction direction);

    public void status(RunStatus status);

    /** Called by the run's flush timer (about every flush interval): an online run renews its lease when due. */
    public default void heartbeat(long nowMs) {
    }

    /** Waits until everything recorded so far is delivered (or written); false on timeout. */
    public boolean flush(long timeoutMillis);

    /** Flushes for up to the timeout, then stops; never throws. */
    public void close(long timeoutMillis);
}
