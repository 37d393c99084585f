package dev.labbook.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import com.google.rpc.Code;
import dev.labbook.server.domain.ErrorReason;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends client-streaming and bidirectional calls with {@code UNAVAILABLE} when the server shuts
 * down, at a message boundary: a message being handled (a metric batch being committed, an
 * artifact chunk being written) is finished first, its effects committed, and nothing after it is
 * read. Clients then resume on another replica from what was committed (GetWriterState, upload
 * status). Calls that only send (follows, downloads) are ended by their services instead.
 *
 * <p>It also ends streams whose client went silent ({@link #endIdle(Duration)}): a stream that
 * waited longer than the idle timeout for the client's next message, while no message was being
 * handled and before the client half-closed, ends with {@code DEADLINE_EXCEEDED} (reason
 * {@code STREAM_IDLE_TIMEOUT}).
 */
public final class StreamDrain implements ServerInterceptor {
    /** The status description of a drained stream; clients may match it in logs. */
    public static final String DESCRIPTION = "server is shutting down; resume on another replica";

    private final Set<DrainableCall<?, ?>> open = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
            ServerCallHandler<Q, R> next) {
        MethodType type = call.getMethodDescriptor().getType();
        if (type != MethodType.CLIENT_STREAMING && type != MethodType.BIDI_STREAMING) {
            return next.startCall(call, headers);
        }
        DrainableCall<Q, R> drainable = new DrainableCall<>(call, open);
        ServerCall.Listener<Q> listener = drainable.start(next, headers);
        open.add(drainable);
        if (drainable.ended()) {
            // Closed while starting: nothing to drain, and nothing else would remove it.
            open.remove(drainable);
        } else if (draining) {
            // Started while the server was stopping: end it like the others.
            drainable.drain();
        }
        return listener;
    }

    /** Ends every open stream after the message it is handling; returns how many were asked. */
    public int endAll() {
        draining = true;
        List<DrainableCall<?, ?>> calls = List.copyOf(open);
        calls.forEach(DrainableCall::drain);
        return calls.size();
    }

    /**
     * Ends every stream that has waited for its client's next message for {@code timeout} or
     * longer; returns how many were ended.
     */
    public int endIdle(Duration timeout) {
        long now = System.nanoTime();
        long limit = timeout.toNanos();
        StatusRuntimeException status = StatusMapper.status(Code.DEADLINE_EXCEEDED, ErrorReason.STREAM_IDLE_TIMEOUT,
                "no message on this stream for " + describe(timeout) + " (the server's stream idle timeout); "
                        + "what it sent before was handled; send the rest on a new stream",
                Map.of("idle_timeout_s", String.valueOf(timeout.toSeconds())));
        int ended = 0;
        for (DrainableCall<?, ?> call : List.copyOf(open)) {
            if (call.endIfIdle(now, limit, status)) {
                ended++;
            }
        }
        return ended;
    }

    private static String describe(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    /** One stream; callbacks and the drain exclude each other, so a stream ends between messages. */
    private static final class DrainableCall<Q, R> extends SimpleForwardingServerCall<Q, R> {
        private final Object lock = new Object();
        private final Set<DrainableCall<?, ?>> registry;
        private ServerCall.Listener<Q> delegate;
        /** A callback of the service is running. */
        private boolean busy;
        /** The call is closed (by the service or the drain) or cancelled. */
        private boolean ended;
        /** The drain closed the call: the service hears nothing more but its onCancel. */
        private boolean drained;
        /** The status to end with once the callback running now returns (the drain's). */
        private StatusRuntimeException pendingEnd;
        /** When the stream last did something: a message handled, more messages requested. */
        private long lastActivity = System.nanoTime();
        /** Messages the service asked for that have not arrived: the stream waits for its client. */
        private long demand;
        private boolean halfClosed;

        DrainableCall(ServerCall<Q, R> call, Set<DrainableCall<?, ?>> registry) {
            super(call);
            this.registry = registry;
        }

        ServerCall.Listener<Q> start(ServerCallHandler<Q, R> next, Metadata headers) {
            delegate = next.startCall(this, headers);
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(Q message) {
                    synchronized (lock) {
                        demand = Math.max(0, demand - 1);
                    }
                    guarded(() -> delegate.onMessage(message));
                }

                @Override
                public void onHalfClose() {
                    synchronized (lock) {
                        halfClosed = true;
                    }
                    guarded(delegate::onHalfClose);
                }

                @Override
                public void onReady() {
                    guarded(delegate::onReady);
                }

                @Override
                public void onCancel() {
                    synchronized (lock) {
                        if (drained) {
                            return;
                        }
                        ended = true;
                    }
                    registry.remove(DrainableCall.this);
                    delegate.onCancel();
                }

                @Override
                public void onComplete() {
                    synchronized (lock) {
                        if (drained) {
                            return;
                        }
                    }
                    registry.remove(DrainableCall.this);
                    delegate.onComplete();
                }
            };
        }

        boolean ended() {
            synchronized (lock) {
                return ended;
            }
        }

        /** Runs a callback of the service unless the drain ended the call; ends it after, if asked. */
        private void guarded(Runnable callback) {
            if (enter()) {
                try {
                    callback.run();
                } finally {
                    exit();
                }
            }
        }

        private boolean enter() {
            synchronized (lock) {
                if (drained) {
                    return false;
                }
                busy = true;
                return true;
            }
        }

        private void exit() {
            StatusRuntimeException endNow;
            synchronized (lock) {
                busy = false;
                lastActivity = System.nanoTime();
                endNow = ended ? null : pendingEnd;
            }
            if (endNow != null) {
                end(endNow);
            }
        }

        void drain() {
            StatusRuntimeException status = new StatusRuntimeException(Status.UNAVAILABLE.withDescription(DESCRIPTION),
                    new Metadata());
            boolean endNow;
            synchronized (lock) {
                if (ended) {
                    return;
                }
                pendingEnd = status;
                endNow = !busy;
            }
            if (endNow) {
                end(status);
            }
        }

        /** Ends the stream if it has waited {@code limitNanos} or longer for its client's next message. */
        boolean endIfIdle(long now, long limitNanos, StatusRuntimeException status) {
            synchronized (lock) {
                if (ended || busy || halfClosed || demand == 0 || now - lastActivity < limitNanos) {
                    return false;
                }
            }
            return end(status);
        }

        private boolean end(StatusRuntimeException status) {
            synchronized (lock) {
                if (ended || busy) {
                    return false;
                }
                ended = true;
                drained = true;
            }
            registry.remove(this);
            super.close(status.getStatus(), status.getTrailers() == null ? new Metadata() : status.getTrailers());
            // The service releases what the stream held, as when a client goes away.
            delegate.onCancel();
            return true;
        }

        @Override
        public void request(int numMessages) {
            synchronized (lock) {
                if (drained) {
                    return;
                }
                demand += numMessages;
                lastActivity = System.nanoTime();
            }
            super.request(numMessages);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            synchronized (lock) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            registry.remove(this);
            super.close(status, trailers);
        }

        @Override
        public void sendMessage(R message) {
            synchronized (lock) {
                if (drained) {
                    return;
                }
            }
            super.sendMessage(message);
        }
    }
}
