package dev.labbook.server.testing;

import io.grpc.stub.StreamObserver;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Response observer for server-streaming calls in tests: one queue with what each message is
 * mapped to, in arrival order, then {@link #COMPLETED} or the stream's error (a Throwable).
 */
public final class StreamEvents<T> implements StreamObserver<T> {
    public static final String COMPLETED = "completed";

    private final Function<? super T, ? extends Collection<?>> unpack;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();

    private StreamEvents(Function<? super T, ? extends Collection<?>> unpack) {
        this.unpack = unpack;
    }

    /** One event per message: {@code each} of it (e.g. {@code WatchRunResponse::getRun}). */
    public static <T> StreamEvents<T> of(Function<? super T, ?> each) {
        return new StreamEvents<>(message -> List.of(each.apply(message)));
    }

    /** Any number of events per message, e.g. its lines ({@code ReadLogsResponse::getLinesList}). */
    public static <T> StreamEvents<T> flattening(Function<? super T, ? extends Collection<?>> unpack) {
        return new StreamEvents<>(unpack);
    }

    @Override
    public void onNext(T message) {
        events.addAll(unpack.apply(message));
    }

    @Override
    public void onError(Throwable t) {
        events.add(t);
    }

    @Override
    public void onCompleted() {
        events.add(COMPLETED);
    }

    /** The queue itself, for tests that poll it event by event. */
    public BlockingQueue<Object> events() {
        return events;
    }

    /** The next event, which must be a message of {@code type}; null when none arrives in time. */
    public <M> M next(Class<M> type, long seconds) throws InterruptedException {
        return message(type, events.poll(seconds, TimeUnit.SECONDS));
    }

    /** The first message of {@code type} that {@code wanted} accepts, skipping others; null when none in time. */
    public <M> M awaitMessage(Class<M> type, Predicate<? super M> wanted, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            M message = message(type, events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS));
            if (message != null && wanted.test(message)) {
                return message;
            }
        }
        return null;
    }

    private static <M> M message(Class<M> type, Object event) {
        if (event != null && !type.isInstance(event)) {
            throw new AssertionError("expected a " + type.getSimpleName() + ", the stream gave " + event);
        }
        return type.cast(event);
    }

    /** How the stream ended ({@link #COMPLETED} or its error), skipping messages; null when not in time. */
    public Object awaitEnd(long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Object event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (COMPLETED.equals(event) || event instanceof Throwable) {
                return event;
            }
        }
        return null;
    }
}
