package dev.labbook.server.http;

import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.grpc.GrpcSerializationFormats;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.Route;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import com.linecorp.armeria.server.grpc.GrpcServiceBuilder;
import dev.labbook.server.config.HttpLimits;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.grpc.ApiServices;
import dev.labbook.server.grpc.ServerTls;
import dev.labbook.server.mlflow.MlflowApi;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP port: the labbook.v1 services ({@link ApiServices}: the same instances and
 * interceptors as the gRPC port) over gRPC-Web (binary and text, for the browser app), unframed
 * JSON or protobuf POSTs (for curl: {@code POST /labbook.v1.RunService/GetRun} with a JSON body)
 * and native gRPC over HTTP/2, beside the web UI's files ({@link WebApp}) and its sign-in
 * ({@link SessionRoutes}).
 *
 * <p>Service methods run on Armeria's blocking-task executor, not on its event loops: they wait
 * for the database. The API's streaming calls have no timeout of their own (a follow or a watch
 * stays open for hours, as on the gRPC port) and its message sizes are capped like the gRPC
 * port's; every other request is bounded by {@link HttpLimits}, as are the connections.
 */
public final class HttpPort implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpPort.class);

    private static final Duration QUIET_PERIOD = Duration.ofMillis(300);

    private final Server server;
    private final String scheme;
    private CompletableFuture<Void> stopping;

    private HttpPort(Server server, String scheme) {
        this.server = server;
        this.scheme = scheme;
    }

    /**
     * Starts listening.
     *
     * @param shutdownGrace how long calls in flight get to finish once the port stops accepting
     * @param sessions the UI's sign-in and sign-out ({@value SessionRoutes#PATH})
     */
    public static HttpPort start(HttpEndpoint endpoint, int maxMessageBytes, Duration shutdownGrace,
            ApiServices api, WebApp web, SessionRoutes sessions) {
        return start(endpoint, maxMessageBytes, shutdownGrace, api, web, sessions, HostCheck.ANY,
                HttpLimits.defaults());
    }

    /**
     * Starts listening, answering only the Host names {@code hosts} allows (see {@link HostCheck}),
     * within {@code limits}.
     */
    public static HttpPort start(HttpEndpoint endpoint, int maxMessageBytes, Duration shutdownGrace,
            ApiServices api, WebApp web, SessionRoutes sessions, HostCheck hosts, HttpLimits limits) {
        return start(endpoint, maxMessageBytes, shutdownGrace, api, web, sessions, hosts, limits, Optional.empty());
    }

    /**
     * Starts listening, with MLflow's tracking API ({@link MlflowApi}) beside the UI when
     * {@code mlflow} is given.
     */
    public static HttpPort start(HttpEndpoint endpoint, int maxMessageBytes, Duration shutdownGrace,
            ApiServices api, WebApp web, SessionRoutes sessions, HostCheck hosts, HttpLimits limits,
            Optional<MlflowApi> mlflow) {
        GrpcServiceBuilder grpc = GrpcService.builder()
                // gRPC (HTTP/2), gRPC-Web and gRPC-Web-Text, each with protobuf or JSON messages.
                .supportedSerializationFormats(GrpcSerializationFormats.values())
                // Plain POSTs of one JSON or protobuf message (unary methods only).
                .enableUnframedRequests(true)
                .unframedGrpcErrorHandler(new PlainMessageErrorHandler())
                // A message that does not parse: INVALID_ARGUMENT, as on the gRPC port.
                .exceptionHandler(UnparsableRequestHandler.orDefault(api.rpcs()))
                .useBlockingTaskExecutor(true)
                .maxRequestMessageLength(maxMessageBytes);
        api.protoDefinitions().forEach(grpc::addService);
        api.callInterceptors().forEach(grpc::intercept);
        // Added last, so outermost.
        grpc.intercept(new UnparsableRequestCounting());

        InetSocketAddress address = new InetSocketAddress(endpoint.host(), endpoint.port());
        ServerBuilder builder = Server.builder()
                .maxNumConnections(limits.maxConnections())
                .idleTimeout(limits.idleTimeout())
                // The port's caps hold for the sign-in and the UI's files; the API's routes get
                // their own below.
                .requestTimeout(limits.requestTimeout())
                .maxRequestLength(limits.maxRequestBytes())
                // Armeria stops at once with a zero quiet period, cutting calls in flight: wait for
                // a moment without calls, up to the grace period, as the gRPC port waits.
                .gracefulShutdownTimeout(min(QUIET_PERIOD, shutdownGrace), shutdownGrace);
        bindApi(builder, grpc.build(), api, maxMessageBytes, limits.requestTimeout());
        endpoint.tls().ifPresentOrElse(tls -> builder.https(address).tls(certificateChain(tls), privateKey(tls)),
                () -> builder.http(address));
        builder.service(SessionRoutes.PATH, sessions);
        // Before the UI, whose files answer every other path.
        mlflow.ifPresent(routes -> routes.addTo(builder));
        web.addTo(builder);
        // Every route: the API, the sign-in and the UI's files.
        builder.decorator(hosts.decorator());
        Server server = builder.build();
        try {
            server.start().join();
        } catch (CompletionException e) {
            server.closeAsync();
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new UncheckedIOException("cannot listen for HTTP on " + endpoint.host() + ":" + endpoint.port()
                    + " (--http-port (LABBOOK_HTTP_PORT); 0 turns the HTTP port off): " + cause.getMessage(),
                    cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause));
        }
        return new HttpPort(server, endpoint.scheme());
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Caps the requests that carry one message (gRPC-Web, which browsers cannot stream, and
     * unframed POSTs, which Armeria reads whole into memory) at twice the message size, room
     * for JSON or base64: without it a client could make the server buffer without bound.
     */
    private static DecoratingHttpServiceFunction oneMessageRequests(int maxMessageBytes) {
        long limit = 2L * maxMessageBytes + 1024;
        return (delegate, ctx, req) -> {
            MediaType type = req.contentType();
            boolean nativeGrpc = type != null && type.subtype().startsWith("grpc") && !type.subtype().startsWith("grpc-web");
            if (!nativeGrpc) {
                ctx.setMaxRequestLength(limit);
            }
            return delegate.serve(ctx, req);
        };
    }

    /**
     * Binds each method of the API with its own caps, which the port applies as a request
     * arrives: a native gRPC client stream (an upload) is as long as it is, each message capped
     * by the message size, and requests of one message are capped by the decorator; streaming
     * calls (follows, watches, uploads) last as long as they last, as on the gRPC port, while a
     * unary call gets the port's request timeout (a client's own deadline, grpc-timeout,
     * replaces it).
     */
    private static void bindApi(ServerBuilder builder, GrpcService grpc, ApiServices api, int maxMessageBytes,
            Duration unaryTimeout) {
        Set<String> unary = api.protoDefinitions().stream()
                .flatMap(definition -> definition.getMethods().stream())
                .map(method -> method.getMethodDescriptor())
                .filter(method -> method.getType() == MethodDescriptor.MethodType.UNARY)
                .map(method -> "/" + method.getFullMethodName())
                .collect(Collectors.toUnmodifiableSet());
        HttpService service = grpc.decorate(oneMessageRequests(maxMessageBytes));
        for (Route route : grpc.routes()) {
            boolean isUnary = route.paths().stream().anyMatch(unary::contains);
            builder.route().addRoute(route)
                    .maxRequestLength(0)
                    .requestTimeout(isUnary ? unaryTimeout : Duration.ZERO)
                    .build(service);
        }
    }

    private static InputStream certificateChain(OperationsConfig.Tls tls) {
        try {
            return Files.newInputStream(tls.certFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS certificate " + tls.certFile(), e);
        }
    }

    /** The key as PKCS#8, which Netty needs, whatever PEM form the file has (see {@link ServerTls}). */
    private static InputStream privateKey(OperationsConfig.Tls tls) {
        try {
            return new ByteArrayInputStream(ServerTls.pkcs8Pem(
                    Files.readString(tls.keyFile(), StandardCharsets.US_ASCII), tls.keyFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TLS key " + tls.keyFile(), e);
        }
    }

    public int port() {
        return server.activeLocalPort();
    }

    /** {@code http}, or {@code https} with TLS. */
    public String scheme() {
        return scheme;
    }

    /**
     * Shutdown, second stage (with the gRPC port's): the port closes and idle connections with it;
     * calls in flight continue for the grace period.
     */
    public synchronized void stopAccepting() {
        if (stopping == null) {
            stopping = server.stop();
        }
    }

    /**
     * Shutdown, last stage: waits for the calls in flight; after the grace period (given at
     * start) Armeria closes the connections that still have some.
     *
     * @return whether every call finished within the grace period
     */
    public boolean awaitCalls(Duration grace) throws InterruptedException {
        stopAccepting();
        long start = System.nanoTime();
        try {
            stopping.get(grace.toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            LOG.warn("the HTTP port did not stop cleanly", e.getCause());
        } catch (TimeoutException e) {
            LOG.warn("the HTTP port did not stop within {} s", grace.toSeconds() + 10);
            return false;
        }
        return System.nanoTime() - start < grace.toNanos();
    }

    /** Stops accepting and waits up to 10 s for calls in flight. */
    @Override
    public void close() throws InterruptedException {
        awaitCalls(Duration.ofSeconds(10));
    }
}
