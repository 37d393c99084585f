package dev.labbook.server.domain.metric;

import java.util.Objects;

/**
 * Compresses a run of metric points (step, timestamp, value) into one self-describing byte array,
 * in the style of Facebook's Gorilla time-series encoding.
 *
 * <h2>Format, version 1</h2>
 * <pre>
 * byte 0         format version, 1
 * varint         point count n, unsigned LEB128, canonical (no redundant trailing 0x80 groups)
 * bit stream     most significant bit first, three columns one after another:
 *                  steps, timestamps (each: delta-of-delta coded longs), values (XOR coded doubles)
 *                zero bits pad the last byte; nothing follows
 * </pre>
 *
 * <p><b>Long columns.</b> The first value is stored raw in 64 bits. Every later value is stored as
 * its delta-of-delta {@code dod = (v[i] - v[i-1]) - (v[i-1] - v[i-2])}, where the delta before the
 * second value counts as 0 (so the second value is effectively stored as its delta). All arithmetic
 * wraps, which makes the coding exact for any longs, including extremes and unordered data. The
 * dod is zigzag-mapped to an unsigned {@code z} and written in the smallest fitting bucket:
 * <pre>
 * '0'                z == 0
 * '10'    +  7 bits  z &lt; 2^7     (dod in [-64, 63])
 * '110'   +  9 bits  z &lt; 2^9
 * '1110'  + 12 bits  z &lt; 2^12
 * '11110' + 32 bits  z &lt; 2^32
 * '11111' + 64 bits  any
 * </pre>
 *
 * <p><b>Value column.</b> The first value's raw IEEE-754 bits (via
 * {@link Double#doubleToRawLongBits}, so NaN payloads and -0.0 survive) are stored in 64 bits;
 * each later value is stored as the XOR with its predecessor:
 * <pre>
 * '0'                               XOR == 0
 * '10' + the window's bits           XOR fits the current window (leading/trailing zero counts)
 * '11' + 6 bits leading zeros + 6 bits length (64 stored as 0) + length bits
 *                                    opens a new window that exactly fits this XOR
 * </pre>
 *
 * <p>The decoder accepts only what this encoder produces (canonical buckets, exact new windows,
 * a window reused or opened exactly where the encoder would, sane counts, zero padding, no
 * trailing bytes), so decoding and encoding again gives the same bytes (MetricChunkCodecFuzzTest
 * checks it), and reports anything else as
 * {@link IllegalArgumentException}. Being strict catches much of the corruption a byte format can
 * detect without a checksum; flips inside payload bits remain undetectable by design.
 */
public final class MetricChunkCodec {
    public static final int FORMAT_VERSION = 1;

    /** The fewest bits one point can take: the first point stores three raw 64-bit words. */
    private static final int FIRST_POINT_MIN_BITS = 3 * 64;
    /** The fewest bits each later point can take: a single '0' in each of the three columns. */
    private static final int LATER_POINT_MIN_BITS = 3;
    private static final int MAX_VARINT_BYTES = 5;

    private MetricChunkCodec() {
    }

    /** Encodes points [from, to) of the parallel arrays, in the given order. */
    public static byte[] encode(long[] steps, long[] timestampsMs, double[] values, int from, int to) {
        Objects.requireNonNull(steps, "steps");
        Objects.requireNonNull(timestampsMs, "timestampsMs");
        Objects.requireNonNull(values, "values");
        if (steps.length != timestampsMs.length || steps.length != values.length) {
            throw new IllegalArgumentException("parallel arrays differ in length: steps=" + steps.length
                    + ", timestampsMs=" + timestampsMs.length + ", values=" + values.length);
        }
        if (from < 0 || from > to || to > steps.length) {
            throw new IllegalArgumentException(
                    "invalid range [" + from + ", " + to + ") for arrays of length " + steps.length);
        }
        int count = to - from;
        // About 6 bytes per point is typical for noisy series; the writer grows if needed.
        BitWriter out = new BitWriter((int) Math.min(Integer.MAX_VALUE - 16, 16 + 6L * count));
        out.writeBits(FORMAT_VERSION, 8);
        writeVarint(out, count);
        if (count > 0) {
            LongColumn.encode(out, steps, from, to);
            LongColumn.encode(out, timestampsMs, from, to);
            DoubleColumn.encode(out, values, from, to);
        }
        return out.toByteArray();
    }

