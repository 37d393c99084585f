package dev.labbook.sdk;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: attempt n waits a random time between a quarter of and the
 * whole of min(max, initial * 2^n), so many clients that lost the server at once do not come back
 * in lock-step (the quarter keeps retries from spinning).
 */
public record Backoff(Duration initial, Duration max) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    public long delayMillis(int attempt) {
        long cap = max.toMillis();
        long base = initial.toMillis() << Math.min(attempt, 20);
        long bound = Math.max(1, Math.min(cap, base));
        return bound / 4 + ThreadLocalRandom.current().nextLong(bound - bound / 4 + 1);
    }

    public void sleep(int attempt) throws InterruptedException {
        Thread.sleep(delayMillis(attempt));
    }
}
