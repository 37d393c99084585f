package dev.labbook.server;

import dev.labbook.server.artifacts.ArtifactStore;
import dev.labbook.server.artifacts.LocalArtifactStore;
import dev.labbook.server.artifacts.S3ArtifactStore;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.BindPolicy;
import dev.labbook.server.config.HttpConfig;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.domain.UsageRecorder;
import dev.labbook.server.domain.access.AuditService;
import dev.labbook.server.domain.access.AuditWriter;
import dev.labbook.server.domain.access.NewToken;
import dev.labbook.server.domain.access.TokenAuthenticator;
import dev.labbook.server.domain.access.TokenService;
import dev.labbook.server.grpc.AccessGrpcService;
import dev.labbook.server.store.AccessStore;
import dev.labbook.server.domain.ServerInfo;
import dev.labbook.server.grpc.ApiEndpoint;
import dev.labbook.server.grpc.AccessInterceptor;
import dev.labbook.server.grpc.ApiServices;
import dev.labbook.server.domain.access.CurrentCaller;
import dev.labbook.server.grpc.CallerContext;
import dev.labbook.server.domain.access.Authenticator;
import dev.labbook.server.domain.access.AuthenticatorChain;
import dev.labbook.server.domain.access.JwtAuthenticator;
import dev.labbook.server.domain.access.ProjectLookup;
import dev.labbook.server.grpc.ServerGrpcService;
import dev.labbook.server.http.HttpEndpoint;
import dev.labbook.server.http.HostCheck;
import dev.labbook.server.http.HttpPort;
import dev.labbook.server.http.PublicUrl;
import dev.labbook.server.http.SessionRoutes;
import dev.labbook.server.http.WebApp;
import dev.labbook.server.mlflow.LabbookGateway;
import dev.labbook.server.mlflow.MlflowApis;
import dev.labbook.server.grpc.RpcObserver;
import dev.labbook.server.ops.MetricsEndpoint;
import dev.labbook.server.ops.ReadinessMonitor;
import dev.labbook.server.ops.PrometheusMetrics;
import dev.labbook.server.domain.PurgeListener;
import dev.labbook.server.domain.RunWatchService;
import dev.labbook.server.domain.artifact.ArtifactGarbageCollector;
import dev.labbook.server.domain.artifact.ArtifactService;
import dev.labbook.server.domain.log.LogService;
import dev.labbook.server.grpc.ArtifactGrpcService;
import dev.labbook.server.grpc.LogGrpcService;
import dev.labbook.server.domain.ExperimentService;
import dev.labbook.server.domain.IdGenerator;
import dev.labbook.server.domain.ProjectService;
import dev.labbook.server.domain.RunLeases;
import dev.labbook.server.domain.RunService;
import dev.labbook.server.domain.search.RunSearchService;
import dev.labbook.server.domain.search.SearchTokens;
import dev.labbook.server.grpc.ApiExecutor;
import dev.labbook.server.grpc.ApiServer;
import dev.labbook.server.domain.metric.MetricCompactor;
import dev.labbook.server.domain.metric.MetricService;
import dev.labbook.server.domain.metric.TableService;
import dev.labbook.server.grpc.ExperimentGrpcService;
import dev.labbook.server.grpc.MetricGrpcService;
import dev.labbook.server.grpc.ProjectGrpcService;
import dev.labbook.server.grpc.RunGrpcService;
import dev.labbook.server.grpc.SubmitGrpcService;
import dev.labbook.server.grpc.ModelGrpcService;
import dev.labbook.server.domain.model.ModelService;
import dev.labbook.server.domain.submit.ComputeTarget;
import dev.labbook.server.domain.submit.JobDeletion;
import dev.labbook.server.domain.submit.SubmitService;
import dev.labbook.server.store.ExclusiveTasks;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.store.postgres.EmbeddedPostgresDatabase;
import dev.labbook.server.store.postgres.PoolObserver;
import dev.labbook.server.store.postgres.PostgresChangeFeed;
import dev.labbook.server.store.postgres.PostgresDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root: starts the database (embedded or external), migrates it, builds the domain
 * services and serves them over gRPC and on the HTTP port (web UI, gRPC-Web, JSON). Whatever it opens, it closes, in reverse order.
 */
