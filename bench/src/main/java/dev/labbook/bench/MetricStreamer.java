package dev.labbook.bench;

import dev.labbook.api.v1.LogMetricsRequest;
import dev.labbook.api.v1.LogMetricsResponse;
import dev.labbook.api.v1.MetricServiceGrpc;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends prebuilt batches over one LogMetrics client stream, honouring gRPC flow control
 * (sends only while the call is ready), and waits for the LogMetricsResponse: the server sends
 * it after the last batch committed, so the elapsed time covers durable ingest of every point.
 */
final class MetricStreamer {
    /** Outcome of one stream: the server's totals and client-side nanoTime bounds. */
    record Result(LogMetricsResponse response, long firstSendNanos, long ackNanos) {
        double seconds() {
            return (ackNanos - firstSendNanos) / 1e9;
        }
    }

    private MetricStreamer() {
    }

    static Result stream(MetricServiceGrpc.MetricServiceStub stub, List<LogMetricsRequest> batches, long timeoutMs)
            throws Exception {
        CompletableFuture<LogMetricsResponse> done = new CompletableFuture<>();
        AtomicReference<ClientCallStreamObserver<LogMetricsRequest>> callRef = new AtomicReference<>();
        Object readyLock = new Object();
        ClientResponseObserver<LogMetricsRequest, LogMetricsResponse> observer = new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<LogMetricsRequest> call) {
                callRef.set(call);
                call.setOnReadyHandler(() -> {
                    synchronized (readyLock) {
                        readyLock.notifyAll();
                    }
                });
            }

            @Override
            public void onNext(LogMetricsResponse value) {
                done.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
                synchronized (readyLock) {
                    readyLock.notifyAll();
                }
            }

            @Override
            public void onCompleted() {
                done.completeExceptionally(new IllegalStateException("LogMetrics completed without a response"));
            }
        };
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        StreamObserver<LogMetricsRequest> requests = stub.withDeadlineAfter(timeoutMs, TimeUnit.MILLISECONDS)
                .logMetrics(observer);
        ClientCallStreamObserver<LogMetricsRequest> call = callRef.get();
        long start = System.nanoTime();
        for (LogMetricsRequest batch : batches) {
            synchronized (readyLock) {
                while (!call.isReady() && !done.isDone()) {
                    long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (leftMs <= 0) {
                        call.cancel("benchmark time limit", null);
                        throw new TimeoutException("LogMetrics stream did not become ready in time");
                    }
                    readyLock.wait(Math.min(100, leftMs));
                }
            }
            if (done.isDone()) {
                break; // failed early: get() below reports the status
            }
            requests.onNext(batch);
        }
        if (!done.isDone()) {
            requests.onCompleted();
        }
        try {
            LogMetricsResponse response = done.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new Result(response, start, System.nanoTime());
        } catch (ExecutionException e) {
            throw new IllegalStateException("LogMetrics failed: " + e.getCause(), e.getCause());
        }
    }
}
