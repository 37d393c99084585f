package dev.labbook.sdk;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * Synchronous, thread-safe, typed client of a Labbook server: one channel, grouped calls
 * ({@link #access()}, {@link #projects()}, {@link #experiments()}, {@link #runs()}, {@link #metrics()}, {@link #tables()}, {@link #logs()},
 * {@link #artifacts()}, {@link #server()}). Failures are {@link LabbookException}s; idempotent calls are retried on
 * UNAVAILABLE and ABORTED with jittered exponential backoff ({@link ClientOptions}). Close it when
 * done. For logging from training code use {@link Labbook} and {@link Run} instead, which never
 * block on the network.
 */
public final class LabbookClient implements AutoCloseable {
    /** Largest message the client accepts (downloads, tables, history pages). */
    static final int MAX_INBOUND_BYTES = 64 * 1024 * 1024;

    private final Target target;
    private final Credentials credentials;
    private final AuthTrouble authTrouble = new AuthTrouble();
    private final ManagedChannel channel;
    private final ClientOptions options;
    private final ProjectsApi projects;
    private final ExperimentsApi experiments;
    private final RunsApi runs;
    private final MetricsApi metrics;
    private final TablesApi tables;
    private final LogsApi logs;
    private final ArtifactsApi artifacts;
    private final ServerApi server;
    private final AccessApi access;

    private LabbookClient(Target target, Credentials credentials, ManagedChannel channel, ClientOptions options) {
        this.target = target;
        this.credentials = credentials;
        this.channel = channel;
        this.options = options;
        Calls calls = new Calls(options);
        this.projects = new ProjectsApi(channel, calls);
        this.experiments = new ExperimentsApi(channel, calls);
        this.runs = new RunsApi(channel, calls, experiments);
        this.metrics = new MetricsApi(channel, calls);
        this.tables = new TablesApi(channel, calls, metrics);
        this.logs = new LogsApi(channel, calls, metrics);
        this.artifacts = new ArtifactsApi(channel, calls);
        this.server = new ServerApi(channel, calls);
        this.access = new AccessApi(channel, calls);
    }

    /** Connects (lazily: the first call opens the connection) to {@code host:port}, {@code grpc://...} or {@code grpcs://...}. */
    public static LabbookClient connect(String target) {
        return connect(Target.parse(target), ClientOptions.DEFAULT);
    }

    /**
     * Connects with {@code options}; every call carries the token of {@link Credentials} (the
     * options' token, {@code LABBOOK_TOKEN}, {@code LABBOOK_TOKEN_FILE}, {@code ~/.labbook/credentials}).
     */
    public static LabbookClient connect(Target target, ClientOptions options) {
        return connect(target, options, Credentials.resolve(target, options.token()));
    }

    static LabbookClient connect(Target target, ClientOptions options, Environment env) {
        return connect(target, options, Credentials.resolve(target, options.token(), env));
    }

    private static LabbookClient connect(Target target, ClientOptions options, Credentials credentials) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(target.host(), target.port())
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .intercept(new BearerTokenInterceptor(credentials));
        if (target.tls()) {
            builder.useTransportSecurity();
        } else {
            builder.usePlaintext();
        }
        return new LabbookClient(target, credentials, builder.build(), options);
    }

    /**
     * Connects to {@code LABBOOK_TRACKING_URI}, or localhost:7800 when unset, with the token of
     * {@code LABBOOK_TOKEN}, {@code LABBOOK_TOKEN_FILE} or {@code ~/.labbook/credentials}.
     */
    public static LabbookClient fromEnv() {
        String uri = System.getenv("LABBOOK_TRACKING_URI");
        return connect(uri == null || uri.isBlank() ? "localhost:" + Target.DEFAULT_PORT : uri);
    }

    public Target target() {
        return target;
    }

    public ClientOptions options() {
        return options;
    }

    /** Where the token of each call comes from ({@link Credentials#current()}: the one in use now). */
    public Credentials credentials() {
        return credentials;
    }

    /** Tells once when background work is refused for credentials. */
    AuthTrouble authTrouble() {
        return authTrouble;
    }

    /** The underlying channel, for callers that need a raw stub. */
    public ManagedChannel channel() {
        return channel;
    }

    public ProjectsApi projects() {
        return projects;
    }

    public ExperimentsApi experiments() {
        return experiments;
    }

    public RunsApi runs() {
        return runs;
    }

    public MetricsApi metrics() {
        return metrics;
    }

    public TablesApi tables() {
        return tables;
    }

    public LogsApi logs() {
        return logs;
    }

    public ArtifactsApi artifacts() {
        return artifacts;
    }

    /** The caller's identity and roles, API tokens and the audit log. */
    public AccessApi access() {
        return access;
    }

    /** The server's version and web UI address (asked once, then kept). */
    public ServerApi server() {
        return server;
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
