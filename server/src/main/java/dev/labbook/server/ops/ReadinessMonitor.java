package dev.labbook.server.ops;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Readiness: checks what the server cannot serve without (PostgreSQL, the artifact store) every
 * {@code interval}, each check given {@code timeout}, and reports ready or not whenever that
 * changes. The checks run side by side on threads of their own; a check still running from an
 * earlier pass is waited for, not started again, so a hanging store ties up one thread.
 */
public final class ReadinessMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReadinessMonitor.class);

    /** Something the server needs, by the name the log uses, with its check (throws when down). */
    public record Dependency(String name, Runnable check) {
    }

    private final List<Dependency> dependencies;
    private final Duration timeout;
    private final Consumer<Boolean> report;
    private final ScheduledExecutorService passes;
    private final ExecutorService checks;
    private final Map<String, Future<?>> running = new HashMap<>();
    private Boolean ready;

    private ReadinessMonitor(List<Dependency> dependencies, Duration timeout, Consumer<Boolean> report) {
        this.dependencies = List.copyOf(dependencies);
        this.timeout = timeout;
        this.report = report;
        this.passes = Executors.newSingleThreadScheduledExecutor(daemon("labbook-readiness"));
        this.checks = Executors.newCachedThreadPool(daemon("labbook-readiness-check"));
    }

    /** Starts checking now and every {@code interval}; {@code report} hears each change (first: the first result). */
    public static ReadinessMonitor start(List<Dependency> dependencies, Duration interval, Duration timeout,
            Consumer<Boolean> report) {
        ReadinessMonitor monitor = new ReadinessMonitor(dependencies, timeout, report);
        monitor.passes.scheduleWithFixedDelay(monitor::passQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return monitor;
    }

    private void passQuietly() {
        try {
            pass();
        } catch (RuntimeException e) {
            LOG.warn("readiness check pass failed", e);
        }
    }

    /** One pass: every check, then a report when readiness changed. */
    void pass() {
        for (Dependency dependency : dependencies) {
            Future<?> previous = running.get(dependency.name());
            if (previous == null || previous.isDone()) {
                running.put(dependency.name(), checks.submit(dependency.check()));
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> failing = new LinkedHashMap<>();
        for (Dependency dependency : dependencies) {
            Future<?> check = running.get(dependency.name());
            try {
                check.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                failing.put(dependency.name(), cause.getMessage() == null ? cause.toString() : cause.getMessage());
            } catch (TimeoutException e) {
                failing.put(dependency.name(), "no answer within " + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        boolean now = failing.isEmpty();
        if (ready == null || ready != now) {
            if (now) {
                if (ready != null) {
                    LOG.info("readiness: SERVING again, every dependency answers");
                }
            } else {
                LOG.warn("readiness: NOT_SERVING until it answers again: {}", describe(failing));
            }
            ready = now;
            report.accept(now);
        }
    }

    private static String describe(Map<String, String> failing) {
        StringBuilder text = new StringBuilder();
        failing.forEach((name, why) -> text.append(text.isEmpty() ? "" : "; ").append(name).append(": ").append(why));
        return text.toString();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Stops checking (at shutdown, before what the checks use is closed). */
    @Override
    public void close() throws InterruptedException {
        passes.shutdownNow();
        checks.shutdownNow();
        passes.awaitTermination(5, TimeUnit.SECONDS);
    }
}
