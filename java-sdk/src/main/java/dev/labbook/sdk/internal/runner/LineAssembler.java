package dev.labbook.sdk.internal.runner;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Cuts one output stream's bytes into log lines.
 *
 * <ul>
 *   <li>A line ends at {@code \n}; a trailing {@code \r} is dropped (CRLF output).</li>
 *   <li>A partial line (no newline yet) is emitted by {@link #flushIfIdle} once no byte arrived for
 *       the idle delay, and by {@link #finish} at exit, so prompts and progress output are not held
 *       back; its continuation becomes the next line.</li>
 *   <li>Binary-safe: bytes are decoded as UTF-8 with invalid sequences replaced by U+FFFD, NUL (which
 *       the log API rejects) too. A partial flush never splits a multi-byte character.</li>
 *   <li>A line longer than {@link #MAX_LINE_BYTES} bytes is emitted in pieces, which keeps each
 *       piece under the API's 64 KiB-per-line limit even when every byte is replaced.</li>
 * </ul>
 * Thread-safe: the pump thread appends while a timer thread flushes idle partial lines.
 */
public final class LineAssembler {
    static final int MAX_LINE_BYTES = 16 * 1024;

    private final CapturedLine.OutputStream stream;
    private final Consumer<CapturedLine> sink;
    private final LongSupplier clock;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private long lastByteAtMs;

    public LineAssembler(CapturedLine.OutputStream stream, Consumer<CapturedLine> sink, LongSupplier clock) {
        this.stream = stream;
        this.sink = sink;
        this.clock = clock;
    }

    public synchronized void append(byte[] bytes, int off, int len) {
        lastByteAtMs = clock.getAsLong();
        int start = off;
        for (int i = off; i < off + len; i++) {
            if (bytes[i] == '\n') {
                pending.write(bytes, start, i - start);
                emit(pending.toByteArray(), true);
                pending.reset();
                start = i + 1;
            } else if (pending.size() + (i - start) >= MAX_LINE_BYTES) {
                pending.write(bytes, start, i - start);
                start = i;
                emitCompleteCharacters();
            }
        }
        pending.write(bytes, start, off + len - start);
    }

    /** Emits the partial line if nothing arrived for {@code idleMs}. */
    public synchronized void flushIfIdle(long idleMs) {
        if (pending.size() > 0 && clock.getAsLong() - lastByteAtMs >= idleMs) {
            emitCompleteCharacters();
        }
    }

    /** Emits whatever is left (the stream ended). */
    public synchronized void finish() {
        if (pending.size() > 0) {
            emit(pending.toByteArray(), false);
            pending.reset();
        }
    }

    /** Emits the pending bytes up to the last complete UTF-8 character and keeps the rest. */
    private void emitCompleteCharacters() {
        byte[] bytes = pending.toByteArray();
        int cut = Utf8.completePrefixLength(bytes);
        if (cut == 0) {
            cut = bytes.length; // nothing complete: not UTF-8 at all, emit as is (replaced)
        }
        emit(java.util.Arrays.copyOf(bytes, cut), false);
        pending.reset();
        pending.write(bytes, cut, bytes.length - cut);
    }

    private void emit(byte[] bytes, boolean newlineTerminated) {
        int len = bytes.length;
        if (newlineTerminated && len > 0 && bytes[len - 1] == '\r') {
            len--;
        }
        sink.accept(new CapturedLine(stream, clock.getAsLong(), decode(bytes, len)));
    }

    static String decode(byte[] bytes, int len) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            return decoder.decode(ByteBuffer.wrap(bytes, 0, len)).toString().replace('\0', '\uFFFD');
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder cannot fail", e);
        }
    }
}
