package dev.labbook.server.store;

import java.util.UUID;

/**
 * Wake-ups for committed changes to runs, made by any server on the database (this one
 * included): new log lines, or a changed run (status, metadata, lease, deletion). A wake-up says
 * only "look again"; it carries no data, may come twice, and may be lost (while the feed
 * reconnects), so listeners keep a slower poll as a fallback.
 */
public interface RunChangeFeed extends AutoCloseable {
    /** What changed. */
    enum Change {
        /** Log lines were appended. */
        LOGS,
        /** The run's row changed: status, description, tags, params, lease, lifecycle. */
        RUN
    }

    /** Told of changes on the feed's own thread: must return quickly and never block. */
    interface Listener {
        void changed(UUID runId, Change change);
    }

    /** Adds a listener for as long as the feed is open. */
    void listen(Listener listener);

    @Override
    void close();

    /** A feed that never wakes anybody: listeners rely on their polls (tests, one-process setups). */
    RunChangeFeed NONE = new RunChangeFeed() {
        @Override
        public void listen(Listener listener) {
        }

        @Override
        public void close() {
        }
    };
}
