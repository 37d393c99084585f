package dev.labbook.sdk;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How runs buffer and send what they log (see docs/java-sdk.md).
 *
 * @param spoolDir       where unsent metric batches and calls go during an outage
 *                       ({@code LABBOOK_SPOOL_DIR}, default {@code ~/.labbook/spool})
 * @param batchPoints    points per metric batch (at most 100,000)
 * @param bufferPoints   metric points held in memory before callers block
 * @param flushInterval  a partly filled batch is sent after this long
 * @param bufferFullWait how long {@code logMetric} blocks when the buffer is full before the
 *                       batch is spooled to disk instead
 * @param spoolAfter     an outage this long (default 10 s, {@code LABBOOK_SPOOL_AFTER_SECONDS}, as in
 *                       the Python SDK) moves unsent batches and calls from memory to the spool
 * @param closeTimeout   how long {@code close()} waits for delivery
 * @param client         options of the underlying client
 */
public record LabbookOptions(Path spoolDir, int batchPoints, long bufferPoints, Duration flushInterval,
        Duration bufferFullWait, Duration spoolAfter, Duration closeTimeout, ClientOptions client) {

    public LabbookOptions {
        if (batchPoints < 1 || batchPoints > 100_000) {
            throw new IllegalArgumentException("batchPoints must be 1-100000");
        }
        if (bufferPoints < batchPoints) {
            throw new IllegalArgumentException("bufferPoints must be >= batchPoints");
        }
    }

    /**
     * Defaults, with the spool directory from {@code LABBOOK_SPOOL_DIR} and the spool window from
     * {@code LABBOOK_SPOOL_AFTER_SECONDS} (seconds, fractions allowed; both SDKs read it).
     */
    public static LabbookOptions defaults() {
        return defaults(System.getenv());
    }

    static LabbookOptions defaults(java.util.Map<String, String> env) {
        String dir = env.get("LABBOOK_SPOOL_DIR");
        Path spool = dir == null || dir.isBlank() ? Path.of(System.getProperty("user.home"), ".labbook", "spool")
                : Path.of(dir);
        return new LabbookOptions(spool, 50_000, 1_000_000, Duration.ofSeconds(1), Duration.ofMillis(200),
                spoolAfter(env.get("LABBOOK_SPOOL_AFTER_SECONDS")), Duration.ofSeconds(60), ClientOptions.DEFAULT);
    }

    /** {@code LABBOOK_SPOOL_AFTER_SECONDS}: default 10 s; a value that is not a number ≥ 0 is ignored with a warning. */
    private static Duration spoolAfter(String seconds) {
        if (seconds == null || seconds.isBlank()) {
            return Duration.ofSeconds(10);
        }
        try {
            double s = Double.parseDouble(seconds.trim());
            if (s >= 0 && s <= 1e9 && !Double.isNaN(s)) {
                return Duration.ofMillis(Math.round(s * 1000));
            }
        } catch (NumberFormatException e) {
            // below
        }
        java.util.logging.Logger.getLogger(LabbookOptions.class.getName()).warning(
                "labbook: LABBOOK_SPOOL_AFTER_SECONDS=" + seconds + " is not a number of seconds; using 10");
        return Duration.ofSeconds(10);
    }

    public LabbookOptions withSpoolDir(Path dir) {
        return new LabbookOptions(dir, batchPoints, bufferPoints, flushInterval, bufferFullWait, spoolAfter,
                closeTimeout, client);
    }

    public LabbookOptions withBatchPoints(int points) {
        return new LabbookOptions(spoolDir, points, Math.max(bufferPoints, points), flushInterval, bufferFullWait,
                spoolAfter, closeTimeout, client);
    }

    public LabbookOptions withBufferPoints(long points) {
        return new LabbookOptions(spoolDir, batchPoints, points, flushInterval, bufferFullWait, spoolAfter,
                closeTimeout, client);
    }

    public LabbookOptions withFlushInterval(Duration d) {
        return new LabbookOptions(spoolDir, batchPoints, bufferPoints, d, bufferFullWait, spoolAfter, closeTimeout,
                client);
    }

    public LabbookOptions withBufferFullWait(Duration d) {
        return new LabbookOptions(spoolDir, batchPoints, bufferPoints, flushInterval, d, spoolAfter, closeTimeout,
                client);
    }

    public LabbookOptions withSpoolAfter(Duration d) {
        return new LabbookOptions(spoolDir, batchPoints, bufferPoints, flushInterval, bufferFullWait, d, closeTimeout,
                client);
    }

    public LabbookOptions withCloseTimeout(Duration d) {
        return new LabbookOptions(spoolDir, batchPoints, bufferPoints, flushInterval, bufferFullWait, spoolAfter, d,
                client);
    }

    /** Sends this token with every call of the connection (see {@link ClientOptions#withToken}). */
    public LabbookOptions withToken(String token) {
        return withClient(client.withToken(token));
    }

    public LabbookOptions withClient(ClientOptions c) {
        return new LabbookOptions(spoolDir, batchPoints, bufferPoints, flushInterval, bufferFullWait, spoolAfter,
                closeTimeout, c);
    }
}