    /**
     * Decodes a chunk produced by {@link #encode}.
     *
     * @throws IllegalArgumentException if the chunk is empty, of an unknown version, truncated, or
     *     otherwise not something {@link #encode} produces
     */
    public static DecodedChunk decode(byte[] chunk) {
        Header header = readHeader(chunk);
        int count = header.count();
        long availableBits = (long) (chunk.length - header.length()) * 8;
        // Refuse impossible counts before allocating, so a corrupt header cannot demand gigabytes.
        if (count > 0 && availableBits < FIRST_POINT_MIN_BITS + (long) LATER_POINT_MIN_BITS * (count - 1)) {
            throw corrupt("header claims " + count + " points but only " + availableBits + " bits follow");
        }
        long[] steps = new long[count];
        long[] timestampsMs = new long[count];
        double[] values = new double[count];
        BitReader in = new BitReader(chunk, header.length());
        if (count > 0) {
            LongColumn.decode(in, steps);
            LongColumn.decode(in, timestampsMs);
            DoubleColumn.decode(in, values);
        }
        requireOnlyPaddingLeft(in);
        return new DecodedChunk(steps, timestampsMs, values);
    }

    /**
     * The number of points in a chunk, read from the header alone (the bit stream is not checked).
     *
     * @throws IllegalArgumentException if the header is missing, truncated or of an unknown version
     */
    public static int count(byte[] chunk) {
        return readHeader(chunk).count();
    }

    private static void requireOnlyPaddingLeft(BitReader in) {
        long remaining = in.remainingBits();
        if (remaining >= 8) {
            throw corrupt((remaining / 8) + " unexpected trailing byte(s)");
        }
        if (remaining > 0 && in.readBits((int) remaining) != 0) {
            throw corrupt("non-zero padding bits");
        }
    }

    private record Header(int count, int length) {
    }

