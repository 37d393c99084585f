package dev.labbook.server.domain.log;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link LogSink} for tests: collects pages, records the end, and can refuse readiness. */
final class CollectingSink implements LogSink {
    final List<LogLine> lines = new CopyOnWriteArrayList<>();
    final AtomicInteger pages = new AtomicInteger();
    final CompletableFuture<Void> ended = new CompletableFuture<>();
    volatile boolean ready = true;
    private final AtomicInteger concurrent = new AtomicInteger();
    volatile boolean overlapped;
    volatile boolean calledAfterEnd;

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public void send(List<LogLine> page) {
        enter();
        try {
            if (ended.isDone()) {
                calledAfterEnd = true;
            }
            lines.addAll(page);
            pages.incrementAndGet();
        } finally {
            concurrent.decrementAndGet();
        }
    }

    @Override
    public void complete() {
        enter();
        concurrent.decrementAndGet();
        if (!ended.complete(null)) {
            calledAfterEnd = true;
        }
    }

    @Override
    public void fail(RuntimeException error) {
        enter();
        concurrent.decrementAndGet();
        if (!ended.completeExceptionally(error)) {
            calledAfterEnd = true;
        }
    }

    private void enter() {
        if (concurrent.incrementAndGet() > 1) {
            overlapped = true;
        }
    }

    List<String> texts() {
        List<String> texts = new ArrayList<>();
        lines.forEach(l -> texts.add(l.text()));
        return texts;
    }

    /** Waits until at least {@code n} lines arrived. */
    void awaitLines(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lines.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " lines within " + timeout + ", got " + lines.size());
            }
            Thread.sleep(10);
        }
    }
}
