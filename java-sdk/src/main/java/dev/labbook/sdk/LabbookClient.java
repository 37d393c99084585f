package dev.labbook.sdk;

import dev.labbook.sdk.internal.AuthTrouble;
import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.Endpoint;
import dev.labbook.sdk.internal.Environment;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Synchronous, thread-safe, typed client of a Labbook server: one channel, grouped calls
 * ({@link #access()}, {@link #projects()}, {@link #experiments()}, {@link #runs()}, {@link #metrics()}, {@link #tables()}, {@link #logs()},
 * {@link #artifacts()}, {@link #submissions()}, {@link #server()}). Failures are {@link LabbookException}s; idempotent calls are retried on
 * UNAVAILABLE and ABORTED with jittered exponential backoff ({@link ClientOptions}). Close it when
 * done. For logging from training code use {@link Labbook} and {@link Run} instead, which never
 * block on the network.
 */
public final class LabbookClient implements AutoCloseable {
    /** Largest message the client accepts (downloads, tables, history pages). */
    static final int MAX_INBOUND_BYTES = 64 * 1024 * 1024;

    /** Where the target came from when the caller does not say: it was given in code (as Endpoint says). */
    static final String SOURCE_CODE = "code";
    static final String SOURCE_ENV = "env LABBOOK_TRACKING_URI";
    static final String SOURCE_DEFAULT = "the default: LABBOOK_TRACKING_URI is not set";

    private final Endpoint endpoint;
    private final Target target;
    private final Credentials credentials;
    private final AuthTrouble authTrouble = new AuthTrouble();
    private final ManagedChannel channel;
    private final EventLoopGroup eventLoop;
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
    private final SubmitApi submissions;

    private LabbookClient(Endpoint endpoint, Credentials credentials, ManagedChannel channel, EventLoopGroup eventLoop,
            ClientOptions options) {
        this.endpoint = endpoint;
        this.eventLoop = eventLoop;
        this.target = endpoint.target();
        this.credentials = credentials;
        this.channel = channel;
        this.options = options;
        Calls calls = new Calls(options, endpoint);
        this.projects = new ProjectsApi(channel, calls);
        this.experiments = new ExperimentsApi(channel, calls);
        this.runs = new RunsApi(channel, calls, experiments);
        this.metrics = new MetricsApi(channel, calls);
        this.tables = new TablesApi(channel, calls, metrics);
        this.logs = new LogsApi(channel, calls, metrics);
        this.artifacts = new ArtifactsApi(channel, calls);
        this.server = new ServerApi(channel, calls);
        this.access = new AccessApi(channel, calls);
        this.submissions = new SubmitApi(channel, calls, this);
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
        return connect(target, options, SOURCE_CODE);
    }

    /**
     * As {@link #connect(Target, ClientOptions)}; {@code targetSource} says where the target came
     * from (e.g. {@code "--target"}, {@code "env LABBOOK_TRACKING_URI"}), for connection errors.
     */
    public static LabbookClient connect(Target target, ClientOptions options, String targetSource) {
        return connect(new Endpoint(target, targetSource), options, Credentials.resolve(target, options.token()));
    }

    static LabbookClient connect(Target target, ClientOptions options, Environment env, String targetSource) {
        return connect(new Endpoint(target, targetSource), options, Credentials.resolve(target, options.token(), env));
    }

    static LabbookClient connect(Target target, ClientOptions options, Environment env) {
        return connect(target, options, env, SOURCE_CODE);
    }

    private static LabbookClient connect(Endpoint endpoint, ClientOptions options, Credentials credentials) {
        Target target = endpoint.target();
        // interceptors run last-added first: the endpoint sees (and explains) every call's failure
        // The client's own event loop (one thread: the channel holds one connection), ended by
        // close(). gRPC's shared one outlives close() by a second with its thread in native
        // epoll_wait, and a JVM exiting while a thread is in native code waits 300 ms for it: a
        // third of every CLI command's time.
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("labbook-client", true),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(target.host(), target.port())
                .eventLoopGroup(eventLoop)
                .channelType(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .intercept(new BearerTokenInterceptor(credentials), endpoint);
        if (target.tls()) {
            builder.useTransportSecurity();
        } else {
            builder.usePlaintext();
        }
        return new LabbookClient(endpoint, credentials, builder.build(), eventLoop, options);
    }

    /**
     * Connects to {@code LABBOOK_TRACKING_URI}, or localhost:7800 when unset, with the token of
     * {@code LABBOOK_TOKEN}, {@code LABBOOK_TOKEN_FILE} or {@code ~/.labbook/credentials}.
     */
    public static LabbookClient fromEnv() {
        String uri = System.getenv("LABBOOK_TRACKING_URI");
        boolean unset = uri == null || uri.isBlank();
        return connect(parse(unset ? "localhost:" + Target.DEFAULT_PORT : uri, unset ? SOURCE_DEFAULT : SOURCE_ENV),
                ClientOptions.DEFAULT, unset ? SOURCE_DEFAULT : SOURCE_ENV);
    }

    /** {@link Target#parse}, its error naming where the text came from. */
    static Target parse(String text, String source) {
        try {
            return Target.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " (target from " + source + ")", e);
        }
    }

    public Target target() {
        return target;
    }

    /** Where {@link #target()} came from, as connection errors say it (e.g. {@code env LABBOOK_TRACKING_URI}). */
    public String targetSource() {
        return endpoint.source();
    }

    public ClientOptions options() {
        return options;
    }

    /** Where the token of each call comes from ({@link Credentials#current()}: the one in use now). */
    public Credentials credentials() {
        return credentials;
    }

    /**
     * Tells once when background work is refused for credentials. Internal: for the SDK's own
     * background senders ({@code dev.labbook.sdk.internal}), not part of the API.
     */
    public AuthTrouble authTrouble() {
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

    /**
     * Scripts submitted as runs ({@code experiment.submit(ScriptRunConfig)}): compute targets,
     * {@link SubmitApi#submit}, submissions.
     */
    public SubmitApi submissions() {
        return submissions;
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
        // No quiet period: the channel is gone, nothing else runs on this loop.
        eventLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
