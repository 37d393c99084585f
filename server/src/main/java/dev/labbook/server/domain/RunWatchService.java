package dev.labbook.server.domain;

import dev.labbook.server.store.RunChangeFeed;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Live views of runs (WatchRun): each watcher reads its run in a short read and is told when
 * the run changed (status, description, tags, params, deletion — anything that moves its update
 * time), until the run is finished or the watcher cancels. A read happens at once when the
 * {@link RunChangeFeed} says the run changed (through any replica), and otherwise every
 * {@code interval}, the fallback for a wake-up lost while the feed reconnects. No database
 * connection is held between reads. A read that finds the server busy (every database
 * connection in use) ends the watch with that error; other failed reads are retried.
 */
public final class RunWatchService implements AutoCloseable {
    private final RunService runs;
    private final Duration interval;
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, runnable -> {
        Thread thread = new Thread(runnable, "labbook-run-watch");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<UUID, Set<Watch>> byRun = new ConcurrentHashMap<>();

    public RunWatchService(RunService runs, Duration interval) {
        this(runs, interval, RunChangeFeed.NONE);
    }

    public RunWatchService(RunService runs, Duration interval, RunChangeFeed changes) {
        this.runs = runs;
        this.interval = interval;
        changes.listen((runId, change) -> {
            if (change == RunChangeFeed.Change.RUN) {
                wake(runId);
            }
        });
    }

    /** Reads the run's watches now, on the scheduler's one thread (so never beside their polls). */
    private void wake(UUID runId) {
        Set<Watch> watching = byRun.get(runId);
        if (watching != null) {
            for (Watch watch : watching) {
                try {
                    scheduler.execute(watch::poll);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    return;
                }
            }
        }
    }

    /** What a watcher is told. Calls come from one thread at a time. */
    public interface Listener {
        void changed(Run run);

        /** The run finished (its final state was sent) or went away; no more calls follow. */
        void ended(LabbookException errorOrNull);
    }

    /** A running watch; cancel it when the client goes away. */
    public interface Subscription {
        void cancel();
    }

    /** Sends the run's current state now, then every change. NOT_FOUND is thrown at once. */
    public Subscription watch(UUID runId, Listener listener) {
        Run first = runs.get(runId).run();
        Watch watch = new Watch(runId, listener);
        watches.add(watch);
        byRun.computeIfAbsent(runId, id -> ConcurrentHashMap.newKeySet()).add(watch);
        watch.send(first);
        if (first.status().isTerminal()) {
            watch.end(null);
        } else {
            watch.future = scheduler.scheduleWithFixedDelay(watch::poll, interval.toMillis(), interval.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        return watch::cancel;
    }

    /** Ends every watch with UNAVAILABLE (the server is stopping) and stops polling. */
    @Override
    public void close() {
        for (Watch watch : watches) {
            watch.end(new UnavailableException(ErrorReason.SHUTTING_DOWN, "the server is shutting down; watch the run again", null));
        }
        scheduler.shutdownNow();
    }

    private final class Watch {
        private final UUID runId;
        private final Listener listener;
        private volatile ScheduledFuture<?> future;
        private Run last;
        private boolean ended;

        Watch(UUID runId, Listener listener) {
            this.runId = runId;
            this.listener = listener;
        }

        synchronized void send(Run run) {
            if (!ended) {
                last = run;
                listener.changed(run);
            }
        }

        void poll() {
            synchronized (this) {
                if (ended) {
                    return; // a wake-up queued before the watch ended
                }
            }
            try {
                Run run = runs.get(runId).run();
                boolean changed;
                synchronized (this) {
                    changed = !Objects.equals(run, last);
                }
                if (changed) {
                    send(run);
                }
                if (run.status().isTerminal()) {
                    end(null);
                }
            } catch (NotFoundException e) {
                end(e);
            } catch (ResourceExhaustedException e) {
                // Server busy (no database connection free): the watcher is told to back off and
                // watch again (it gets the run's state first), as a unary call would be, instead
                // of this poll queuing for connections again every tick.
                end(e);
            } catch (RuntimeException e) {
                // A failed poll (database hiccup) is retried at the next tick.
            }
        }

        synchronized void end(LabbookException error) {
            if (ended) {
                return;
            }
            ended = true;
            cancelPolling();
            listener.ended(error);
        }

        synchronized void cancel() {
            ended = true;
            cancelPolling();
        }

        private void cancelPolling() {
            watches.remove(this);
            byRun.computeIfPresent(runId, (id, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
            ScheduledFuture<?> f = future;
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
