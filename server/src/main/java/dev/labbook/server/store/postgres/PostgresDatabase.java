package dev.labbook.server.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.labbook.server.store.ExclusiveTasks;
import org.flywaydb.core.Flyway;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/** Connection pool, schema migrations and the jOOQ context for one PostgreSQL database. */
public final class PostgresDatabase implements AutoCloseable {
    /** Where the SQL migrations are packaged (copied from the repository's migrations/). */
    public static final String MIGRATIONS_LOCATION = "classpath:db/migration";

    /** How long a unit of work waits for a connection unless told otherwise. */
    public static final java.time.Duration DEFAULT_CONNECTION_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final DatabaseEndpoint endpoint;
    private final HikariDataSource pool;
    private final DSLContext dsl;
    private final DatabaseProbe probe;

    private PostgresDatabase(DatabaseEndpoint endpoint, HikariDataSource pool, DatabaseProbe probe) {
        this.endpoint = endpoint;
        this.pool = pool;
        this.probe = probe;
        // Unqualified names: the schema comes from the connection's search_path.
        this.dsl = DSL.using(pool, SQLDialect.POSTGRES, new Settings().withRenderSchema(false));
    }

    /** Opens a pool, failing fast with a clear message when the database cannot be reached. */
    public static PostgresDatabase open(DatabaseEndpoint endpoint, int poolSize) {
        return open(endpoint, poolSize, PoolObserver.NONE);
    }

    /** As {@link #open(DatabaseEndpoint, int)}, reporting connection checkouts to {@code observer}. */
    public static PostgresDatabase open(DatabaseEndpoint endpoint, int poolSize, PoolObserver observer) {
        return open(endpoint, poolSize, DEFAULT_CONNECTION_TIMEOUT, observer);
    }

    /**
     * @param connectionTimeout how long a unit of work waits for a free connection when all
     *     {@code poolSize} are in use; then it fails with SERVER_BUSY (see {@code SqlSupport})
     */
    public static PostgresDatabase open(DatabaseEndpoint endpoint, int poolSize, java.time.Duration connectionTimeout,
            PoolObserver observer) {
        HikariConfig config = new HikariConfig();
        if (observer != PoolObserver.NONE) {
            config.setMetricsTrackerFactory((poolName, stats) -> new com.zaxxer.hikari.metrics.IMetricsTracker() {
                @Override
                public void recordConnectionAcquiredNanos(long nanos) {
                    observer.connectionAcquired(nanos);
                }

                @Override
                public void recordConnectionTimeout() {
                    observer.connectionTimedOut();
                }
            });
        }
        config.setPoolName("labbook-db");
        config.setJdbcUrl(endpoint.jdbcUrl());
        if (!endpoint.user().isEmpty()) {
            config.setUsername(endpoint.user());
        }
        if (!endpoint.password().isEmpty()) {
            config.setPassword(endpoint.password());
        }
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(connectionTimeout.toMillis());
        try {
            HikariDataSource pool = new HikariDataSource(config);
            return new PostgresDatabase(endpoint, pool, new DatabaseProbe(endpoint));
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot connect to PostgreSQL at " + endpoint.jdbcUrl() + ": "
                    + cause.getMessage(), e);
        }
    }

    /** Applies pending migrations; returns how many were applied. */
    public int migrate() {
        return Flyway.configure()
                .dataSource(pool)
                .locations(MIGRATIONS_LOCATION)
                .validateMigrationNaming(true)
                .load()
                .migrate()
                .migrationsExecuted;
    }

    public PostgresTrackingStore trackingStore() {
        return new PostgresTrackingStore(dsl, probe::check);
    }

    /** Locks that keep background passes to one server on this database (advisory locks). */
    public ExclusiveTasks exclusiveTasks() {
        return new PostgresExclusiveTasks(endpoint);
    }

    /** API tokens and the audit log. */
    public PostgresAccessStore accessStore() {
        return new PostgresAccessStore(dsl);
    }

    /** Read-only search and comparison queries over runs (SearchRuns, CompareRuns). */
    public PostgresRunSearchStore runSearchStore() {
        return new PostgresRunSearchStore(dsl);
    }

    /** Secrets shared by all replicas, such as the key that signs search page tokens. */
    public PostgresServerSecretStore serverSecrets() {
        return new PostgresServerSecretStore(dsl);
    }

    /** What the pool holds now (zeros before its first connection or after close). */
    public PoolUsage poolUsage() {
        com.zaxxer.hikari.HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        if (bean == null) {
            return new PoolUsage(0, 0, 0, pool.getMaximumPoolSize());
        }
        return new PoolUsage(bean.getActiveConnections(), bean.getIdleConnections(),
                bean.getThreadsAwaitingConnection(), pool.getMaximumPoolSize());
    }

    @Override
    public void close() {
        probe.close();
        pool.close();
    }
}
