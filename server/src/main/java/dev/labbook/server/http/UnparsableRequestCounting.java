package dev.labbook.server.http;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.netty.util.AttributeKey;

/**
 * Outermost on the HTTP port: a call that {@link UnparsableRequestHandler} refused (and counted as
 * INVALID_ARGUMENT) ends for the interceptors inside as completed, not cancelled, so the metrics
 * interceptor does not count it a second time as CANCELLED (Armeria tells a call it closed with
 * an error status as a cancellation).
 */
final class UnparsableRequestCounting implements ServerInterceptor {
    static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf(UnparsableRequestCounting.class, "REFUSED");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        ServiceRequestContext ctx = ServiceRequestContext.currentOrNull();
        ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        if (ctx == null) {
            return delegate;
        }
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onCancel() {
                if (Boolean.TRUE.equals(ctx.attr(REFUSED))) {
                    super.onComplete();
                } else {
                    super.onCancel();
                }
            }
        };
    }
}
