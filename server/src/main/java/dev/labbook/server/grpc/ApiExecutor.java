package dev.labbook.server.grpc;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that run the gRPC port's calls (the services' callbacks; the HTTP port has Armeria's):
 * a fixed number, so that 4,000 open streams do not mean 4,000 threads. Work beyond them waits in
 * the queue; grpc-java runs each call's callbacks one at a time and reads a call's next message
 * only after its service asked for it, so a queued call holds at most one message and HTTP/2 flow
 * control holds back the rest at the client. Idle threads end after a minute.
 */
public final class ApiExecutor implements AutoCloseable {
    private final ThreadPoolExecutor pool;
    private final ThreadPoolExecutor dispatch;

    private ApiExecutor(ThreadPoolExecutor pool, ThreadPoolExecutor dispatch) {
        this.pool = pool;
        this.dispatch = dispatch;
    }

    public static ApiExecutor fixed(int threads) {
        return new ApiExecutor(pool("labbook-api-", threads), pool("labbook-grpc-dispatch-", 2));
    }

    private static ThreadPoolExecutor pool(String name, int threads) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, name + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Two threads that only look up each call's method and run the health service (its checks
     * answer from memory): probes are answered while every API thread is busy.
     */
    public Executor dispatchExecutor() {
        return dispatch;
    }

    public Executor executor() {
        return pool;
    }

    /** Threads running now. */
    public int threads() {
        return pool.getPoolSize();
    }

    /** Callbacks waiting for a thread. */
    public int queued() {
        return pool.getQueue().size();
    }

    /** Stops taking work; callbacks already queued still run. */
    @Override
    public void close() {
        pool.shutdown();
        dispatch.shutdown();
    }
}
