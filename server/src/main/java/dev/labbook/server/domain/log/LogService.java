package dev.labbook.server.domain.log;

import dev.labbook.server.domain.AppendSequence;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.RunGuards;
import dev.labbook.server.store.LogRepository;
import dev.labbook.server.store.RunChangeFeed;
import dev.labbook.server.store.TrackingStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Text logs of runs: appends that give lines dense offsets in arrival order, reads in offset
 * order with a level filter, and streamed reads that follow a live run.
 *
 * <p>Following: a {@link LogSubscription} reads page after page in short transactions on a small
 * scheduler of its own (never on the caller's thread, never holding a connection while it
 * waits). Once it has caught up it waits for an append on this server (in-process
 * notification, immediate), a wake-up from the {@link RunChangeFeed} (appends and status changes
 * committed through any replica, this one included), or the next poll (every
 * {@code pollInterval}: the fallback for a wake-up lost while the feed reconnects), and ends
 * when the run is finished (or deleted) and every line is delivered. {@link #close()} ends open subscriptions with
 * UNAVAILABLE and stops the scheduler.
 */
public final class LogService implements AutoCloseable {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    public static final int DEFAULT_THREADS = 2;

    private final TrackingStore store;
    private final Clock clock;
    private final Duration pollInterval;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ConcurrentHashMap<UUID, Set<LogSubscription>> followers = new ConcurrentHashMap<>();
    private final Set<LogSubscription> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public LogService(TrackingStore store, Clock clock) {
        this(store, clock, DEFAULT_POLL_INTERVAL, DEFAULT_THREADS);
    }

    public LogService(TrackingStore store, Clock clock, Duration pollInterval, int threads) {
        this(store, clock, pollInterval, threads, RunChangeFeed.NONE);
    }

    /** Followers are also woken by {@code changes}: lines and status changes through other replicas. */
    public LogService(TrackingStore store, Clock clock, Duration pollInterval, int threads, RunChangeFeed changes) {
        this.store = store;
        this.clock = clock;
        this.pollInterval = pollInterval;
        this.scheduler = new ScheduledThreadPoolExecutor(threads, daemonThreads());
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        // New lines wake followers; so does a status change (a finished run ends its follows).
        changes.listen((runId, change) -> wakeFollowers(runId));
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "labbook-log-follow-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** {@link #append(UUID, List, AppendSequence)} without a writer: stored as it comes. */
    public AppendedLines append(UUID runId, List<NewLogLine> lines) {
        return append(runId, lines, AppendSequence.NONE);
    }

    /**
     * Stores lines in one transaction, after every line already stored for the run, and wakes
     * this server's followers of the run; or stores nothing when {@code sequence} is not newer
     * than its writer's last one (a retried append). A null level is INFO, a null stream USER,
     * timestamp 0 the server's time. Errors: INVALID_ARGUMENT naming {@code lines[i].field},
     * NOT_FOUND, FAILED_PRECONDITION when the run or its experiment is deleted. An empty list
     * only checks the run (and advances the writer).
     */
    public AppendedLines append(UUID runId, List<NewLogLine> lines, AppendSequence sequence) {
        validate(lines);
        long now = clock.millis();
        AppendedLines appended = store.inTransaction(tx -> {
            LogRepository logs = tx.logs();
            RunLogState state = logs.runState(runId, true).orElseThrow(() -> RunGuards.notFound(runId));
            if (state.runDeleted()) {
                throw RunGuards.deletedRun(runId);
            }
            if (state.experimentDeleted()) {
                throw RunGuards.deletedExperimentOf(runId);
            }
            if (!sequence.claim(tx.writers(), runId, clock.instant())) {
                return AppendedLines.skipped();
            }
            if (lines.isEmpty()) {
                return new AppendedLines(state.endOffset(), 0);
            }
            long offset = logs.reserveOffsets(runId, lines.size());
            List<LogLine> stored = new ArrayList<>(lines.size());
            for (NewLogLine line : lines) {
                stored.add(new LogLine(offset + stored.size(), line.timestampMs() == 0 ? now : line.timestampMs(),
                        line.level() == null ? LogLevel.INFO : line.level(),
                        line.stream() == null ? LogStream.USER : line.stream(), line.text()));
            }
            logs.insertLines(runId, stored);
            return new AppendedLines(offset, lines.size());
        });
        if (appended.count() > 0) {
            wakeFollowers(runId); // at once, without waiting for the change feed's round trip
        }
        return appended;
    }

    private void wakeFollowers(UUID runId) {
        Set<LogSubscription> subscribed = followers.get(runId);
        if (subscribed != null) {
            subscribed.forEach(LogSubscription::wake);
        }
    }

    private static void validate(List<NewLogLine> lines) {
        if (lines.size() > LogLimits.MAX_LINES_PER_APPEND) {
            throw new InvalidArgumentException("lines", "has " + lines.size() + " lines; at most "
                    + LogLimits.MAX_LINES_PER_APPEND + " per message");
        }
        for (int i = 0; i < lines.size(); i++) {
            NewLogLine line = lines.get(i);
            String text = line.text();
            if (text == null) {
                throw new InvalidArgumentException("lines[" + i + "].text", "is required (may be empty)");
            }
            // A UTF-8 character takes at most 3 bytes per UTF-16 char: count only when it may matter.
            if ((long) text.length() * 3 > LogLimits.MAX_LINE_BYTES) {
                int bytes = text.getBytes(StandardCharsets.UTF_8).length;
                if (bytes > LogLimits.MAX_LINE_BYTES) {
                    throw new InvalidArgumentException("lines[" + i + "].text", "is " + bytes + " bytes; at most "
                            + LogLimits.MAX_LINE_BYTES + " allowed (split long output into several lines)");
                }
            }
            if (text.indexOf('\0') >= 0) {
                throw new InvalidArgumentException("lines[" + i + "].text", "must not contain NUL characters");
            }
            if (line.timestampMs() < 0) {
                throw new InvalidArgumentException("lines[" + i + "].timestamp_ms",
                        "must not be negative (0 means the server's time)");
            }
        }
    }

    /**
     * One page of a run's lines from {@code startOffset}, at {@code minLevel} or above (null =
     * all): at most {@code limit} lines (0 or more than {@value LogLimits#PAGE_LINES} means
     * {@value LogLimits#PAGE_LINES}), and at most about {@value LogLimits#PAGE_BYTES} bytes of
     * text. Continue from {@link LogPage#nextOffset()} while not {@link LogPage#atEnd()}; with a
     * level filter a page may be empty but not at the end. Errors: INVALID_ARGUMENT, NOT_FOUND.
     */
    public LogPage read(UUID runId, long startOffset, int limit, LogLevel minLevel) {
        if (startOffset < 0) {
            throw new InvalidArgumentException("start_offset", "must not be negative");
        }
        if (limit < 0) {
            throw new InvalidArgumentException("limit", "must not be negative");
        }
        int lines = limit == 0 ? LogLimits.PAGE_LINES : Math.min(limit, LogLimits.PAGE_LINES);
        return readPage(runId, startOffset, Long.MAX_VALUE, lines, minLevel);
    }

    /** A page of lines below {@code upTo}; see {@link #read}. */
    LogPage readPage(UUID runId, long from, long upTo, int maxLines, LogLevel minLevel) {
        return store.inTransaction(tx -> {
            LogRepository logs = tx.logs();
            // The state is read first: every line below its end offset is committed (offsets
            // commit in increasing order), and if the run is finished, so is every line
            // appended before it finished.
            RunLogState state = logs.runState(runId, false).orElseThrow(() -> RunGuards.notFound(runId));
            long end = Math.min(state.endOffset(), upTo);
            long to = minLevel != null && minLevel != LogLevel.DEBUG
                    ? Math.min(end, from + LogLimits.FILTER_SCAN_WINDOW)
                    : end;
            List<LogLine> lines = logs.lines(runId, from, to, minLevel, maxLines, LogLimits.PAGE_BYTES);
            long next = lines.isEmpty() ? Math.max(from, to) : lines.get(lines.size() - 1).offset() + 1;
            return new LogPage(lines, next, end, state.closed());
        });
    }

    /**
     * Prepares a streamed read (see {@link LogQuery}); nothing is delivered before
     * {@link LogSubscription#start()}, so the caller can install its flow-control and
     * cancellation callbacks first. A read without follow ends at the log's end as of this call.
     * Errors (thrown here): INVALID_ARGUMENT, NOT_FOUND; later ones go to {@link LogSink#fail}.
     */
    public LogSubscription open(LogQuery query, LogSink sink) {
        if (query.runId() == null) {
            throw new InvalidArgumentException("run_id", "is required");
        }
        if (query.startOffset() < 0) {
            throw new InvalidArgumentException("start_offset", "must not be negative");
        }
        if (query.limit() < 0) {
            throw new InvalidArgumentException("limit", "must not be negative (0 means no limit)");
        }
        if (closed) {
            throw new dev.labbook.server.domain.UnavailableException(ErrorReason.SHUTTING_DOWN,
                    "the server is shutting down; read again on another replica", null);
        }
        RunLogState state = store.inTransaction(tx -> tx.logs().runState(query.runId(), false))
                .orElseThrow(() -> RunGuards.notFound(query.runId()));
        long upTo = query.follow() ? Long.MAX_VALUE : state.endOffset();
        return new LogSubscription(this, query, upTo, sink);
    }

    // --- used by LogSubscription ---

    boolean isClosed() {
        return closed;
    }

    Duration pollInterval() {
        return pollInterval;
    }

    ScheduledThreadPoolExecutor scheduler() {
        return scheduler;
    }

    void register(LogSubscription subscription, boolean follow) {
        open.add(subscription);
        if (follow) {
            followers.compute(subscription.runId(), (id, set) -> {
                Set<LogSubscription> s = set == null ? ConcurrentHashMap.newKeySet() : set;
                s.add(subscription);
                return s;
            });
        }
    }

    void unregister(LogSubscription subscription) {
        open.remove(subscription);
        followers.computeIfPresent(subscription.runId(), (id, set) -> {
            set.remove(subscription);
            return set.isEmpty() ? null : set;
        });
    }

    /** Subscriptions not yet ended (for tests and metrics). */
    public int openSubscriptions() {
        return open.size();
    }

    /**
     * Ends every open subscription with UNAVAILABLE (clients resume from their last offset,
     * possibly on another replica) and stops the scheduler. Call it before the gRPC server's
     * graceful shutdown, which otherwise waits for followers.
     */
    @Override
    public void close() {
        closed = true;
        for (LogSubscription subscription : List.copyOf(open)) {
            subscription.wake();
        }
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