    private static Header readHeader(byte[] chunk) {
        Objects.requireNonNull(chunk, "chunk");
        if (chunk.length == 0) {
            throw corrupt("empty input");
        }
        int version = chunk[0] & 0xFF;
        if (version != FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "unsupported metric chunk format version " + version + " (expected " + FORMAT_VERSION + ")");
        }
        long count = 0;
        for (int i = 0; i < MAX_VARINT_BYTES; i++) {
            int index = 1 + i;
            if (index >= chunk.length) {
                throw corrupt("truncated point count");
            }
            int b = chunk[index] & 0xFF;
            count |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw corrupt("non-canonical point count");
                }
                if (count > Integer.MAX_VALUE) {
                    throw corrupt("point count " + count + " exceeds " + Integer.MAX_VALUE);
                }
                return new Header((int) count, index + 1);
            }
        }
        throw corrupt("point count longer than " + MAX_VARINT_BYTES + " bytes");
    }

    private static void writeVarint(BitWriter out, int value) {
        int rest = value;
        while ((rest & ~0x7F) != 0) {
            out.writeBits((rest & 0x7F) | 0x80, 8);
            rest >>>= 7;
        }
        out.writeBits(rest, 8);
    }

    private static IllegalArgumentException corrupt(String detail) {
        return new IllegalArgumentException("corrupt metric chunk: " + detail);
    }

    /** Delta-of-delta coding of a long column; see the class comment for the buckets. */
    private static final class LongColumn {
        private LongColumn() {
        }

        static void encode(BitWriter out, long[] column, int from, int to) {
            long previous = column[from];
            out.writeBits(previous, 64);
            long previousDelta = 0;
            for (int i = from + 1; i < to; i++) {
                long value = column[i];
                long delta = value - previous;          // wraps on purpose
                long deltaOfDelta = delta - previousDelta;
                writeZigzagBucket(out, (deltaOfDelta << 1) ^ (deltaOfDelta >> 63));
                previous = value;
                previousDelta = delta;
            }
        }

        private static void writeZigzagBucket(BitWriter out, long z) {
            // Prefix and payload go out in one call where they fit, halving the writer calls.
            if (z == 0) {
                out.writeBits(0b0, 1);
            } else if ((z >>> 7) == 0) {
                out.writeBits((0b10L << 7) | z, 2 + 7);
            } else if ((z >>> 9) == 0) {
                out.writeBits((0b110L << 9) | z, 3 + 9);
            } else if ((z >>> 12) == 0) {
                out.writeBits((0b1110L << 12) | z, 4 + 12);
            } else if ((z >>> 32) == 0) {
                out.writeBits((0b11110L << 32) | z, 5 + 32);
            } else {
                out.writeBits(0b11111, 5);
                out.writeBits(z, 64);
            }
        }

        static void decode(BitReader in, long[] column) {
            long previous = in.readBits(64);
            column[0] = previous;
            long previousDelta = 0;
            for (int i = 1; i < column.length; i++) {
                long z = readZigzagBucket(in);
                long delta = previousDelta + ((z >>> 1) ^ -(z & 1));
                previous += delta;
                column[i] = previous;
                previousDelta = delta;
            }
        }

        private static long readZigzagBucket(BitReader in) {
            long window = in.peek64();
            int leadingOnes = Long.numberOfLeadingZeros(~window);
            long z;
            switch (Math.min(leadingOnes, 5)) {
                case 0 -> {
                    in.skip(1);
                    return 0;
                }
                case 1 -> {
                    in.skip(2 + 7);
                    z = (window << 2) >>> (64 - 7);
                    requireCanonical(z != 0);
                }
                case 2 -> {
                    in.skip(3 + 9);
                    z = (window << 3) >>> (64 - 9);
                    requireCanonical((z >>> 7) != 0);
                }
                case 3 -> {
                    in.skip(4 + 12);
                    z = (window << 4) >>> (64 - 12);
                    requireCanonical((z >>> 9) != 0);
                }
                case 4 -> {
                    in.skip(5 + 32);
                    z = (window << 5) >>> (64 - 32);
                    requireCanonical((z >>> 12) != 0);
                }
                default -> {
                    in.skip(5);
                    z = in.readBits(64);
                    requireCanonical((z >>> 32) != 0);
                }
            }
            return z;
        }

        private static void requireCanonical(boolean canonical) {
            if (!canonical) {
                throw corrupt("delta-of-delta stored in a larger bucket than needed");
            }
        }
    }

    /** Gorilla XOR coding of a double column; see the class comment for the control codes. */
    private static final class DoubleColumn {
        /** The cost of the leading-zero and length fields that opening a new window adds. */
        private static final int NEW_WINDOW_OVERHEAD_BITS = 12;

        private DoubleColumn() {
        }

        static void encode(BitWriter out, double[] column, int from, int to) {
            long previous = Double.doubleToRawLongBits(column[from]);
            out.writeBits(previous, 64);
            int windowLeading = 0;
            int windowTrailing = 0;
            int windowLength = 0; // 0 = no window yet
            for (int i = from + 1; i < to; i++) {
                long bits = Double.doubleToRawLongBits(column[i]);
                long xor = bits ^ previous;
                previous = bits;
                if (xor == 0) {
                    out.writeBits(0b0, 1);
                    continue;
                }
                int leading = Long.numberOfLeadingZeros(xor);
                int trailing = Long.numberOfTrailingZeros(xor);
                int length = 64 - leading - trailing;
                // Reuse the window when it fits and is not costlier than paying for an exact one;
                // plain Gorilla always reuses, which wastes bits once a window has grown wide.
                boolean fitsWindow = windowLength > 0 && leading >= windowLeading && trailing >= windowTrailing;
                if (fitsWindow && windowLength <= length + NEW_WINDOW_OVERHEAD_BITS) {
                    out.writeBits(0b10, 2);
                    out.writeBits(xor >>> windowTrailing, windowLength);
                } else {
                    out.writeBits((0b11L << 12) | ((long) leading << 6) | (length & 63), 2 + 6 + 6);
                    out.writeBits(xor >>> trailing, length);
                    windowLeading = leading;
                    windowTrailing = trailing;
                    windowLength = length;
                }
            }
        }

        private static int exactLength(long xor) {
            return 64 - Long.numberOfLeadingZeros(xor) - Long.numberOfTrailingZeros(xor);
        }

        static void decode(BitReader in, double[] column) {
            long previous = in.readBits(64);
            column[0] = Double.longBitsToDouble(previous);
            int windowTrailing = 0;
            int windowLength = 0; // 0 = no window yet
            for (int i = 1; i < column.length; i++) {
                long control = in.peek64();
                if (control >= 0) { // '0'
                    in.skip(1);
                } else if ((control << 1) >= 0) { // '10'
                    in.skip(2);
                    if (windowLength == 0) {
                        throw corrupt("value reuses a window before any was opened");
                    }
                    long meaningful = in.readBits(windowLength);
                    if (meaningful == 0) {
                        throw corrupt("zero XOR stored as a window reuse");
                    }
                    long xor = meaningful << windowTrailing;
                    if (windowLength > exactLength(xor) + NEW_WINDOW_OVERHEAD_BITS) {
                        throw corrupt("value reuses a window where the encoder opens a new one");
                    }
                    previous ^= xor;
                } else { // '11'
                    in.skip(2 + 6 + 6);
                    int leading = (int) ((control << 2) >>> (64 - 6));
                    int lengthField = (int) ((control << 8) >>> (64 - 6));
                    int length = lengthField == 0 ? 64 : lengthField;
                    if (leading + length > 64) {
                        throw corrupt("value window of " + leading + " leading zeros and " + length
                                + " bits exceeds 64 bits");
                    }
                    long meaningful = in.readBits(length);
                    // The encoder opens only exact windows: both edge bits of the field are set.
                    if ((meaningful & 1) == 0 || (meaningful >>> (length - 1)) != 1) {
                        throw corrupt("value window is not tight around its bits");
                    }
                    int trailing = 64 - leading - length;
                    boolean fitsWindow = windowLength > 0 && leading >= 64 - windowTrailing - windowLength
                            && trailing >= windowTrailing;
                    if (fitsWindow && windowLength <= length + NEW_WINDOW_OVERHEAD_BITS) {
                        throw corrupt("value opens a new window where the encoder reuses the current one");
                    }
                    windowTrailing = trailing;
                    windowLength = length;
                    previous ^= meaningful << windowTrailing;
                }
                column[i] = Double.longBitsToDouble(previous);
            }
        }
    }
}
