package dev.labbook.server.store;

import java.util.function.UnaryOperator;

/**
 * Background passes that one server at a time may run on a database. Replicas sharing the
 * database each schedule them; a pass first takes its task's lock, and a replica that finds it
 * held skips that pass (the holder is doing the work). The lock is released when the pass ends,
 * or when the holder's process or connection dies.
 */
public interface ExclusiveTasks {
    /** The tasks; each has a lock of its own, so compaction and artifact GC never wait for each other. */
    enum Task {
        METRIC_COMPACTION,
        ARTIFACT_GC
    }

    /**
     * Runs {@code pass} holding {@code task}'s lock and returns true; returns false without
     * running it while another holder, in this process or another, has the lock. The pass is
     * given where the task's last pass, on any server, said the next one should start (null at
     * first) and returns where the one after it should; that is stored with the lock held.
     */
    boolean runExclusively(Task task, UnaryOperator<String> pass);

    /** As {@link #runExclusively(Task, UnaryOperator)} for a pass that keeps no position. */
    default boolean runExclusively(Task task, Runnable pass) {
        return runExclusively(task, position -> {
            pass.run();
            return position;
        });
    }
}
