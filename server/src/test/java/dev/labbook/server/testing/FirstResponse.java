package dev.labbook.server.testing;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Response observer for client-streaming calls in tests: keeps the first response, or the
 * stream's error, for {@link #await}.
 */
public final class FirstResponse<T> implements StreamObserver<T> {
    private final CompletableFuture<T> result = new CompletableFuture<>();

    @Override
    public void onNext(T value) {
        result.complete(value);
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
    }

    public boolean isDone() {
        return result.isDone();
    }

    /** The response; the stream's {@link StatusRuntimeException} is rethrown as it is. */
    public T await(long seconds) {
        try {
            return result.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StatusRuntimeException sre) {
                throw sre;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("no response within " + seconds + " s", e);
        }
    }
}
