package dev.labbook.server.domain.metric;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Appends bit fields, most significant bit first, to a growing byte array.
 *
 * <p>Bits are staged in a 64-bit accumulator and stored eight bytes at a time, because per-bit or
 * per-byte array writes would dominate the cost of encoding million-point chunks.
 */
final class BitWriter {
    private static final VarHandle LONG_BIG_ENDIAN =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    /** Some VMs refuse arrays of exactly Integer.MAX_VALUE elements. */
    private static final int MAX_CAPACITY = Integer.MAX_VALUE - 16;

    private byte[] buffer;
    private int flushedBytes;
    /** The low {@code pendingBits} bits are not yet in {@link #buffer}; higher bits are ignored. */
    private long pending;
    private int pendingBits;

    BitWriter(int initialCapacity) {
        buffer = new byte[Math.max(16, initialCapacity)];
    }

    /** Writes the low {@code count} bits of {@code value}, {@code 1 <= count <= 64}. */
    void writeBits(long value, int count) {
        int free = 64 - pendingBits;
        if (count < free) {
            // count < 64 here, so the shift and mask are well defined.
            pending = (pending << count) | (value & ((1L << count) - 1));
            pendingBits += count;
            return;
        }
        int overflow = count - free;
        long field = count == 64 ? value : value & ((1L << count) - 1);
        // Java masks shift distances to 6 bits, so "<< 64" would be a no-op rather than a clear.
        long head = pendingBits == 0 ? 0 : pending << free;
        storeWord(head | (field >>> overflow));
        pending = field;
        pendingBits = overflow;
    }

    /** The bytes written so far, with the last byte zero-padded; the writer must not be used afterwards. */
    byte[] toByteArray() {
        if (pendingBits > 0) {
            long aligned = pending << (64 - pendingBits);
            int tailBytes = (pendingBits + 7) >>> 3;
            ensureCapacity(tailBytes);
            for (int i = 0; i < tailBytes; i++) {
                buffer[flushedBytes++] = (byte) (aligned >>> (56 - 8 * i));
            }
            pendingBits = 0;
        }
        return Arrays.copyOf(buffer, flushedBytes);
    }

    private void storeWord(long word) {
        ensureCapacity(8);
        LONG_BIG_ENDIAN.set(buffer, flushedBytes, word);
        flushedBytes += 8;
    }

    private void ensureCapacity(int extraBytes) {
        long needed = (long) flushedBytes + extraBytes;
        if (needed <= buffer.length) {
            return;
        }
        if (needed > MAX_CAPACITY) {
            throw new IllegalArgumentException("encoded chunk would exceed " + MAX_CAPACITY + " bytes");
        }
        long grown = Math.max(needed, Math.min((long) buffer.length * 2, MAX_CAPACITY));
        buffer = Arrays.copyOf(buffer, (int) grown);
    }
}