public final class LabbookServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LabbookServer.class);

    private final Deque<AutoCloseable> resources;
    private final ApiServer api;
    private final Optional<HttpPort> httpPort;
    private final Optional<String> uiUrl;
    private final DatabaseEndpoint database;
    private final Optional<MetricsEndpoint> metricsEndpoint;
    private final Access access;

    /** The access control parts others build on: the token authenticator, token service and audit log. */
    private record Access(TokenAuthenticator authenticator, TokenService tokens, AuditWriter audit) {
    }

    private LabbookServer(Deque<AutoCloseable> resources, ApiServer api, Optional<HttpPort> httpPort,
            Optional<String> uiUrl, DatabaseEndpoint database, Optional<MetricsEndpoint> metricsEndpoint,
            Access access) {
        this.resources = resources;
        this.api = api;
        this.httpPort = httpPort;
        this.uiUrl = uiUrl;
        this.database = database;
        this.metricsEndpoint = metricsEndpoint;
        this.access = access;
    }

    /**
     * Starts in three steps, each pushing what it opens onto {@code resources} (closed in reverse
     * order, also when a later step fails): the database, the domain services with their
     * background work, and the API ports.
     */
    public static LabbookServer start(ServerConfig config) {
        return start(config, ComputeConnector.KUBERNETES);
    }

    /**
     * Starts with {@code compute} connecting the compute targets' Jobs (when there are targets):
     * {@link ComputeConnector#KUBERNETES} in production.
     */
    public static LabbookServer start(ServerConfig config, ComputeConnector compute) {
        // Before anything is opened: no database, no port when the address is refused.
        BindPolicy.check(config.host(), config.auth());
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            OperationsConfig ops = config.operations();
            Optional<PrometheusMetrics> prometheus = ops.metricsPort() > 0
                    ? Optional.of(new PrometheusMetrics()) : Optional.empty();
            Database database = openDatabase(config, prometheus, resources);
            Optional<MetricsEndpoint> metricsEndpoint = prometheus
                    .map(m -> MetricsEndpoint.start(config.host(), ops.metricsPort(), m.registry()));
            metricsEndpoint.ifPresent(resources::push);

            Clock clock = Clock.systemUTC();
            Services services = startServices(config, database, prometheus, clock, compute, resources);
            Serving serving = serveApi(config, services, prometheus, clock, resources);
            if (!ops.readinessInterval().isZero()) {
                // Closed first at shutdown, before the stores it checks.
                resources.push(watchReadiness(ops, services, serving.api(), prometheus));
            }
            logListening(config, database.endpoint(), serving, metricsEndpoint);
            return new LabbookServer(resources, serving.api(), serving.httpPort(), serving.uiUrl(),
                    database.endpoint(), metricsEndpoint, services.access());
        } catch (IOException e) {
            closeAll(resources);
            throw new UncheckedIOException("cannot listen on " + config.host() + ":" + config.port(), e);
        } catch (RuntimeException | Error e) {
            closeAll(resources);
            throw e;
        }
    }

    /** The database step's result: where PostgreSQL is, and the pool on it. */
    private record Database(DatabaseEndpoint endpoint, PostgresDatabase postgres) {
    }

    /** The domain services the API serves, and the stores they share. */
    private record Services(TrackingStore store, AccessStore accessStore, Access access, ArtifactStore objects,
            ExperimentService experiments, RunService runs, ArtifactService artifacts, MetricService metrics,
            TableService tables, RunSearchService search, LogService logs, RunWatchService watches,
            SubmitService submissions, ModelService models) {
    }

    /** The API step's result: the gRPC port, the HTTP port when it is on, and the web UI's URL. */
    private record Serving(ApiServer api, Optional<HttpPort> httpPort, Optional<String> uiUrl) {
    }

    /** Starts the embedded PostgreSQL (or points at the external one), opens the pool and migrates. */
    private static Database openDatabase(ServerConfig config, Optional<PrometheusMetrics> prometheus,
            Deque<AutoCloseable> resources) {
        DatabaseEndpoint endpoint;
        if (config.embeddedDatabase()) {
            EmbeddedPostgresDatabase embedded =
                    EmbeddedPostgresDatabase.start(config.dataDir(), config.embeddedDbPort());
            resources.push(embedded);
            endpoint = embedded.endpoint();
        } else {
            endpoint = new DatabaseEndpoint(config.dbUrl().get(), config.dbUser(), config.dbPassword());
        }
        PostgresDatabase database = PostgresDatabase.open(endpoint, config.dbPoolSize(),
                config.operations().limits().dbPoolTimeout(),
                prometheus.<PoolObserver>map(m -> m).orElse(PoolObserver.NONE));
        resources.push(database);
        prometheus.ifPresent(m -> m.watchPool(database::poolUsage));
        int applied = database.migrate();
        LOG.info("database schema up to date ({} migrations applied now)", applied);
        return new Database(endpoint, database);
    }

    /** Builds the domain services on the database and the artifact store, and schedules their background work. */
    private static Services startServices(ServerConfig config, Database opened,
            Optional<PrometheusMetrics> prometheus, Clock clock, ComputeConnector compute,
            Deque<AutoCloseable> resources) {
        PostgresDatabase database = opened.postgres();
        TrackingStore store = database.trackingStore();
        IdGenerator ids = new IdGenerator(clock);
        UsageRecorder usage = prometheus.<UsageRecorder>map(m -> m).orElse(UsageRecorder.NONE);
        AccessStore accessStore = database.accessStore();
        Access access = startAccess(config, accessStore, ids, clock, prometheus, resources);
        ArtifactStore objects = openArtifactStore(config.artifacts());
        resources.push(objects);
        // Replicas on one database take turns: one compaction and one GC pass at a time (advisory locks).
        ExclusiveTasks exclusive = database.exclusiveTasks();
        ArtifactGarbageCollector artifactGc = new ArtifactGarbageCollector(store, objects, exclusive, clock);
        ScheduledExecutorService housekeeping = backgroundThread("labbook-housekeeping", resources);
        if (config.artifacts().gcIntervalSeconds() > 0) {
            housekeeping.scheduleWithFixedDelay(artifactGc::collectQuietly, config.artifacts().gcIntervalSeconds(),
                    config.artifacts().gcIntervalSeconds(), TimeUnit.SECONDS);
        }
        int retentionDays = config.auth().auditRetentionDays();
        if (retentionDays > 0) {
            AuditService auditLog = new AuditService(accessStore);
            housekeeping.scheduleWithFixedDelay(() -> expireAuditEvents(auditLog, clock, retentionDays),
                    1, TimeUnit.DAYS.toMinutes(1), TimeUnit.MINUTES);
        }
        // Objects of purged runs are deleted right after the purge, off the request thread.
        // (Their run prefixes only: the collector's walk over the whole store may be far from them.)
        PurgeListener purgeListener = runIds -> housekeeping.execute(() -> artifactGc.deletePurgedQuietly(runIds));
        // Runs and experiments record who created them (empty with access control off).
        CurrentCaller caller = () -> config.auth().enabled() ? CallerContext.principal().name() : "";
        ExperimentService experiments = new ExperimentService(store, ids, clock, purgeListener, caller);
        // Submitted runs: CancelRun deletes their Jobs; the Jobs' watch ends runs whose pods fail.
        List<ComputeTarget> targets = config.computeTargets();
        ConnectedJobLauncher launcher = new ConnectedJobLauncher();
        RunService runs = new RunService(store, experiments, ids, clock, purgeListener, caller, config.runLease(),
                new JobDeletion(store, targets, launcher));
        SubmitService submissions = new SubmitService(store, runs, targets, launcher, clock);
        if (!targets.isEmpty()) {
            ComputeConnector.Connection connection = compute.connect(targets, submissions);
            resources.push(connection.resource());
            launcher.connect(connection.launcher());
            LOG.info("compute targets: {}", targets.stream().map(t -> t.name() + " (namespace " + t.namespace() + ")")
                    .collect(java.util.stream.Collectors.joining(", ")));
        }
        // RUNNING runs whose writers stopped renewing their lease become CRASHED; safe on every replica.
        RunLeases leases = new RunLeases(store, clock);
        long leasePassMs = RunLeases.passInterval(config.runLease()).toMillis();
        housekeeping.scheduleWithFixedDelay(leases::expireQuietly, leasePassMs, leasePassMs, TimeUnit.MILLISECONDS);
        ArtifactService artifacts = new ArtifactService(store, objects, clock,
                config.artifacts().maxArtifactBytes(), usage);
        resources.push(artifacts);
        MetricService metrics = new MetricService(store, clock, usage);
        TableService tables = new TableService(store);
        // Every replica signs search page tokens with the same key, kept in the database.
        RunSearchService search = new RunSearchService(store, database.runSearchStore(), new SearchTokens(
                database.serverSecrets().getOrCreate("search_page_token", SearchTokens.newKey())));
        if (config.compactionIntervalSeconds() > 0) {
            ScheduledExecutorService compaction = backgroundThread("labbook-metric-compaction", resources);
            MetricCompactor compactor = new MetricCompactor(store, exclusive);
            compaction.scheduleWithFixedDelay(compactor::compactQuietly, config.compactionIntervalSeconds(),
                    config.compactionIntervalSeconds(), TimeUnit.SECONDS);
        }
        // One LISTEN connection per process wakes log follows and watches for changes through any replica.
        PostgresChangeFeed changes = PostgresChangeFeed.start(opened.endpoint());
        resources.push(changes);
        LogService logs = new LogService(store, clock, config.livePollInterval(), LogService.DEFAULT_THREADS,
                changes);
        RunWatchService watches = new RunWatchService(runs, config.livePollInterval(), changes);
        ModelService models = new ModelService(store, ids, clock);
        return new Services(store, accessStore, access, objects, experiments, runs, artifacts, metrics, tables,
                search, logs, watches, submissions, models);
    }

    /** API tokens and the audit log; both background writers close before the database. */
    private static Access startAccess(ServerConfig config, AccessStore accessStore, IdGenerator ids, Clock clock,
            Optional<PrometheusMetrics> prometheus, Deque<AutoCloseable> resources) {
        TokenAuthenticator tokenAuthenticator = new TokenAuthenticator(accessStore, clock);
        resources.push(tokenAuthenticator);
        AuditWriter auditWriter = new AuditWriter(accessStore);
        resources.push(auditWriter);
        prometheus.ifPresent(m -> m.watchAudit(auditWriter::written, auditWriter::dropped, auditWriter::failed));
        TokenService tokens = new TokenService(accessStore, ids, clock, tokenAuthenticator::forget);
        if (config.auth().enabled()) {
            tokens.bootstrap(config.auth().bootstrapToken()).ifPresent(LabbookServer::announceBootstrapToken);
        }
        return new Access(tokenAuthenticator, tokens, auditWriter);
    }

    /** A single daemon thread for scheduled background passes, stopped (and awaited) at close. */
    private static ScheduledExecutorService backgroundThread(String name, Deque<AutoCloseable> resources) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        });
        resources.push(() -> stop(executor));
        return executor;
    }

    /**
     * Serves the services over gRPC and, when it is on, the HTTP port, behind the access check;
     * pushes the graceful stop of both.
     */
    private static Serving serveApi(ServerConfig config, Services services, Optional<PrometheusMetrics> prometheus,
            Clock clock, Deque<AutoCloseable> resources) throws IOException {
        OperationsConfig ops = config.operations();
        HttpConfig http = config.http();
        RpcObserver rpcs = prometheus.<RpcObserver>map(m -> m).orElse(RpcObserver.NONE);
        // The public URL is known before the HTTP port listens unless that port is picked at
        // start (port 0, tests); GetServerInfo reads it per call.
        boolean authEnabled = config.auth().enabled();
        AtomicReference<ServerInfo> serverInfo = new AtomicReference<>(new ServerInfo(ServerVersion.get(),
                http.publicUrl().orElse(http.enabled() && http.port() != 0
                        ? PublicUrl.derive(httpScheme(ops), config.host(), http.port()) : ""), authEnabled));
        Access access = services.access();
        AuthenticatorChain authenticators = authenticators(config, access.authenticator(), clock);
        AccessInterceptor accessCheck = new AccessInterceptor(authEnabled,
                authenticators, new ProjectLookup(services.store(), access.tokens()::projectOf),
                access.audit(), rpcs, clock);
        resources.push(accessCheck);
        ApiServices apiServices = ApiServices.of(rpcs, List.of(accessCheck), List.of(
                new ProjectGrpcService(new ProjectService(services.store())),
                new ExperimentGrpcService(services.experiments()),
                new RunGrpcService(services.runs(), services.search(), services.watches()),
                new MetricGrpcService(services.metrics(), services.tables()),
                new LogGrpcService(services.logs()),
                new ArtifactGrpcService(services.artifacts()),
                new SubmitGrpcService(services.submissions()),
                new ModelGrpcService(services.models()),
                new ServerGrpcService(serverInfo::get),
                new AccessGrpcService(access.tokens(), new AuditService(services.accessStore()), authEnabled)));
        ApiServer api;
        Optional<HttpPort> httpPort = Optional.empty();
        try {
            if (http.enabled()) {
                // MLflow's tracking API calls the same services in process, as its caller.
                LabbookGateway gateway = LabbookGateway.start(apiServices, config.maxMessageBytes(),
                        http.limits().requestTimeout());
                resources.push(gateway);
                httpPort = Optional.of(HttpPort.start(new HttpEndpoint(config.host(), http.port(), ops.tls()),
                        config.maxMessageBytes(), ops.shutdownGrace(), apiServices, WebApp.fromClassPath(),
                        // The web UI's sign-in checks a token as the access interceptor does.
                        new SessionRoutes(credential -> Optional.of(authenticators.authenticate(Optional.of(credential))),
                                http.publicUrl(), clock),
                        HostCheck.of(authEnabled, config.host(), http.publicUrl()), http.limits(),
                        Optional.of(MlflowApis.of(gateway))));
            }
            ApiExecutor apiThreads = ApiExecutor.fixed(ops.limits().apiThreads());
            prometheus.ifPresent(m -> m.watchApiExecutor(apiThreads::threads, apiThreads::queued));
            api = ApiServer.start(new ApiEndpoint(config.host(), config.port(), ops.tls(), ops.healthPort()),
                    config.maxMessageBytes(), apiServices, ops.limits(), apiThreads);
        } catch (IOException | RuntimeException e) {
            httpPort.ifPresent(HttpPort::stopAccepting);
            services.logs().close();
            services.watches().close();
            throw e;
        }
        Optional<String> uiUrl = Optional.empty();
        if (httpPort.isPresent()) {
            HttpPort port = httpPort.get();
            if (http.publicUrl().isEmpty()) {
                serverInfo.set(new ServerInfo(ServerVersion.get(),
                        PublicUrl.derive(port.scheme(), config.host(), port.port()), authEnabled));
            }
            uiUrl = Optional.of(serverInfo.get().publicUrl());
        }
        ApiServer serving = api;
        Optional<HttpPort> servingHttp = httpPort;
        resources.push(() -> stopServing(serving, servingHttp, ops, services.logs(), services.watches()));
        return new Serving(api, httpPort, uiUrl);
    }

    /** Health turns NOT_SERVING while PostgreSQL or the artifact store is unreachable, and back. */
    private static ReadinessMonitor watchReadiness(OperationsConfig ops, Services services, ApiServer api,
            Optional<PrometheusMetrics> prometheus) {
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean(true);
        prometheus.ifPresent(registry -> registry.watchReadiness(ready::get));
        return ReadinessMonitor.start(List.of(
                new ReadinessMonitor.Dependency("PostgreSQL", services.store()::check),
                new ReadinessMonitor.Dependency("artifact store", services.objects()::check)),
                ops.readinessInterval(), ops.readinessTimeout(), now -> {
                    ready.set(now);
                    api.reportReady(now);
                });
    }

    private static void logListening(ServerConfig config, DatabaseEndpoint endpoint, Serving serving,
            Optional<MetricsEndpoint> metricsEndpoint) {
        OperationsConfig ops = config.operations();
        LOG.info("Labbook listening on {}:{}{} ({}){}{}{}", config.host(), serving.api().port(),
                ops.tls().isPresent() ? " with TLS" : "",
                config.embeddedDatabase() ? "embedded PostgreSQL in " + config.dataDir() : endpoint.jdbcUrl(),
                serving.httpPort().map(p -> ", HTTP (web UI, gRPC-Web, JSON) on " + p.port()
                        + (WebApp.fromClassPath().present() ? "" : " without the web UI (not in this build)"))
                        .orElse(""),
                serving.api().healthPort().map(p -> ", plaintext health on " + p).orElse(""),
                metricsEndpoint.map(m -> ", metrics on http://" + config.host() + ":" + m.port() + "/metrics")
                        .orElse(""));
    }

    /**
     * Graceful shutdown of the API (docs/operations.md): health NOT_SERVING, a drain pause while
     * load balancers and endpoints drop this server, then no new calls, client streams ended with
     * UNAVAILABLE after their current message, follows ({@code followers}) ended, and the calls
     * still in flight given the grace period before they are cancelled.
     */
    private static void stopServing(ApiServer api, Optional<HttpPort> http, OperationsConfig ops,
            AutoCloseable... followers) throws Exception {
        api.reportNotServing();
        if (!ops.shutdownDrain().isZero()) {
            LOG.info("shutting down: health reports NOT_SERVING; draining for {} s", ops.shutdownDrain().toSeconds());
            try {
                Thread.sleep(ops.shutdownDrain().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int streams = api.stopAccepting();
        http.ifPresent(HttpPort::stopAccepting);
        for (AutoCloseable follower : followers) {
            follower.close();
        }
        LOG.info("shutting down: no new calls; {} open streams end with UNAVAILABLE after their current message",
                streams);
        // Both ports wait out the same grace period, side by side.
        boolean finished = api.awaitCalls(ops.shutdownGrace());
        for (HttpPort port : http.stream().toList()) {
            finished &= port.awaitCalls(ops.shutdownGrace());
        }
        if (!finished) {
            LOG.warn("calls still running after the {} s grace period were cancelled", ops.shutdownGrace().toSeconds());
        }
    }

    /** Stops a background executor and waits for a running pass, before what it uses is closed. */
    private static void stop(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
            LOG.warn("a background task did not stop within 10 s");
        }
    }

    /** Deletes the audit events older than the retention; a failure waits for the next day. */
    private static void expireAuditEvents(AuditService auditLog, Clock clock, int retentionDays) {
        try {
            long deleted = auditLog.deleteOlderThan(clock.instant().minus(java.time.Duration.ofDays(retentionDays)));
            if (deleted > 0) {
                LOG.info("audit log: deleted {} events older than {} days", deleted, retentionDays);
            }
        } catch (RuntimeException e) {
            LOG.warn("audit log retention pass failed; next try in a day", e);
        }
    }

    /** API tokens first (recognised by their lbk_ prefix), then JWTs of the configured issuers. */
    private static AuthenticatorChain authenticators(ServerConfig config, TokenAuthenticator tokens, Clock clock) {
        List<Authenticator> chain = new java.util.ArrayList<>(List.of(tokens));
        if (config.auth().enabled()) {
            JwtAuthenticator.from(config.auth(), clock).ifPresent(chain::add);
        }
        return new AuthenticatorChain(chain);
    }

    /**
     * Shows the secret of a bootstrap token created now, once, on stdout (logs go to stderr and
     * never carry it).
     */
    private static void announceBootstrapToken(NewToken created) {
        LOG.info("access control is on and no API token existed: created bootstrap token {}... (admin of every "
                + "project), printed once on standard output", created.token().prefix());
        System.out.println(String.join(System.lineSeparator(),
                "",
                "==================== LABBOOK BOOTSTRAP ADMIN TOKEN ====================",
                created.secret(),
                "Admin of every project. Shown this once and never again: store it now,",
                "e.g. `labbook login`, and create narrower tokens with `labbook tokens create`.",
                "=======================================================================",
                ""));
        System.out.flush();
    }

    private static String httpScheme(OperationsConfig ops) {
        return ops.tls().isPresent() ? "https" : "http";
    }

    private static ArtifactStore openArtifactStore(ArtifactConfig config) {
        if (config.s3().isPresent()) {
            ArtifactConfig.S3 s3 = config.s3().get();
            LOG.info("artifacts in S3 bucket '{}' at {}", s3.bucket(), s3.endpoint());
            return new S3ArtifactStore(s3.endpoint(), s3.region(), s3.bucket(), s3.accessKey(), s3.secretKey());
        }
        LOG.info("artifacts in {}", config.localDir());
        return new LocalArtifactStore(config.localDir());
    }

    public int port() {
        return api.port();
    }

    /** The HTTP port (web UI, gRPC-Web, JSON), when it is on. */
    public Optional<Integer> httpPort() {
        return httpPort.map(HttpPort::port);
    }

    /** The web UI's URL (the public URL), when the HTTP port is on. */
    public Optional<String> uiUrl() {
        return uiUrl;
    }

    /** The Prometheus endpoint's port, when metrics are on. */
    public Optional<Integer> metricsPort() {
        return metricsEndpoint.map(MetricsEndpoint::port);
    }

    /** The plaintext health-only port, when TLS is on and it is enabled. */
    public Optional<Integer> healthPort() {
        return api.healthPort();
    }

    public DatabaseEndpoint database() {
        return database;
    }

    /** Authenticates API tokens ({@code lbk_...}), for the access interceptor's chain. */
    public TokenAuthenticator tokenAuthenticator() {
        return access.authenticator();
    }

    /** API tokens: creation, listing, revocation, and the project of a token id. */
    public TokenService tokens() {
        return access.tokens();
    }

    /** The audit log writer that mutating calls are recorded to. */
    public AuditWriter auditWriter() {
        return access.audit();
    }

    public void awaitTermination() throws InterruptedException {
        api.awaitTermination();
    }

    /** Shuts down gracefully (see docs/operations.md); safe to call again or from several threads. */
    @Override
    public synchronized void close() {
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
