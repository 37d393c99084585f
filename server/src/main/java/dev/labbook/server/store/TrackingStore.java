package dev.labbook.server.store;

import java.util.function.Function;

/**
 * Metadata storage of experiments and runs. Domain services put their check-then-write logic
 * inside {@link #inTransaction}, so that it runs atomically against the repositories of one
 * database transaction; a {@link RuntimeException} thrown by {@code work} rolls it back.
 */
public interface TrackingStore {
    <T> T inTransaction(Function<TrackingTransaction, T> work);

    /**
     * Runs read-only work in one consistent snapshot (REPEATABLE READ): every query sees the
     * same committed state, even across several statements.
     */
    <T> T inSnapshot(Function<TrackingTransaction, T> work);

    /**
     * Checks that the database answers, cheaply (readiness, every few seconds): one round trip on
     * a connection outside the pool, so a pool busy with calls is no outage. Throws a
     * {@link RuntimeException} saying why when it does not.
     */
    void check();

    /** Repositories bound to one open transaction. */
    interface TrackingTransaction {
        ExperimentRepository experiments();

        RunRepository runs();

        MetricRepository metrics();

        TableRepository tables();

        LogRepository logs();

        /** Writer sequences of appends of every kind. */
        WriterRepository writers();

        ArtifactRepository artifacts();

        /** Submissions of runs to compute targets. */
        SubmissionRepository submissions();

        /** Models that runs logged. */
        ModelRepository models();
    }
}
