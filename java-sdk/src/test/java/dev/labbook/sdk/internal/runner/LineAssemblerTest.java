package dev.labbook.sdk.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LineAssemblerTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final List<CapturedLine> lines = new ArrayList<>();
    private final LineAssembler assembler =
            new LineAssembler(CapturedLine.OutputStream.STDERR, lines::add, now::get);

    private void feed(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        assembler.append(b, 0, b.length);
    }

    private List<String> texts() {
        return lines.stream().map(CapturedLine::text).toList();
    }

    @Test
    void splitsOnNewlinesAcrossChunksAndDropsCarriageReturns() {
        feed("first\nsec");
        feed("ond\r\n\nthird");
        assertThat(texts()).containsExactly("first", "second", "");
        assembler.finish();
        assertThat(texts()).containsExactly("first", "second", "", "third");
        assertThat(lines).allMatch(l -> l.stream() == CapturedLine.OutputStream.STDERR && l.timestampMs() == 1_000);
    }

    @Test
    void emitsAPartialLineOnlyAfterTheStreamWasIdle() {
        feed("Epoch 1 ... ");
        now.addAndGet(100);
        assembler.flushIfIdle(300);
        assertThat(lines).isEmpty();
        now.addAndGet(300);
        assembler.flushIfIdle(300);
        assertThat(texts()).containsExactly("Epoch 1 ... ");
        feed("done\n");
        assertThat(texts()).containsExactly("Epoch 1 ... ", "done");
    }

    @Test
    void aPartialFlushNeverSplitsAMultiByteCharacter() {
        byte[] euro = "a€".getBytes(StandardCharsets.UTF_8); // 'a' + 3 bytes
        assembler.append(euro, 0, 2); // 'a' + first byte of '€'
        now.addAndGet(1_000);
        assembler.flushIfIdle(300);
        assembler.append(euro, 2, 2);
        feed("\n");
        assertThat(texts()).containsExactly("a", "€");
    }

    @Test
    void invalidBytesAndNulAreReplacedNotLost() {
        byte[] bytes = {'x', (byte) 0xFF, 0, 'y', '\n'};
        assembler.append(bytes, 0, bytes.length);
        assertThat(texts()).containsExactly("x\uFFFD\uFFFDy");
    }

    @Test
    void veryLongLinesArriveInPiecesUnderTheLineLimit() {
        feed("é".repeat(LineAssembler.MAX_LINE_BYTES) + "\n"); // 2 bytes each: 2 full pieces + rest
        assertThat(lines).hasSizeGreaterThan(1);
        assertThat(String.join("", texts())).isEqualTo("é".repeat(LineAssembler.MAX_LINE_BYTES));
        assertThat(lines).allMatch(l -> l.text().getBytes(StandardCharsets.UTF_8).length <= 64 * 1024);
    }

    @Test
    void utf8PrefixStopsBeforeAnIncompleteCharacter() {
        assertThat(Utf8.completePrefixLength("ab".getBytes(StandardCharsets.UTF_8))).isEqualTo(2);
        byte[] smile = "x😀".getBytes(StandardCharsets.UTF_8);
        for (int cut = 2; cut < smile.length; cut++) {
            assertThat(Utf8.completePrefixLength(java.util.Arrays.copyOf(smile, cut))).isEqualTo(1);
        }
        assertThat(Utf8.completePrefixLength(smile)).isEqualTo(smile.length);
    }
}
