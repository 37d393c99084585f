package dev.labbook.server.store.postgres;

import dev.labbook.server.store.ExperimentRepository;
import dev.labbook.server.store.ArtifactRepository;
import dev.labbook.server.store.LogRepository;
import dev.labbook.server.store.MetricRepository;
import dev.labbook.server.store.ModelRepository;
import dev.labbook.server.store.RunRepository;
import dev.labbook.server.store.SubmissionRepository;
import dev.labbook.server.store.TableRepository;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.store.WriterRepository;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;

/** {@link TrackingStore} on PostgreSQL through jOOQ; each unit of work is one JDBC transaction. */
public final class PostgresTrackingStore implements TrackingStore {
    private final DSLContext dsl;
    private final Runnable probe;

    /** @param probe the database check of {@link #check()} (see {@code DatabaseProbe}) */
    public PostgresTrackingStore(DSLContext dsl, Runnable probe) {
        this.dsl = dsl;
        this.probe = probe;
    }

    @Override
    public void check() {
        probe.run();
    }

    @Override
    public <T> T inTransaction(Function<TrackingTransaction, T> work) {
        try {
            return dsl.transactionResult(configuration -> work.apply(new Transaction(configuration.dsl())));
        } catch (DataAccessException e) {
            throw SqlSupport.translate(e);
        }
    }

    @Override
    public <T> T inSnapshot(Function<TrackingTransaction, T> work) {
        try {
            return dsl.transactionResult(configuration -> {
                configuration.dsl().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                return work.apply(new Transaction(configuration.dsl()));
            });
        } catch (DataAccessException e) {
            throw SqlSupport.translate(e);
        }
    }

    private static final class Transaction implements TrackingTransaction {
        private final ExperimentRepository experiments;
        private final RunRepository runs;
        private final MetricRepository metrics;
        private final TableRepository tables;
        private final LogRepository logs;
        private final ArtifactRepository artifacts;
        private final WriterRepository writers;
        private final SubmissionRepository submissions;
        private final ModelRepository models;

        Transaction(DSLContext tx) {
            this.experiments = new PostgresExperimentRepository(tx);
            this.runs = new PostgresRunRepository(tx);
            this.metrics = new PostgresMetricRepository(tx);
            this.tables = new PostgresTableRepository(tx);
            this.logs = new PostgresLogRepository(tx);
            this.artifacts = new PostgresArtifactRepository(tx);
            this.writers = new PostgresWriterRepository(tx);
            this.submissions = new PostgresSubmissionRepository(tx);
            this.models = new PostgresModelRepository(tx);
        }

        @Override
        public ExperimentRepository experiments() {
            return experiments;
        }

        @Override
        public RunRepository runs() {
            return runs;
        }

        @Override
        public MetricRepository metrics() {
            return metrics;
        }

        @Override
        public TableRepository tables() {
            return tables;
        }

        @Override
        public LogRepository logs() {
            return logs;
        }

        @Override
        public ArtifactRepository artifacts() {
            return artifacts;
        }

        @Override
        public WriterRepository writers() {
            return writers;
        }

        @Override
        public SubmissionRepository submissions() {
            return submissions;
        }

        @Override
        public ModelRepository models() {
            return models;
        }
    }
}
