package dev.labbook.server;

import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.domain.ExperimentService;
import dev.labbook.server.domain.IdGenerator;
import dev.labbook.server.domain.RunService;
import dev.labbook.server.grpc.ApiServer;
import dev.labbook.server.domain.metric.MetricCompactor;
import dev.labbook.server.domain.metric.MetricService;
import dev.labbook.server.domain.metric.TableService;
import dev.labbook.server.grpc.ExperimentGrpcService;
import dev.labbook.server.grpc.MetricGrpcService;
import dev.labbook.server.grpc.RunGrpcService;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.store.postgres.EmbeddedPostgresDatabase;
import dev.labbook.server.store.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root: starts the database (embedded or external), migrates it, builds the domain
 * services and serves them over gRPC. Whatever it opens, it closes, in reverse order.
 */
public final class LabbookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabbookServer.class);

    private final Deque<AutoCloseable> resources;
    private final ApiServer api;
    private final DatabaseEndpoint database;

    private LabbookServer(Deque<AutoCloseable> resources, ApiServer api, DatabaseEndpoint database) {
        this.resources = resources;
        this.api = api;
        this.database = database;
    }

    public static LabbookServer start(ServerConfig config) {
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            DatabaseEndpoint endpoint;
            if (config.embeddedDatabase()) {
                EmbeddedPostgresDatabase embedded =
                        EmbeddedPostgresDatabase.start(config.dataDir(), config.embeddedDbPort());
                resources.push(embedded);
                endpoint = embedded.endpoint();
            } else {
                endpoint = new DatabaseEndpoint(config.dbUrl().get(), config.dbUser(), config.dbPassword());
            }
            PostgresDatabase database = PostgresDatabase.open(endpoint, config.dbPoolSize());
            resources.push(database);
            int applied = database.migrate();
            LOG.info("database schema up to date ({} migrations applied now)", applied);

            TrackingStore store = database.trackingStore();
            Clock clock = Clock.systemUTC();
            IdGenerator ids = new IdGenerator(clock);
            ExperimentService experiments = new ExperimentService(store, ids, clock);
            RunService runs = new RunService(store, experiments, ids, clock);
            MetricService metrics = new MetricService(store, clock);
            TableService tables = new TableService(store);

            if (config.compactionIntervalSeconds() > 0) {
                ScheduledExecutorService compaction = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "labbook-metric-compaction");
                    thread.setDaemon(true);
                    return thread;
                });
                resources.push(compaction::shutdownNow);
                MetricCompactor compactor = new MetricCompactor(store);
                compaction.scheduleWithFixedDelay(compactor::compactQuietly, config.compactionIntervalSeconds(),
                        config.compactionIntervalSeconds(), TimeUnit.SECONDS);
            }

            ApiServer api = ApiServer.start(config.host(), config.port(), config.maxMessageBytes(),
                    new ExperimentGrpcService(experiments), new RunGrpcService(runs),
                    new MetricGrpcService(metrics, tables));
            resources.push(api);
            LOG.info("Labbook listening on {}:{} ({})", config.host(), api.port(),
                    config.embeddedDatabase() ? "embedded PostgreSQL in " + config.dataDir() : endpoint.jdbcUrl());
            return new LabbookServer(resources, api, endpoint);
        } catch (IOException e) {
            closeAll(resources);
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port(), e);
        } catch (RuntimeException e) {
            closeAll(resources);
            throw e;
        }
    }

    public int port() {
        return api.port();
    }

    public DatabaseEndpoint database() {
        return database;
    }

    public void awaitTermination() throws InterruptedException {
        api.awaitTermination();
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            AutoCloseable resource = resources.pop();
            try {
                resource.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("closing {} failed", resource, e);
            }
        }
    }
}
