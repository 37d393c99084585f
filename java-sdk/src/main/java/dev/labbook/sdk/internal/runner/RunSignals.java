package dev.labbook.sdk.internal.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * INT (Ctrl-C), TERM and HUP sent to {@code labbook run}, from the moment its run exists until
 * its final status is set, so that no signal leaves the run RUNNING:
 * <ul>
 *   <li>before the script starts, a signal is remembered (the script is then not started, or
 *       gets it at once);</li>
 *   <li>while the script runs, it is forwarded to the script, whose cleanup decides when it ends;</li>
 *   <li>after the script has ended, it cuts short what is left ({@link #finish}: the log drain and
 *       the outputs upload);</li>
 *   <li>while the status is being set ({@link #settling}), it is ignored: that call is short and
 *       is the point of waiting.</li>
 * </ul>
 * Any of these makes the run CANCELED. The previous handlers are restored by {@link #close()}.
 *
 * <p>Uses {@code sun.misc.Signal} (module jdk.unsupported, present in every JDK 17+), because a
 * shutdown hook cannot keep the JVM alive: the launcher must wait for the script to finish its own
 * cleanup, then upload outputs, set the status and exit with the script's code.
 */
public final class RunSignals implements AutoCloseable {
    private static final List<String> HANDLED = List.of("INT", "TERM", "HUP");
    /** How long {@link #finish} waits for its work to stop once a signal has cut it short. */
    static final long STOP_MS = LogShipper.STOP_MS + 1_000;

    private enum Phase { STARTING, SCRIPT, FINISHING, SETTLING }

    private final List<Runnable> restore = new ArrayList<>();
    private final CompletableFuture<String> afterScript = new CompletableFuture<>();
    private Phase phase = Phase.STARTING;
    private ChildProcess child;
    private String duringScript;

    private RunSignals() {
    }

    /** Installs the handlers; close it once the run's status is set. */
    public static RunSignals install() {
        RunSignals signals = new RunSignals();
        for (String name : HANDLED) {
            try {
                Signal signal = new Signal(name);
                SignalHandler previous = Signal.handle(signal, s -> signals.received(name));
                signals.restore.add(() -> Signal.handle(signal, previous));
            } catch (IllegalArgumentException e) {
                // The signal does not exist here or the JVM reserves it (e.g. under -Xrs): not handled.
            }
        }
        return signals;
    }

    /** The exit status of a process killed by the signal, as shells report it (130 for INT). */
    public static int exitCode(String signalName) {
        return 128 + new Signal(signalName).getNumber();
    }

    private synchronized void received(String name) {
        switch (phase) {
            case STARTING -> rememberDuringScript(name);
            case SCRIPT -> {
                rememberDuringScript(name);
                child.signal(name);
            }
            case FINISHING -> afterScript.complete(name);
            case SETTLING -> {
                // The status call is under way; it is what the user is waiting for.
            }
        }
    }

    private void rememberDuringScript(String name) {
        if (duringScript == null) {
            duringScript = name;
        }
    }

    /**
     * The run was canceled elsewhere (CancelRun, seen by the runner of a submission): the script
     * gets TERM as if the runner had received it (the run ends CANCELED), and KILL if it still
     * runs {@code killAfterMs} later.
     */
    public void canceledElsewhere(long killAfterMs) {
        received("TERM");
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(killAfterMs);
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (phase == Phase.SCRIPT) {
                    child.signal("KILL");
                }
            }
        }, "labbook-cancel-kill");
        killer.setDaemon(true);
        killer.start();
    }

    /** The first signal received before the script ended, or null. */
    public synchronized String beforeScriptEnded() {
        return duringScript;
    }

    /** The signal that cut short the work after the script, or null. */
    public String afterScriptEnded() {
        return afterScript.getNow(null);
    }

    /** The script is running: signals go to it from now on (one that came before goes at once). */
    synchronized void scriptStarted(ChildProcess script) {
        child = script;
        phase = Phase.SCRIPT;
        if (duringScript != null) {
            script.signal(duringScript);
        }
    }

    /** The script has exited: from now on a signal cuts short the work that follows. */
    synchronized void scriptEnded() {
        if (phase == Phase.STARTING || phase == Phase.SCRIPT) {
            phase = Phase.FINISHING;
        }
    }

    /**
     * Runs {@code work} (the log drain, the outputs upload) on a thread of its own so that a signal
     * can cut it short: the thread is then interrupted and waited for at most {@link #STOP_MS}.
     * Empty when a signal came first (or came before, while the script's pipes were drained).
     */
    public <T> Optional<T> finish(Callable<T> work) throws InterruptedException {
        scriptEnded();
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                result.complete(work.call());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        }, "labbook-finish");
        worker.setDaemon(true);
        worker.start();
        CompletableFuture.anyOf(afterScript, result).handle((v, t) -> null).join();
        if (!result.isDone()) {
            worker.interrupt();
            worker.join(STOP_MS);
        }
        if (!result.isDone() || result.isCompletedExceptionally() && afterScript.isDone()) {
            return Optional.empty(); // cut short; its own warnings say what was left undone
        }
        try {
            return Optional.ofNullable(result.join());
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The final status is being set: signals no longer change anything. */
    public synchronized void settling() {
        phase = Phase.SETTLING;
    }

    @Override
    public void close() {
        restore.forEach(Runnable::run);
    }
}
