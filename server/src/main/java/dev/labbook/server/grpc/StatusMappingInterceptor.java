package dev.labbook.server.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Closes a call with the status {@link StatusMapper} gives for an exception that a service
 * method threw, so that service implementations just throw domain errors.
 */
public final class StatusMappingInterceptor implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        ClosingOnce<Q, R> guarded = new ClosingOnce<>(call);
        ServerCall.Listener<Q> delegate = next.startCall(guarded, headers);
        return new SimpleForwardingServerCallListener<>(delegate) {
            @Override
            public void onMessage(Q message) {
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    guarded.fail(e);
                }
            }

            @Override
            public void onHalfClose() {
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) {
                    guarded.fail(e);
                }
            }
        };
    }

    /** Remembers whether the call was closed, so a late exception cannot close it twice. */
    private static final class ClosingOnce<Q, R> extends io.grpc.ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final AtomicBoolean closed = new AtomicBoolean();

        ClosingOnce(ServerCall<Q, R> delegate) {
            super(delegate);
        }

        @Override
        public void close(io.grpc.Status status, Metadata trailers) {
            if (closed.compareAndSet(false, true)) {
                super.close(status, trailers);
            }
        }

        void fail(RuntimeException e) {
            StatusRuntimeException mapped = StatusMapper.toStatusException(e);
            Metadata trailers = mapped.getTrailers() != null ? mapped.getTrailers() : new Metadata();
            close(mapped.getStatus(), trailers);
        }
    }
}
