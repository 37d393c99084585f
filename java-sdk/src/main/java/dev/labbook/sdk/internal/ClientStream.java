package dev.labbook.sdk.internal;

import dev.labbook.sdk.DeadlineExceededException;
import dev.labbook.sdk.LabbookException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A client-streaming call driven from one thread with gRPC flow control: {@link #send} waits
 * while the transport is not ready (so a fast producer cannot pile messages up in memory), and
 * fails fast once the call has failed. {@link #finish} half-closes and waits for the response.
 */
public final class ClientStream<Req, Resp> {
    private final Object readyLock = new Object();
    private final CompletableFuture<Resp> response = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<Req> requests;

    private ClientStream() {
    }

    /** Opens the call, e.g. {@code ClientStream.open(stub::logMetrics)}. */
    public static <Req, Resp> ClientStream<Req, Resp> open(Function<StreamObserver<Resp>, StreamObserver<Req>> call) {
        ClientStream<Req, Resp> s = new ClientStream<>();
        call.apply(s.new Observer());
        return s;
    }

    /** Sends one message, waiting (up to the timeout) while the transport is not ready. */
    public void send(Req message, long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        synchronized (readyLock) {
            while (!requests.isReady()) {
                failIfDone();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    requests.cancel("send timed out", null);
                    throw new DeadlineExceededException("stream not ready for " + timeoutMillis + " ms", null);
                }
                try {
                    readyLock.wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    requests.cancel("interrupted", e);
                    Thread.currentThread().interrupt();
                    throw new LabbookException("CANCELLED", "interrupted", e);
                }
            }
        }
        failIfDone();
        requests.onNext(message);
    }

    /** Half-closes and waits for the server's response. */
    public Resp finish(long timeoutMillis) {
        failIfDone();
        requests.onCompleted();
        try {
            return response.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw Errors.translate(e.getCause());
        } catch (TimeoutException e) {
            requests.cancel("response timed out", null);
            throw new DeadlineExceededException("no response in " + timeoutMillis + " ms", e);
        } catch (InterruptedException e) {
            requests.cancel("interrupted", e);
            Thread.currentThread().interrupt();
            throw new LabbookException("CANCELLED", "interrupted", e);
        }
    }

    /** Abandons the call. */
    public void cancel(String why) {
        if (!response.isDone()) {
            requests.cancel(why, null);
        }
    }

    private void failIfDone() {
        if (response.isCompletedExceptionally()) {
            try {
                response.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw Errors.translate(e.getCause());
            }
        }
        if (response.isDone()) {
            throw new LabbookException("INTERNAL", "server closed the stream early", null);
        }
    }

    private final class Observer implements ClientResponseObserver<Req, Resp> {
        private Resp value;

        @Override
        public void beforeStart(ClientCallStreamObserver<Req> stream) {
            requests = stream;
            stream.setOnReadyHandler(this::wake);
        }

        private void wake() {
            synchronized (readyLock) {
                readyLock.notifyAll();
            }
        }

        @Override
        public void onNext(Resp v) {
            value = v;
        }

        @Override
        public void onError(Throwable t) {
            response.completeExceptionally(t);
            wake();
        }

        @Override
        public void onCompleted() {
            response.complete(value);
            wake();
        }
    }
}
