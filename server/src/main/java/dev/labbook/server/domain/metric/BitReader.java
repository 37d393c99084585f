package dev.labbook.server.domain.metric;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Reads bit fields, most significant bit first, from a byte array starting at a byte offset.
 *
 * <p>Every consuming call checks the remaining length and throws {@link IllegalArgumentException}
 * when the data runs out, so truncated chunks surface as a clear error rather than as
 * {@link ArrayIndexOutOfBoundsException} or silently invented zero bits.
 */
final class BitReader {
    private static final VarHandle LONG_BIG_ENDIAN =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] data;
    private final long limitBits;
    private long position;

    BitReader(byte[] data, int startByte) {
        this.data = data;
        this.limitBits = (long) data.length * 8;
        this.position = (long) startByte * 8;
    }

    /**
     * The next 64 bits without consuming them, zero-filled past the end of the data. Callers decode
     * prefix codes from this window and then {@link #skip} exactly what they used, which avoids a
     * bounds-checked call per control bit.
     */
    long peek64() {
        int index = (int) (position >>> 3);
        int shift = (int) (position & 7);
        long word = wordAt(index);
        if (shift == 0) {
            return word;
        }
        int next = index + 8 < data.length ? data[index + 8] & 0xFF : 0;
        return (word << shift) | (next >>> (8 - shift));
    }

    /** Consumes {@code count} bits that were already examined via {@link #peek64}. */
    void skip(int count) {
        requireAvailable(count);
        position += count;
    }

    /** Reads {@code count} bits, {@code 1 <= count <= 64}, as an unsigned value. */
    long readBits(int count) {
        requireAvailable(count);
        long value = peek64() >>> (64 - count);
        position += count;
        return value;
    }

    /** Bits left in the data, including any final padding. */
    long remainingBits() {
        return limitBits - position;
    }

    private void requireAvailable(int count) {
        if (position + count > limitBits) {
            throw new IllegalArgumentException("corrupt metric chunk: truncated bit stream");
        }
    }

    private long wordAt(int index) {
        if (index + 8 <= data.length) {
            return (long) LONG_BIG_ENDIAN.get(data, index);
        }
        long word = 0;
        for (int i = 0; i < 8; i++) {
            int b = index + i < data.length ? data[index + i] & 0xFF : 0;
            word = (word << 8) | b;
        }
        return word;
    }
}
