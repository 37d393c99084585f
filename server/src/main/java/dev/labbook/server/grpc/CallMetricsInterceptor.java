package dev.labbook.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reports each call's final status and the streams open to an {@link RpcObserver}. Installed
 * outermost, so it sees the status the client gets, whichever interceptor set it.
 */
public final class CallMetricsInterceptor implements ServerInterceptor {
    private final RpcObserver observer;

    public CallMetricsInterceptor(RpcObserver observer) {
        this.observer = observer;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        boolean streaming = call.getMethodDescriptor().getType() != MethodType.UNARY;
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean ended = new AtomicBoolean();
        Runnable end = () -> {
            if (streaming && ended.compareAndSet(false, true)) {
                observer.streamClosed(method);
            }
        };
        ServerCall<Q, R> counted = new SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                if (finished.compareAndSet(false, true)) {
                    observer.callFinished(method, status.getCode().name());
                }
                super.close(status, trailers);
            }
        };
        if (streaming) {
            observer.streamOpened(method);
        }
        ServerCall.Listener<Q> delegate;
        try {
            delegate = next.startCall(counted, headers);
        } catch (RuntimeException e) {
            end.run();
            throw e;
        }
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    end.run();
                }
            }

            @Override
            public void onCancel() {
                if (finished.compareAndSet(false, true)) {
                    observer.callFinished(method, Status.Code.CANCELLED.name());
                }
                try {
                    super.onCancel();
                } finally {
                    end.run();
                }
            }
        };
    }
}
