package dev.labbook.server.grpc;

import io.grpc.stub.ServerCallStreamObserver;

/**
 * Sends a server stream's messages only while the call's transport is ready (gRPC flow control)
 * and continues from the call's on-ready callback, so a slow reader of a large download or a
 * long series holds about {@link #READY_THRESHOLD_BYTES} of it in the server's memory, not the
 * whole answer. Messages are
 * pulled from a {@link Source} one at a time; the stream completes when the source has no more,
 * ends with the error's status (once) when the source throws, and stops when the client cancels.
 * The source is closed exactly once, however the stream ends.
 */
final class FlowControlledSender<T> {
    /**
     * Bytes the transport may hold before the sender waits for on-ready. gRPC's default (32 KiB)
     * is less than one history page or download chunk, so each message waited until the one
     * before had reached the socket and encoding never overlapped writing; 1 MiB keeps a few
     * messages per stream in flight, still bounded.
     */
    static final int READY_THRESHOLD_BYTES = 1024 * 1024;

    /** The messages of one stream, pulled one at a time (never concurrently). */
    interface Source<T> {
        /** The next message, or null when the stream is complete; errors end the call with their status. */
        T next();

        /** Releases what the source holds (an open object, say); called once when the stream ends. */
        default void close() {
        }
    }

    private final ServerCallStreamObserver<T> call;
    private final Source<T> source;
    private boolean ended;

    private FlowControlledSender(ServerCallStreamObserver<T> call, Source<T> source) {
        this.call = call;
        this.source = source;
    }

    /** Installs the call's ready and cancel callbacks and sends what the transport takes now. */
    static <T> void start(ServerCallStreamObserver<T> call, Source<T> source) {
        FlowControlledSender<T> sender = new FlowControlledSender<>(call, source);
        call.setOnReadyThreshold(READY_THRESHOLD_BYTES);
        call.setOnCancelHandler(sender::cancel);
        call.setOnReadyHandler(sender::sendWhileReady);
        sender.sendWhileReady();
    }

    private synchronized void sendWhileReady() {
        if (ended) {
            return;
        }
        try {
            while (call.isReady()) {
                T message = source.next();
                if (message == null) {
                    end();
                    call.onCompleted();
                    return;
                }
                call.onNext(message);
            }
        } catch (RuntimeException e) {
            if (!ended) {
                end();
                call.onError(StatusMapper.toStatusException(e));
            }
        }
    }

    private synchronized void cancel() {
        end();
    }

    private void end() {
        if (!ended) {
            ended = true;
            source.close();
        }
    }
}
