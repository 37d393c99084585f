package dev.labbook.server.domain.log;

import java.util.List;

/**
 * Where a {@link LogSubscription} delivers lines. Calls come from one thread at a time (never
 * concurrently), and never after {@link #complete} or {@link #fail}.
 */
public interface LogSink {
    /** Whether the receiver can take another page now (flow control); if not, the subscription
     *  waits for {@link LogSubscription#wake()}. */
    boolean isReady();

    /** Lines in offset order; never empty. */
    void send(List<LogLine> lines);

    /** The read is over: every line was delivered (and, when following, the run ended). */
    void complete();

    /** The read ended with an error (a domain exception, e.g. the run was purged). */
    void fail(RuntimeException error);
}
