package dev.labbook.cli.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While the script runs, INT (Ctrl-C), TERM and HUP sent to {@code labbook run} are forwarded to
 * the script instead of stopping the JVM, and remembered so the run ends CANCELED.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK 17+), because a
 * shutdown hook cannot keep the JVM alive: the launcher must wait for the script to finish its own
 * cleanup, then set the status, upload outputs and exit with the script's code. The previous
 * handlers are restored by {@link #close()}.
 */
final class SignalForwarder implements AutoCloseable {
    private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP");

    private final AtomicReference<String> received = new AtomicReference<>();
    private final List<Runnable> restore = new ArrayList<>();

    SignalForwarder(ChildProcess child) {
        for (String name : FORWARDED) {
            try {
                Signal signal = new Signal(name);
                SignalHandler previous = Signal.handle(signal, s -> {
                    received.compareAndSet(null, name);
                    child.signal(name);
                });
                restore.add(() -> Signal.handle(signal, previous));
            } catch (IllegalArgumentException e) {
                // The signal does not exist here or the JVM reserves it (e.g. under -Xrs): not forwarded.
            }
        }
    }

    /** The first signal received, or null. */
    String received() {
        return received.get();
    }

    @Override
    public void close() {
        restore.forEach(Runnable::run);
    }
}
