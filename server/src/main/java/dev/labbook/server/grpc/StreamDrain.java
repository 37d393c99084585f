package dev.labbook.server.grpc;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ends client-streaming and bidirectional calls with {@code UNAVAILABLE} when the server shuts
 * down, at a message boundary: a message being handled (a metric batch being committed, an
 * artifact chunk being written) is finished first, its effects committed, and nothing after it is
 * read. Clients then resume on another replica from what was committed (GetWriterState, upload
 * status). Calls that only send (follows, downloads) are ended by their services instead.
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
        private boolean drainRequested;

        DrainableCall(ServerCall<Q, R> call, Set<DrainableCall<?, ?>> registry) {
            super(call);
            this.registry = registry;
        }

        ServerCall.Listener<Q> start(ServerCallHandler<Q, R> next, Metadata headers) {
            delegate = next.startCall(this, headers);
            return new ServerCall.Listener<>() {
                @Override
                public void onMessage(Q message) {
                    guarded(() -> delegate.onMessage(message));
                }

                @Override
                public void onHalfClose() {
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
            boolean endNow;
            synchronized (lock) {
                busy = false;
                endNow = drainRequested && !ended;
            }
            if (endNow) {
                end();
            }
        }

        void drain() {
            boolean endNow;
            synchronized (lock) {
                if (ended) {
                    return;
                }
                drainRequested = true;
                endNow = !busy;
            }
            if (endNow) {
                end();
            }
        }

        private void end() {
            synchronized (lock) {
                if (ended || busy) {
                    return;
                }
                ended = true;
                drained = true;
            }
            registry.remove(this);
            super.close(Status.UNAVAILABLE.withDescription(DESCRIPTION), new Metadata());
            // The service releases what the stream held, as when a client goes away.
            delegate.onCancel();
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
