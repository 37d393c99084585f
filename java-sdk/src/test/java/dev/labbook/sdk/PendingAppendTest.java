package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.LogText;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A pending append against a fake server that keeps, like the real one, the last committed
 * sequence of each writer and skips a call whose sequence is not newer.
 */
class PendingAppendTest {
    private static final class FakeServer {
        final List<String> stored = new ArrayList<>();
        long lastSequence;
        int stateQueries;
        int calls;
        /** Calls (1-based) that fail before storing; calls whose answer is lost after storing. */
        final List<Integer> failBefore = new ArrayList<>();
        final List<Integer> loseAnswer = new ArrayList<>();

        long append(String writerId, long sequence, String item) {
            calls++;
            if (failBefore.contains(calls)) {
                throw new UnavailableException("down", null);
            }
            if (sequence > lastSequence) {
                stored.add(item);
                lastSequence = sequence;
            }
            if (loseAnswer.contains(calls)) {
                throw new UnavailableException("answer lost", null);
            }
            return stored.size();
        }

        PendingAppend prepare(AppendWriter writer, String... items) {
            List<PendingAppend.Call> parts = new ArrayList<>();
            for (String item : items) {
                parts.add((writerId, sequence) -> append(writerId, sequence, item));
            }
            return new PendingAppend((run, w) -> {
                stateQueries++;
                return lastSequence;
            }, "run", writer, parts);
        }
    }

    @Test
    void sequencesFollowEachOtherAcrossTheAppendsOfOneWriter() {
        FakeServer server = new FakeServer();
        AppendWriter writer = new AppendWriter("logs");
        assertThat(writer.id()).startsWith("java-logs-").hasSizeLessThanOrEqualTo(64);
        assertThat(server.prepare(writer, "a", "b").sequences()).containsExactly(1L, 2L);
        assertThat(server.prepare(writer, "c").sequences()).containsExactly(3L);
        assertThat(new AppendWriter("logs").id()).isNotEqualTo(writer.id());
    }

    @Test
    void aCallWhoseAnswerWasLostIsSkippedAfterAskingTheWriterState() {
        FakeServer server = new FakeServer();
        server.loseAnswer.add(2);
        PendingAppend append = server.prepare(new AppendWriter("rows"), "a", "b", "c");
        assertThatThrownBy(append::send).isInstanceOf(UnavailableException.class);
        assertThat(append.isDone()).isFalse();
        append.send();
        assertThat(append.isDone()).isTrue();
        assertThat(server.stored).containsExactly("a", "b", "c");
        assertThat(server.stateQueries).isEqualTo(1);
        assertThat(server.calls).isEqualTo(3); // "b" was not sent again
    }

    @Test
    void aCallThatFailedBeforeTheServerStoredItIsResentUnderItsSequence() {
        FakeServer server = new FakeServer();
        server.failBefore.add(1);
        PendingAppend append = server.prepare(new AppendWriter("rows"), "a", "b");
        assertThatThrownBy(append::send).isInstanceOf(UnavailableException.class);
        append.send();
        assertThat(server.stored).containsExactly("a", "b");
        assertThat(append.lastAnswer()).isEqualTo(2);
    }

    @Test
    void withoutAWriterStateAResentCallIsSkippedByTheServer() {
        FakeServer server = new FakeServer();
        server.loseAnswer.add(1);
        AtomicInteger queries = new AtomicInteger();
        List<PendingAppend.Call> parts = List.of((w, s) -> server.append(w, s, "a"));
        PendingAppend append = new PendingAppend((run, w) -> {
            queries.incrementAndGet();
            throw new UnavailableException("still down", null);
        }, "run", new AppendWriter("logs"), parts);
        assertThatThrownBy(append::send).isInstanceOf(UnavailableException.class);
        append.send();
        assertThat(queries).hasValue(1);
        assertThat(server.calls).isEqualTo(2);
        assertThat(server.stored).containsExactly("a");
    }

    @Test
    void logLinesAreCutIntoCallsByCountAndSize() {
        List<LogLine> lines = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            lines.add(LogLine.of(LogLevel.INFO, "line " + i));
        }
        assertThat(LogText.messages(lines)).extracting(List::size).containsExactly(1000, 1000, 500);
        String big = "x".repeat(LogText.MAX_LINE_BYTES / 3);
        List<LogLine> wide = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            wide.add(LogLine.of(LogLevel.INFO, big));
        }
        List<List<LogLine>> messages = LogText.messages(wide);
        assertThat(messages).hasSizeGreaterThan(1);
        assertThat(messages.stream().mapToInt(List::size).sum()).isEqualTo(200);
        assertThat(LogText.messages(List.of())).isEmpty();
    }
}
