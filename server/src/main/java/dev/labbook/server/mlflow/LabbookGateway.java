package dev.labbook.server.mlflow;

import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.MetricServiceGrpc;
import dev.labbook.api.v1.ModelServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.server.grpc.ApiServices;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.AbstractStub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The labbook.v1 API as the MLflow adapter calls it: an in-process gRPC server with the very
 * same service definitions and interceptors as the gRPC and HTTP ports ({@link ApiServices}), so
 * an MLflow call is checked, audited, limited and counted exactly like the same call from the
 * SDKs. Each call carries the MLflow caller's credential and, for the audit log, its address.
 *
 * <p>The address travels in a header that only this in-process server reads: the server has a
 * random name, no socket, and the adapter builds each call's headers itself (nothing of the HTTP
 * request but the credential is copied), so no outside caller can set it.
 */
public final class LabbookGateway implements AutoCloseable {
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PEER = Metadata.Key.of("labbook-gateway-peer", Metadata.ASCII_STRING_MARSHALLER);

    private final Server server;
    private final ManagedChannel channel;
    private final Duration deadline;

    private LabbookGateway(Server server, ManagedChannel channel, Duration deadline) {
        this.server = server;
        this.channel = channel;
        this.deadline = deadline;
    }

    /**
     * @param deadline of each call (the HTTP port's request timeout): an MLflow request never
     *     outlives its HTTP request's limit
     */
    public static LabbookGateway start(ApiServices api, int maxMessageBytes, Duration deadline) {
        String name = "labbook-mlflow-" + UUID.randomUUID();
        InProcessServerBuilder builder = InProcessServerBuilder.forName(name)
                // The caller's thread (an Armeria blocking-task thread) runs the call: no hand-off.
                .directExecutor()
                .maxInboundMessageSize(maxMessageBytes);
        api.definitions().forEach(builder::addService);
        api.callInterceptors().forEach(builder::intercept);
        // Added last, so outermost: every interceptor sees the MLflow caller's address.
        builder.intercept(new ForwardedPeer());
        try {
            Server server = builder.build().start();
            ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor()
                    .maxInboundMessageSize(Integer.MAX_VALUE).build();
            return new LabbookGateway(server, channel, deadline);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the MLflow API's in-process channel", e);
        }
    }

    /** A stub of one labbook.v1 service that calls as {@code caller}, with the gateway's deadline. */
    public <S extends AbstractStub<S>> S stub(Function<Channel, S> factory, MlflowCaller caller) {
        Metadata headers = new Metadata();
        caller.authorization().ifPresent(value -> headers.put(AUTHORIZATION, value));
        headers.put(PEER, caller.remote().getHostString() + ":" + caller.remote().getPort());
        Channel withCaller = ClientInterceptors.intercept(channel, new AttachHeaders(headers));
        return factory.apply(withCaller).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    }

    public RunServiceGrpc.RunServiceBlockingStub runs(MlflowCaller caller) {
        return stub(RunServiceGrpc::newBlockingStub, caller);
    }

    public ExperimentServiceGrpc.ExperimentServiceBlockingStub experiments(MlflowCaller caller) {
        return stub(ExperimentServiceGrpc::newBlockingStub, caller);
    }

    public MetricServiceGrpc.MetricServiceBlockingStub metrics(MlflowCaller caller) {
        return stub(MetricServiceGrpc::newBlockingStub, caller);
    }

    public ArtifactServiceGrpc.ArtifactServiceBlockingStub artifacts(MlflowCaller caller) {
        return stub(ArtifactServiceGrpc::newBlockingStub, caller);
    }

    public ModelServiceGrpc.ModelServiceBlockingStub models(MlflowCaller caller) {
        return stub(ModelServiceGrpc::newBlockingStub, caller);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdown();
        server.shutdown();
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
            channel.shutdownNow();
        }
        if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
            server.shutdownNow();
        }
    }

    private record AttachHeaders(Metadata headers) implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata callHeaders) {
                    callHeaders.merge(headers);
                    super.start(listener, callHeaders);
                }
            };
        }
    }

    /** Puts the MLflow caller's address where the interceptors read a caller's address. */
    private static final class ForwardedPeer implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            String peer = headers.get(PEER);
            if (peer == null) {
                return next.startCall(call, headers);
            }
            int colon = peer.lastIndexOf(':');
            InetSocketAddress address;
            try {
                // An IP literal (Armeria's remote address): no name lookup.
                address = new InetSocketAddress(InetAddress.getByName(peer.substring(0, colon)),
                        Integer.parseInt(peer.substring(colon + 1)));
            } catch (java.net.UnknownHostException | RuntimeException e) {
                return next.startCall(call, headers);
            }
            Attributes attributes = call.getAttributes().toBuilder().set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, address).build();
            return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                @Override
                public Attributes getAttributes() {
                    return attributes;
                }
            }, headers);
        }
    }
}
