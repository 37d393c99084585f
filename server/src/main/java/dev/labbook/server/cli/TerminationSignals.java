package dev.labbook.server.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs the graceful shutdown on SIGTERM and SIGINT itself, instead of in a JVM shutdown hook:
 * hooks run all at once, and the embedded PostgreSQL library's own hook would stop the database
 * while calls are still draining. The JVM exits (and runs the hooks) only after the shutdown.
 */
final class TerminationSignals {
    private static final Logger LOG = LoggerFactory.getLogger(TerminationSignals.class);

    private TerminationSignals() {
    }

    static void onTermination(Runnable shutdown) {
        AtomicBoolean started = new AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    if (started.compareAndSet(false, true)) {
                        LOG.info("SIG{} received: shutting down gracefully", signal.getName());
                        Thread worker = new Thread(shutdown, "labbook-shutdown");
                        worker.start();
                    }
                });
            } catch (IllegalArgumentException unsupported) {
                // Not a signal of this platform: the shutdown hook still stops the server.
            }
        }
    }
}
