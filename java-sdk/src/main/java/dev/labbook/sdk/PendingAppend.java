package dev.labbook.sdk;

import java.util.ArrayList;
import java.util.List;

/**
 * One append of log lines or table rows, cut into calls that each carry the writer's id and a
 * sequence of their own, sent in order by {@link #send()}. Sending again after a failure sends the
 * same calls with the same sequences, starting at the first one not confirmed; the server
 * acknowledges a call it committed already as a duplicate without storing it again, so nothing is
 * stored twice, also when an answer was lost on the way back. Before resending a call whose answer
 * was lost it asks {@code GetWriterState} and skips the calls the server committed (no need to
 * resend their data).
 *
 * <p>Appends of one {@link AppendWriter} must be sent one at a time, in the order they were
 * prepared (see there). Not for concurrent use.
 */
public final class PendingAppend {
    /** One call of the append: sends its part under the writer id and sequence, returns the answer's count. */
    @FunctionalInterface
    interface Call {
        long send(String writerId, long sequence);
    }

    /** GetWriterState: the last sequence the server committed for the run and writer. */
    @FunctionalInterface
    interface WriterState {
        long lastSequence(String runId, String writerId);
    }

    private final WriterState writerState;
    private final String runId;
    private final String writerId;
    private final List<Call> calls;
    private final long[] sequences;
    private int confirmed;
    private boolean unsure; // the call at {@code confirmed} was sent and its answer not seen
    private long lastAnswer = -1;
    private long answerSum;

    PendingAppend(WriterState writerState, String runId, AppendWriter writer, List<Call> calls) {
        this.writerState = writerState;
        this.runId = runId;
        this.writerId = writer.id();
        this.calls = List.copyOf(calls);
        this.sequences = new long[calls.size()];
        for (int i = 0; i < sequences.length; i++) {
            sequences[i] = writer.nextSequence();
        }
    }

    /**
     * Sends the calls not confirmed yet, in order; throws (a {@link LabbookException}) at the first
     * one that fails, after which calling it again continues there.
     */
    public synchronized void send() {
        if (unsure) {
            skipCommitted();
        }
        while (confirmed < calls.size()) {
            unsure = true;
            long answer = calls.get(confirmed).send(writerId, sequences[confirmed]);
            unsure = false;
            lastAnswer = answer;
            answerSum += answer;
            confirmed++;
        }
    }

    /** Drops the calls the server committed (their answer lost); when it cannot tell, they are resent. */
    private void skipCommitted() {
        long last;
        try {
            last = writerState.lastSequence(runId, writerId);
        } catch (LabbookException e) {
            return; // resending is safe anyway: the server skips a committed sequence
        }
        while (confirmed < calls.size() && sequences[confirmed] <= last) {
            confirmed++;
            lastAnswer = -1; // not seen: the answer of a skipped call is unknown
        }
        unsure = false;
    }

    /** True once every call is confirmed. */
    public synchronized boolean isDone() {
        return confirmed == calls.size();
    }

    /** The sequences of the calls, in order (for tests and diagnostics). */
    public List<Long> sequences() {
        List<Long> out = new ArrayList<>(sequences.length);
        for (long s : sequences) {
            out.add(s);
        }
        return out;
    }

    /** The count the last call's answer gave; -1 when the last call was skipped as committed. */
    synchronized long lastAnswer() {
        return lastAnswer;
    }

    /** The counts of every answer seen, added up. */
    synchronized long answerSum() {
        return answerSum;
    }
}
