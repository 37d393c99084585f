package dev.labbook.sdk;

import java.util.function.Supplier;

/**
 * Runs one unary call: idempotent calls are retried on UNAVAILABLE and ABORTED with jittered
 * exponential backoff; every failure leaves as a {@link LabbookException}.
 */
final class Calls {
    private final ClientOptions options;

    Calls(ClientOptions options) {
        this.options = options;
    }

    ClientOptions options() {
        return options;
    }

    /** A call that is safe to send twice (reads, puts of the same value, create-or-resume). */
    <T> T idempotent(Supplier<T> call) {
        for (int attempt = 0;; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (!Errors.isRetryable(e) || attempt + 1 >= options.maxAttempts()) {
                    throw Errors.rethrow(e);
                }
                try {
                    options.backoff().sleep(attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw Errors.rethrow(e);
                }
            }
        }
    }

    /** A call that must not be repeated blindly (appends). */
    <T> T once(Supplier<T> call) {
        try {
            return call.get();
        } catch (RuntimeException e) {
            throw Errors.rethrow(e);
        }
    }
}
