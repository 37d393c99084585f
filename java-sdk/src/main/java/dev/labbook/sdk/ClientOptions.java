package dev.labbook.sdk;

import java.time.Duration;

/**
 * How {@link LabbookClient} calls the server.
 *
 * @param callTimeout deadline of each unary call
 * @param maxAttempts attempts of an idempotent call that fails with UNAVAILABLE or ABORTED
 * @param backoff     wait between those attempts
 */
public record ClientOptions(Duration callTimeout, int maxAttempts, Backoff backoff) {
    public static final ClientOptions DEFAULT = new ClientOptions(Duration.ofSeconds(30), 5, Backoff.DEFAULT);

    public ClientOptions {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
    }

    public ClientOptions withMaxAttempts(int attempts) {
        return new ClientOptions(callTimeout, attempts, backoff);
    }

    public ClientOptions withCallTimeout(Duration timeout) {
        return new ClientOptions(timeout, maxAttempts, backoff);
    }
}
