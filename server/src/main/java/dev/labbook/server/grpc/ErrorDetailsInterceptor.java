package dev.labbook.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Gives every error status an {@code ErrorInfo}, also those no domain error made: the stream
 * drain's UNAVAILABLE at shutdown, statuses gRPC sets inside the call. Registered for all
 * services, outside the stream drain. Errors the transport sends before a call exists (a frame
 * over the size limit) never reach an interceptor and carry no details.
 */
public final class ErrorDetailsInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        return next.startCall(new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                super.close(status, StatusMapper.ensureDetails(status, trailers));
            }
        }, headers);
    }
}
