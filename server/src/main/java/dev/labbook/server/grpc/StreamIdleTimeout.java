package dev.labbook.server.grpc;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends client streams whose client sent nothing for the idle timeout ({@link StreamDrain#endIdle}),
 * checking a few times per timeout on one daemon thread.
 */
final class StreamIdleTimeout implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamIdleTimeout.class);

    private final ScheduledExecutorService timer;

    private StreamIdleTimeout(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /** Nothing runs when {@code timeout} is zero (no limit). */
    static StreamIdleTimeout start(StreamDrain streams, Duration timeout) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "labbook-stream-idle");
            thread.setDaemon(true);
            return thread;
        });
        if (!timeout.isZero()) {
            // A stream ends between one and one and a quarter timeouts after its last message.
            long everyMs = Math.max(50, Math.min(timeout.toMillis() / 4, 5_000));
            timer.scheduleWithFixedDelay(() -> {
                int ended = streams.endIdle(timeout);
                if (ended > 0) {
                    LOG.info("ended {} client stream(s) idle for {} ms or more", ended, timeout.toMillis());
                }
            }, everyMs, everyMs, TimeUnit.MILLISECONDS);
        }
        return new StreamIdleTimeout(timer);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
