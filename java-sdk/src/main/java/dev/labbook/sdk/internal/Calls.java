package dev.labbook.sdk.internal;

import dev.labbook.sdk.ClientOptions;
import dev.labbook.sdk.LabbookException;
import java.util.function.Supplier;

/**
 * Runs one unary call: idempotent calls are retried on UNAVAILABLE and ABORTED with jittered
 * exponential backoff, for at most {@link #RETRY_WINDOW_MS} in all, or {@link #CONNECT_WINDOW_MS}
 * while the server has not answered this client yet (a wrong target or a stopped server fails
 * fast); every failure leaves as a {@link LabbookException}. The Python SDK uses the same windows
 * (docs/java-sdk.md, docs/python-sdk.md).
 */
public final class Calls {
    /** How long a synchronous call retries once the server has answered this client. */
    public static final long RETRY_WINDOW_MS = 30_000;
    /** How long it retries before the server has ever answered this client. */
    public static final long CONNECT_WINDOW_MS = 3_000;

    private final ClientOptions options;
    private final Endpoint endpoint;

    public Calls(ClientOptions options, Endpoint endpoint) {
        this.options = options;
        this.endpoint = endpoint;
    }

    public ClientOptions options() {
        return options;
    }

    /** A call that is safe to send twice (reads, puts of the same value, create-or-resume). */
    public <T> T idempotent(Supplier<T> call) {
        long start = System.nanoTime();
        for (int attempt = 0;; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                long delay = options.backoff().delayMillis(attempt);
                long window = endpoint == null || endpoint.reached() ? RETRY_WINDOW_MS : CONNECT_WINDOW_MS;
                long elapsed = (System.nanoTime() - start) / 1_000_000;
                if (!Errors.isRetryable(e) || attempt + 1 >= options.maxAttempts() || elapsed + delay > window) {
                    throw Errors.rethrow(e);
                }
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw Errors.rethrow(e);
                }
            }
        }
    }

    /** A call that must not be repeated blindly (appends). */
    public <T> T once(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw Errors.rethrow(e);
        }
    }
}
