package dev.labbook.sdk;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: attempt n waits a random time in
 * [0, min(max, initial * 2^n)], so many clients that lost the server at once do not come back in
 * lock-step.
 */
public record Backoff(Duration initial, Duration max) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    public long delayMillis(int attempt) {
        long cap = max.toMillis();
        long base = initial.toMillis() << Math.min(attempt, 20);
        long bound = Math.max(1, Math.min(cap, base));
        // at least a quarter of the bound, so that retries do not spin
        return bound / 4 + ThreadLocalRandom.current().nextLong(bound - bound / 4 + 1);
    }

    public void sleep(int attempt) throws InterruptedException {
        Thread.sleep(delayMillis(attempt));
    }
}
