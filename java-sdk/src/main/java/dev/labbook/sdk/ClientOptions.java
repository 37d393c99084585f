package dev.labbook.sdk;

import java.time.Duration;

/**
 * How {@link LabbookClient} calls the server.
 *
 * @param callTimeout deadline of each unary call
 * @param maxAttempts attempts at most of an idempotent call that fails with UNAVAILABLE or ABORTED;
 *                    the default (100) leaves the limit to the retry windows: 30 s, or 3 s while
 *                    the server has not answered the client yet (docs/java-sdk.md)
 * @param backoff     wait between those attempts
 * @param token       the API token (or JWT) sent with every call, ahead of every other source
 *                    ({@link Credentials}); null: {@code LABBOOK_TOKEN}, {@code LABBOOK_TOKEN_FILE},
 *                    then {@code ~/.labbook/credentials}. Never shown by {@link #toString()}.
 */
public record ClientOptions(Duration callTimeout, int maxAttempts, Backoff backoff, String token) {
    public static final ClientOptions DEFAULT = new ClientOptions(Duration.ofSeconds(30), 100, Backoff.DEFAULT, null);

    public ClientOptions {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1");
        }
        token = token == null || token.isBlank() ? null : token.strip();
    }

    public ClientOptions(Duration callTimeout, int maxAttempts, Backoff backoff) {
        this(callTimeout, maxAttempts, backoff, null);
    }

    public ClientOptions withMaxAttempts(int attempts) {
        return new ClientOptions(callTimeout, attempts, backoff, token);
    }

    /** Sends this token (an API token {@code lbk_...} or a JWT) with every call; null: look it up. */
    public ClientOptions withToken(String t) {
        return new ClientOptions(callTimeout, maxAttempts, backoff, t);
    }

    @Override
    public String toString() {
        return "ClientOptions[callTimeout=" + callTimeout + ", maxAttempts=" + maxAttempts + ", backoff=" + backoff
                + ", token=" + (token == null ? "null" : "***") + "]";
    }
}
