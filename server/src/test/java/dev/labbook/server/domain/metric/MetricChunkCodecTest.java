package dev.labbook.server.domain.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MetricChunkCodecTest {

    private static final long TIMESTAMP_START = 1_700_000_000_000L;

    private static final double[] SPECIAL_DOUBLES = {
        0.0, -0.0, 1.0, -1.0, Double.NaN,
        Double.longBitsToDouble(0x7ff0_0000_0000_0001L), // signalling NaN, smallest payload
        Double.longBitsToDouble(0x7ff4_0000_0000_0000L), // signalling NaN
        Double.longBitsToDouble(0xfff8_0000_0000_0000L), // negative quiet NaN
        Double.longBitsToDouble(0x7fff_ffff_ffff_ffffL), // quiet NaN, all payload bits set
        Double.longBitsToDouble(0xffff_ffff_ffff_ffffL),
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, -Double.MIN_NORMAL,
        Double.longBitsToDouble(0x000f_ffff_ffff_ffffL), // largest subnormal
        Double.longBitsToDouble(0x0000_0000_dead_beefL), // mid subnormal
        Double.MAX_VALUE, -Double.MAX_VALUE, Math.PI, 1e-300, -1e300,
    };

    private static final long[] SPECIAL_LONGS = {
        Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, 0, 1, -1,
        Integer.MIN_VALUE, Integer.MAX_VALUE, 0xFFFF_FFFFL, 1L << 32, TIMESTAMP_START,
    };

    // ---------------------------------------------------------------- helpers

    /** Encodes all points, checks count(), decodes and asserts bit-exact equality; returns the chunk. */
    private static byte[] assertRoundTrip(long[] steps, long[] timestampsMs, double[] values) {
        byte[] chunk = MetricChunkCodec.encode(steps, timestampsMs, values, 0, steps.length);
        assertThat(MetricChunkCodec.count(chunk)).isEqualTo(steps.length);
        assertBitExact(MetricChunkCodec.decode(chunk), steps, timestampsMs, values, 0, steps.length);
        return chunk;
    }

    private static void assertBitExact(DecodedChunk decoded, long[] steps, long[] timestampsMs, double[] values,
            int from, int to) {
        assertThat(decoded.size()).isEqualTo(to - from);
        assertSameLongs("steps", decoded.steps(), Arrays.copyOfRange(steps, from, to));
        assertSameLongs("timestampsMs", decoded.timestampsMs(), Arrays.copyOfRange(timestampsMs, from, to));
        assertSameLongs("value bits", rawBits(decoded.values()), rawBits(Arrays.copyOfRange(values, from, to)));
    }

    /** Reports the first differing index instead of dumping arrays of a million elements. */
    private static void assertSameLongs(String column, long[] actual, long[] expected) {
        int mismatch = Arrays.mismatch(actual, expected);
        if (mismatch >= 0) {
            fail("%s differ first at index %d of %d/%d: expected %s but was %s", column, mismatch,
                    expected.length, actual.length,
                    mismatch < expected.length ? Long.toHexString(expected[mismatch]) : "<end>",
                    mismatch < actual.length ? Long.toHexString(actual[mismatch]) : "<end>");
        }
    }

    private static long[] rawBits(double[] values) {
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Double.doubleToRawLongBits(values[i]);
        }
        return bits;
    }

    private static long[] sequence(int n) {
        long[] steps = new long[n];
        for (int i = 0; i < n; i++) {
            steps[i] = i;
        }
        return steps;
    }

    private static long[] filled(int n, long value) {
        long[] array = new long[n];
        Arrays.fill(array, value);
        return array;
    }

    private static double[] filled(int n, double value) {
        double[] array = new double[n];
        Arrays.fill(array, value);
        return array;
    }

    /** Timestamps advancing by 50-150 ms irregularly, as a training loop logging every step would. */
    private static long[] irregularTimestamps(Random rng, int n) {
        long[] timestamps = new long[n];
        long t = TIMESTAMP_START + rng.nextInt(1_000_000);
        for (int i = 0; i < n; i++) {
            t += 50 + rng.nextInt(101);
            timestamps[i] = t;
        }
        return timestamps;
    }

    /** A noisy decreasing float32 loss, the shape of most logged training metrics. */
    private static double[] noisyLoss(Random rng, int n) {
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = (double) (float) (2.0 * Math.exp(-i / 20000.0) + 0.05 * rng.nextGaussian());
        }
        return values;
    }

    private record Series(long[] steps, long[] timestampsMs, double[] values) {
        int size() {
            return steps.length;
        }

        byte[] encode() {
            return MetricChunkCodec.encode(steps, timestampsMs, values, 0, steps.length);
        }
    }

    private static Series trainingCurve(long seed, int n) {
        Random rng = new Random(seed);
        return new Series(sequence(n), irregularTimestamps(rng, n), noisyLoss(rng, n));
    }

    // ---------------------------------------------------------------- shapes

    @Nested
    class Shapes {
        @Test
        void emptyRangeRoundTripsToZeroPointsAndIsJustTheHeader() {
            byte[] chunk = assertRoundTrip(new long[0], new long[0], new double[0]);
            assertThat(chunk).containsExactly(1, 0);
        }

        @Test
        void emptySubRangeOfNonEmptyArraysIsAllowed() {
            Series s = trainingCurve(1, 10);
            byte[] chunk = MetricChunkCodec.encode(s.steps(), s.timestampsMs(), s.values(), 4, 4);
            assertThat(MetricChunkCodec.decode(chunk).size()).isZero();
            assertThat(MetricChunkCodec.count(chunk)).isZero();
        }

        @Test
        void singlePoint() {
            byte[] chunk = assertRoundTrip(new long[] {7}, new long[] {TIMESTAMP_START}, new double[] {0.25});
            assertThat(chunk).hasSize(2 + 3 * 8); // header, then three raw 64-bit words
        }

        @ParameterizedTest
        @ValueSource(longs = {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE})
        void singlePointWithExtremeLongs(long extreme) {
            assertRoundTrip(new long[] {extreme}, new long[] {extreme}, new double[] {Double.NaN});
        }

        @Test
        void twoPoints() {
            assertRoundTrip(new long[] {0, 1}, new long[] {TIMESTAMP_START, TIMESTAMP_START + 97},
                    new double[] {2.5, 2.4375});
        }

        @Test
        void twoPointsWithMaximalDeltas() {
            assertRoundTrip(new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, new long[] {Long.MAX_VALUE, Long.MIN_VALUE},
                    new double[] {Double.longBitsToDouble(0), Double.longBitsToDouble(-1L)});
        }

        @Test
        void preservesOrderWithoutSorting() {
            long[] steps = {5, 3, 9, 3, -2, 100};
            long[] timestamps = {60, 50, 40, 40, 90, 10};
            double[] values = {1, 2, 3, 4, 5, 6};
            assertRoundTrip(steps, timestamps, values);
        }

        @Test
        void encodesOnlyTheSubRangeAndMatchesEncodingACopy() {
            Series s = trainingCurve(2, 500);
            for (int[] range : new int[][] {{0, 500}, {0, 1}, {499, 500}, {123, 124}, {10, 300}, {250, 500}}) {
                int from = range[0];
                int to = range[1];
                byte[] chunk = MetricChunkCodec.encode(s.steps(), s.timestampsMs(), s.values(), from, to);
                assertBitExact(MetricChunkCodec.decode(chunk), s.steps(), s.timestampsMs(), s.values(), from, to);
                assertThat(MetricChunkCodec.count(chunk)).isEqualTo(to - from);
                byte[] ofCopy = MetricChunkCodec.encode(Arrays.copyOfRange(s.steps(), from, to),
                        Arrays.copyOfRange(s.timestampsMs(), from, to), Arrays.copyOfRange(s.values(), from, to),
                        0, to - from);
                assertThat(chunk).as("range [%d, %d)", from, to).isEqualTo(ofCopy);
            }
        }

        @Test
        void countReadsOnlyTheHeader() {
            Series s = trainingCurve(3, 300);
            byte[] chunk = s.encode();
            assertThat(MetricChunkCodec.count(chunk)).isEqualTo(300);
            // 300 needs a two-byte varint; the bit stream is irrelevant to count().
            assertThat(MetricChunkCodec.count(Arrays.copyOf(chunk, 3))).isEqualTo(300);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 1, 127, 128, 16_383, 16_384, 100_000})
        void countMatchesSizeAcrossVarintWidths(int n) {
            Series s = new Series(sequence(n), filled(n, TIMESTAMP_START), filled(n, 1.5));
            byte[] chunk = assertRoundTrip(s.steps(), s.timestampsMs(), s.values());
            assertThat(MetricChunkCodec.count(chunk)).isEqualTo(n);
        }
    }

    // ---------------------------------------------------------------- values

    @Nested
    class Values {
        @Test
        void nanPayloadsSurviveBitExactly() {
            double[] nans = {
                Double.NaN,
                Double.longBitsToDouble(0x7ff0_0000_0000_0001L),
                Double.longBitsToDouble(0x7ff4_0000_0000_0000L),
                Double.longBitsToDouble(0xfff8_0000_0000_0000L),
                Double.longBitsToDouble(0x7fff_ffff_ffff_ffffL),
                Double.longBitsToDouble(0xfff0_0000_dead_beefL),
                Double.NaN,
            };
            int n = nans.length;
            DecodedChunk decoded = MetricChunkCodec.decode(
                    assertRoundTrip(sequence(n), sequence(n), nans));
            assertThat(Double.doubleToRawLongBits(decoded.values()[1])).isEqualTo(0x7ff0_0000_0000_0001L);
            assertThat(Double.doubleToRawLongBits(decoded.values()[5])).isEqualTo(0xfff0_0000_dead_beefL);
        }

        @Test
        void infinities() {
            double[] values = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.0,
                Double.POSITIVE_INFINITY};
            assertRoundTrip(sequence(5), sequence(5), values);
        }

        @Test
        void negativeZeroIsDistinguishedFromZero() {
            double[] values = {0.0, -0.0, -0.0, 0.0, -0.0};
            DecodedChunk decoded = MetricChunkCodec.decode(assertRoundTrip(sequence(5), sequence(5), values));
            assertThat(Double.doubleToRawLongBits(decoded.values()[1])).isEqualTo(0x8000_0000_0000_0000L);
            assertThat(Double.doubleToRawLongBits(decoded.values()[3])).isZero();
        }

        @Test
        void subnormals() {
            double[] values = {Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL,
                Double.longBitsToDouble(0x000f_ffff_ffff_ffffL), Double.MIN_VALUE * 3, 0.0,
                Double.longBitsToDouble(0x0000_0000_dead_beefL), Double.MIN_VALUE};
            assertRoundTrip(sequence(values.length), sequence(values.length), values);
        }

        @Test
        void everySpecialValueFollowingEveryOther() {
            int k = SPECIAL_DOUBLES.length;
            double[] values = new double[k * k * 2];
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    values[2 * (i * k + j)] = SPECIAL_DOUBLES[i];
                    values[2 * (i * k + j) + 1] = SPECIAL_DOUBLES[j];
                }
            }
            assertRoundTrip(sequence(values.length), sequence(values.length), values);
        }

        @Test
        void alternatingExtremes() {
            int n = 1000;
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = i % 2 == 0 ? Double.MAX_VALUE : -Double.MAX_VALUE;
            }
            values[500] = Double.longBitsToDouble(-1L); // forces a 64-bit wide XOR window
            values[501] = Double.longBitsToDouble(0L);
            assertRoundTrip(sequence(n), sequence(n), values);
        }

        @Test
        void xorOfAllSixtyFourBitsUsesTheLength64Encoding() {
            double[] values = {Double.longBitsToDouble(0x8000_0000_0000_0001L), Double.longBitsToDouble(0L),
                Double.longBitsToDouble(0x8000_0000_0000_0001L), Double.longBitsToDouble(0x7fff_ffff_ffff_fffeL)};
            assertRoundTrip(sequence(4), sequence(4), values);
        }

        @Test
        void constantSeriesCompressesToAboutThreeBitsPerPoint() {
            int n = 10_000;
            byte[] chunk = assertRoundTrip(filled(n, 42L), filled(n, TIMESTAMP_START), filled(n, 0.125));
            // header + three raw first values + one '0' per column for each later point
            assertThat(chunk.length).isEqualTo(1 + 2 + 24 + (3 * (n - 1) + 7) / 8);
        }

        @Test
        void regularSeriesCompressesToAboutThreeBitsPerPoint() {
            int n = 10_000;
            long[] timestamps = new long[n];
            for (int i = 0; i < n; i++) {
                timestamps[i] = TIMESTAMP_START + 1000L * i;
            }
            byte[] chunk = assertRoundTrip(sequence(n), timestamps, filled(n, 1.0));
            assertThat(chunk.length).isLessThan(n * 3 / 8 + 64);
        }
    }

    // ---------------------------------------------------------------- steps and timestamps

    @Nested
    class Longs {
        @Test
        void extremeStepsAndTimestamps() {
            long[] steps = {Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, 0, Long.MAX_VALUE, Long.MAX_VALUE, -1,
                Long.MIN_VALUE};
            long[] timestamps = {Long.MAX_VALUE, Long.MIN_VALUE, 0, Long.MIN_VALUE, Long.MIN_VALUE + 1, 1,
                Long.MAX_VALUE, Long.MAX_VALUE};
            assertRoundTrip(steps, timestamps, filled(steps.length, 1.0));
        }

        @Test
        void everySpecialLongFollowingEveryOtherPair() {
            int k = SPECIAL_LONGS.length;
            long[] column = new long[k * k * k];
            int p = 0;
            for (long a : SPECIAL_LONGS) {
                for (long b : SPECIAL_LONGS) {
                    for (long c : SPECIAL_LONGS) {
                        column[p++] = a ^ b ^ c; // varied combinations, including wrap-around deltas
                    }
                }
            }
            long[] reversed = column.clone();
            for (int i = 0; i < reversed.length; i++) {
                reversed[i] = column[column.length - 1 - i];
            }
            assertRoundTrip(column, reversed, filled(column.length, 0.5));
        }

        @Test
        void negativeOutOfOrderAndRepeatedSteps() {
            long[] steps = {-5, -5, -5, -10, 3, 2, 1, 1, 0, -1, 1_000_000, -1_000_000, 7, 7};
            long[] timestamps = {10, 5, 5, 5, 0, -3, TIMESTAMP_START, 0, 0, 1, 2, 3, 3, 3};
            assertRoundTrip(steps, timestamps, filled(steps.length, 3.0));
        }

        @Test
        void hugeJumpsAndWrapAround() {
            long[] steps = {0, 1, 2, 1L << 40, (1L << 40) + 1, -(1L << 62), Long.MAX_VALUE, Long.MIN_VALUE,
                Long.MIN_VALUE + 5, Long.MAX_VALUE - 5, 3};
            long[] timestamps = new long[steps.length];
            for (int i = 0; i < steps.length; i++) {
                timestamps[i] = steps[i] * 31 + TIMESTAMP_START; // wraps for the big ones
            }
            assertRoundTrip(steps, timestamps, filled(steps.length, -2.0));
        }

        @Test
        void deltaOfDeltaAtEveryBucketBoundary() {
            long[] boundaries = {0, 1, -1, 63, -64, 64, -65, 255, -256, 256, -257, 2047, -2048, 2048, -2049,
                Integer.MAX_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE - 1L,
                Long.MAX_VALUE, Long.MIN_VALUE};
            // Build columns whose delta-of-delta walks through each boundary, in both directions.
            long[] column = new long[2 + boundaries.length * 2];
            long delta = 0;
            column[0] = 12345;
            column[1] = 12345;
            for (int i = 0; i < boundaries.length * 2; i++) {
                long dod = i < boundaries.length ? boundaries[i] : -boundaries[i - boundaries.length];
                delta += dod;
                column[i + 2] = column[i + 1] + delta;
            }
            assertRoundTrip(column, column.clone(), filled(column.length, 1.0));
        }
    }

    // ---------------------------------------------------------------- random property tests

    @Nested
    class RandomRoundTrips {
        @Test
        void manyRandomSeriesRoundTripBitExactly() {
            Random rng = new Random(20_240_601L);
            for (int trial = 0; trial < 3_000; trial++) {
                Series s = randomSeries(rng);
                try {
                    assertRoundTrip(s.steps(), s.timestampsMs(), s.values());
                } catch (AssertionError e) {
                    throw new AssertionError("trial " + trial + " with " + s.size() + " points", e);
                }
            }
        }

        @Test
        void randomSubRangesRoundTripBitExactly() {
            Random rng = new Random(77L);
            for (int trial = 0; trial < 300; trial++) {
                Series s = randomSeries(rng);
                int from = rng.nextInt(s.size() + 1);
                int to = from + rng.nextInt(s.size() - from + 1);
                byte[] chunk = MetricChunkCodec.encode(s.steps(), s.timestampsMs(), s.values(), from, to);
                assertThat(MetricChunkCodec.count(chunk)).isEqualTo(to - from);
                assertBitExact(MetricChunkCodec.decode(chunk), s.steps(), s.timestampsMs(), s.values(), from, to);
            }
        }
    }

    static Series randomSeries(Random rng) {
        int n = switch (rng.nextInt(4)) {
            case 0 -> rng.nextInt(4);
            case 1 -> rng.nextInt(100);
            default -> rng.nextInt(3_000);
        };
        return new Series(randomLongs(rng, n), randomLongs(rng, n), randomDoubles(rng, n));
    }

    private static long[] randomLongs(Random rng, int n) {
        int seriesStyle = rng.nextInt(8);
        long[] column = new long[n];
        long previous = switch (rng.nextInt(4)) {
            case 0 -> 0;
            case 1 -> TIMESTAMP_START;
            case 2 -> SPECIAL_LONGS[rng.nextInt(SPECIAL_LONGS.length)];
            default -> rng.nextLong();
        };
        long stride = rng.nextInt(3) == 0 ? rng.nextLong() : rng.nextInt(2000) - 500;
        long jitter = new long[] {0, 1, 50, 1000, 1L << 20}[rng.nextInt(5)];
        for (int i = 0; i < n; i++) {
            int style = seriesStyle == 7 ? rng.nextInt(7) : seriesStyle;
            long value = switch (style) {
                case 0 -> previous + 1;
                case 1 -> previous + stride;
                case 2 -> previous + stride + (jitter == 0 ? 0 : (long) (rng.nextDouble() * 2 * jitter) - jitter);
                case 3 -> rng.nextLong();
                case 4 -> SPECIAL_LONGS[rng.nextInt(SPECIAL_LONGS.length)];
                case 5 -> previous + rng.nextInt(7) - 3; // repeated and out-of-order
                default -> rng.nextInt(50) == 0 ? previous + rng.nextLong() : previous + 1; // rare huge jumps
            };
            column[i] = value;
            previous = value;
        }
        return column;
    }

    private static double[] randomDoubles(Random rng, int n) {
        int seriesStyle = rng.nextInt(8);
        double[] column = new double[n];
        double constant = SPECIAL_DOUBLES[rng.nextInt(SPECIAL_DOUBLES.length)];
        double scale = Math.pow(10, rng.nextInt(40) - 20);
        for (int i = 0; i < n; i++) {
            int style = seriesStyle == 7 ? rng.nextInt(7) : seriesStyle;
            column[i] = switch (style) {
                case 0 -> Double.longBitsToDouble(rng.nextLong()); // includes NaN payloads, subnormals
                case 1 -> (double) (float) (scale * (2.0 * Math.exp(-i / 500.0) + 0.05 * rng.nextGaussian()));
                case 2 -> constant;
                case 3 -> SPECIAL_DOUBLES[rng.nextInt(SPECIAL_DOUBLES.length)];
                case 4 -> scale * Math.sin(i / 17.0);
                case 5 -> rng.nextInt(3) - 1 + (i % 2 == 0 ? 0.0 : -0.0); // small integers and signed zeros
                default -> rng.nextBoolean() ? Double.longBitsToDouble(rng.nextLong() & 0x800f_ffff_ffff_ffffL)
                        : constant; // subnormals
            };
        }
        return column;
    }

    // ---------------------------------------------------------------- large chunks and compression

    @Nested
    class LargeChunks {
        @Test
        void millionPointTrainingCurveRoundTrips() {
            Series s = trainingCurve(4, 1_000_000);
            byte[] chunk = assertRoundTrip(s.steps(), s.timestampsMs(), s.values());
            // Loose regression bound. Most of this curve is pure zero-mean noise (the decay has
            // vanished after ~100k steps), whose sign flips make Gorilla XOR store ~35 bits a value.
            assertThat(chunk.length / 1_000_000.0).isLessThan(6.5);
        }

        @Test
        void trainingCurveStaysUnderSixBytesPerPoint() {
            // The decaying part of the curve, cut into the chunk size the store writes.
            Series s = trainingCurve(5, 100_000);
            long total = 0;
            for (int from = 0; from < s.size(); from += 10_000) {
                byte[] chunk = MetricChunkCodec.encode(s.steps(), s.timestampsMs(), s.values(), from, from + 10_000);
                assertBitExact(MetricChunkCodec.decode(chunk), s.steps(), s.timestampsMs(), s.values(), from,
                        from + 10_000);
                total += chunk.length;
            }
            double bytesPerPoint = total / (double) s.size();
            System.out.printf("MetricChunkCodec: training curve, 100k points in 10k chunks: %.3f bytes/point%n",
                    bytesPerPoint);
            assertThat(bytesPerPoint).isLessThan(6.0);
        }

        /** Prints throughput for the record; the bound only catches pathological slowdowns. */
        @Test
        @Timeout(value = 120, unit = TimeUnit.SECONDS)
        void encodeAndDecodeThroughputSanity() {
            int n = 1_000_000;
            Series s = trainingCurve(6, n);
            long bestEncodeNanos = Long.MAX_VALUE;
            long bestDecodeNanos = Long.MAX_VALUE;
            byte[] chunk = null;
            for (int round = 0; round < 12; round++) { // the first rounds warm up the JIT
                long start = System.nanoTime();
                chunk = s.encode();
                long encoded = System.nanoTime();
                DecodedChunk decoded = MetricChunkCodec.decode(chunk);
                long done = System.nanoTime();
                assertThat(decoded.size()).isEqualTo(n);
                bestEncodeNanos = Math.min(bestEncodeNanos, encoded - start);
                bestDecodeNanos = Math.min(bestDecodeNanos, done - encoded);
            }
            System.out.printf("MetricChunkCodec: 1M-point training curve: %.3f bytes/point, "
                            + "encode %.1f ms, decode %.1f ms (best of 12)%n",
                    chunk.length / (double) n, bestEncodeNanos / 1e6, bestDecodeNanos / 1e6);
            assertThat(bestEncodeNanos).isLessThan(TimeUnit.SECONDS.toNanos(3));
            assertThat(bestDecodeNanos).isLessThan(TimeUnit.SECONDS.toNanos(3));
        }
    }

    // ---------------------------------------------------------------- argument validation

    @Nested
    class Arguments {
        private final long[] three = {1, 2, 3};
        private final double[] threeValues = {1, 2, 3};

        @Test
        void rejectsArraysOfUnequalLength() {
            assertThatThrownBy(() -> MetricChunkCodec.encode(three, new long[2], threeValues, 0, 2))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("differ in length")
                    .hasMessageContaining("timestampsMs=2");
            assertThatThrownBy(() -> MetricChunkCodec.encode(three, three, new double[4], 0, 3))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("values=4");
        }

        @Test
        void rejectsBadRanges() {
            int[][] badRanges = {{-1, 2}, {0, 4}, {2, 1}, {4, 4}, {-1, -1}, {Integer.MIN_VALUE, Integer.MAX_VALUE}};
            for (int[] range : badRanges) {
                assertThatThrownBy(() -> MetricChunkCodec.encode(three, three, threeValues, range[0], range[1]))
                        .as("range [%d, %d)", range[0], range[1])
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("invalid range [" + range[0] + ", " + range[1] + ") for arrays of length 3");
            }
        }

        @Test
        void rejectsNulls() {
            assertThatThrownBy(() -> MetricChunkCodec.encode(null, three, threeValues, 0, 3))
                    .isInstanceOf(NullPointerException.class).hasMessage("steps");
            assertThatThrownBy(() -> MetricChunkCodec.encode(three, null, threeValues, 0, 3))
                    .isInstanceOf(NullPointerException.class).hasMessage("timestampsMs");
            assertThatThrownBy(() -> MetricChunkCodec.encode(three, three, null, 0, 3))
                    .isInstanceOf(NullPointerException.class).hasMessage("values");
            assertThatThrownBy(() -> MetricChunkCodec.decode(null)).isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> MetricChunkCodec.count(null)).isInstanceOf(NullPointerException.class);
        }

        @Test
        void decodedChunkRejectsUnequalArrays() {
            assertThatThrownBy(() -> new DecodedChunk(new long[1], new long[1], new double[2]))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---------------------------------------------------------------- corrupt input

    @Nested
    class CorruptInput {
        private void assertRejected(byte[] chunk, String messagePart) {
            assertThatThrownBy(() -> MetricChunkCodec.decode(chunk))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(messagePart);
        }

        /** A hand-made chunk: version 1, the given count, then the bits the writer callback emits. */
        private byte[] handMade(int count, java.util.function.Consumer<BitWriter> bits) {
            BitWriter out = new BitWriter(64);
            out.writeBits(1, 8);
            out.writeBits(count, 8); // counts below 128 are a single varint byte
            bits.accept(out);
            return out.toByteArray();
        }

        @Test
        void rejectsEmptyInput() {
            assertRejected(new byte[0], "empty");
            assertThatThrownBy(() -> MetricChunkCodec.count(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        }

        @ParameterizedTest
        @ValueSource(ints = {0, 2, 3, 127, 128, 255})
        void rejectsUnknownVersions(int version) {
            byte[] chunk = trainingCurve(7, 20).encode();
            chunk[0] = (byte) version;
            assertRejected(chunk, "version " + version);
            assertThatThrownBy(() -> MetricChunkCodec.count(chunk))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("version");
        }

        @Test
        void rejectsEveryTruncation() {
            Random rng = new Random(8);
            for (int trial = 0; trial < 100; trial++) {
                Series s = randomSeries(rng);
                // Every prefix is decoded, so keep chunks short enough for the quadratic cost.
                int to = Math.min(s.size(), 150);
                byte[] chunk = MetricChunkCodec.encode(s.steps(), s.timestampsMs(), s.values(), 0, to);
                for (int length = 0; length < chunk.length; length++) {
                    byte[] truncated = Arrays.copyOf(chunk, length);
                    assertThatThrownBy(() -> MetricChunkCodec.decode(truncated))
                            .as("trial %d, %d of %d bytes", trial, length, chunk.length)
                            .isInstanceOf(IllegalArgumentException.class);
                }
            }
        }

        @Test
        void rejectsTrailingBytes() {
            byte[] chunk = trainingCurve(9, 50).encode();
            assertRejected(Arrays.copyOf(chunk, chunk.length + 1), "trailing");
            assertRejected(new byte[] {1, 0, 0}, "trailing");
        }

        @Test
        void rejectsNonZeroPadding() {
            // Two constant points: 2 header bytes + 195 bits, so the last byte has 5 padding bits.
            byte[] chunk = MetricChunkCodec.encode(new long[2], new long[2], new double[2], 0, 2);
            assertThat(chunk).hasSize(2 + 25);
            chunk[chunk.length - 1] |= 1;
            assertRejected(chunk, "padding");
        }

        @Test
        void rejectsCountsTheDataCannotHoldBeforeAllocating() {
            assertRejected(new byte[] {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07}, "claims");
            byte[] chunk = trainingCurve(10, 100).encode();
            chunk[1] = 127; // 100 points need a one-byte varint too; 127 would need more data than follows
            assertThatThrownBy(() -> MetricChunkCodec.decode(chunk)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void rejectsMalformedPointCounts() {
            assertRejected(new byte[] {1}, "truncated point count");
            assertRejected(new byte[] {1, (byte) 0x80}, "truncated point count");
            assertRejected(new byte[] {1, (byte) 0x80, 0x00}, "non-canonical");
            assertRejected(new byte[] {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F}, "exceeds");
            assertRejected(new byte[] {1, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0},
                    "longer than");
            assertThatThrownBy(() -> MetricChunkCodec.count(new byte[] {1, (byte) 0x80}))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void rejectsValueWindowReuseBeforeAnyWindow() {
            byte[] chunk = handMade(2, out -> {
                out.writeBits(0, 64);
                out.writeBits(0b0, 1); // step dod 0
                out.writeBits(0, 64);
                out.writeBits(0b0, 1); // timestamp dod 0
                out.writeBits(0, 64);
                out.writeBits(0b10, 2); // reuse a window that does not exist
                out.writeBits(0, 40);
            });
            assertRejected(chunk, "before any was opened");
        }

        @Test
        void rejectsValueWindowWiderThanSixtyFourBits() {
            byte[] chunk = handMade(2, out -> {
                out.writeBits(0, 64);
                out.writeBits(0b0, 1);
                out.writeBits(0, 64);
                out.writeBits(0b0, 1);
                out.writeBits(0, 64);
                out.writeBits(0b11, 2);
                out.writeBits(60, 6); // 60 leading zeros
                out.writeBits(10, 6); // plus 10 bits is more than 64
                out.writeBits(0x3FF, 10);
            });
            assertRejected(chunk, "exceeds 64 bits");
        }

        @Test
        void rejectsLooseValueWindow() {
            byte[] chunk = handMade(2, out -> {
                out.writeBits(0, 64);
                out.writeBits(0b0, 1);
                out.writeBits(0, 64);
                out.writeBits(0b0, 1);
                out.writeBits(0, 64);
                out.writeBits(0b11, 2);
                out.writeBits(10, 6);
                out.writeBits(8, 6);
                out.writeBits(0b0000_0001, 8); // top bit clear: the encoder would have used 17 leading zeros
            });
            assertRejected(chunk, "not tight");
        }

        @Test
        void rejectsDeltaOfDeltaInAnOversizedBucket() {
            byte[] chunk = handMade(2, out -> {
                out.writeBits(0, 64);
                out.writeBits(0b10, 2);
                out.writeBits(0, 7); // zero belongs in the one-bit bucket
                out.writeBits(0, 64);
                out.writeBits(0b0, 1);
                out.writeBits(0, 64);
                out.writeBits(0b0, 1);
            });
            assertRejected(chunk, "larger bucket");
        }

        @Test
        void handMadeCanonicalChunkIsAccepted() {
            // Guards the hand-made corruption tests above: the same layout, done right, decodes.
            byte[] chunk = handMade(2, out -> {
                out.writeBits(0, 64);
                out.writeBits(0b10, 2);
                out.writeBits(2, 7); // zigzag 2 = +1
                out.writeBits(0, 64);
                out.writeBits(0b0, 1);
                out.writeBits(Double.doubleToRawLongBits(1.0), 64);
                out.writeBits(0b11, 2);
                out.writeBits(1, 6);
                out.writeBits(1, 6);
                out.writeBits(1, 1); // flips bit 62: 1.0 becomes a tiny positive number
            });
            DecodedChunk decoded = MetricChunkCodec.decode(chunk);
            assertThat(decoded.steps()).containsExactly(0, 1);
            assertThat(decoded.timestampsMs()).containsExactly(0, 0);
            assertThat(Double.doubleToRawLongBits(decoded.values()[1]))
                    .isEqualTo(Double.doubleToRawLongBits(1.0) ^ (1L << 62));
        }

        @Test
        @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
        void randomCorruptionIsRejectedOrDecodedButNeverCrashesOrHangs() {
            Random rng = new Random(11);
            int rejected = 0;
            int attempts = 0;
            for (int trial = 0; trial < 300; trial++) {
                byte[] original = randomSeries(rng).encode();
                for (int mutation = 0; mutation < 20; mutation++) {
                    byte[] chunk = mutate(rng, original);
                    attempts++;
                    try {
                        DecodedChunk decoded = MetricChunkCodec.decode(chunk);
                        // Undetectable damage (payload bit flips) still yields a consistent chunk.
                        assertThat(decoded.size()).isEqualTo(MetricChunkCodec.count(chunk));
                    } catch (IllegalArgumentException expected) {
                        rejected++;
                    } catch (RuntimeException | OutOfMemoryError unexpected) {
                        throw new AssertionError("trial " + trial + ": decode leaked " + unexpected, unexpected);
                    }
                }
            }
            System.out.printf("MetricChunkCodec: %d of %d randomly damaged chunks rejected%n", rejected, attempts);
            // Most structural damage is caught; the exact share is informative, not a contract.
            assertThat(rejected).isGreaterThan(attempts / 4);
        }

        private byte[] mutate(Random rng, byte[] original) {
            byte[] chunk = original.clone();
            switch (rng.nextInt(4)) {
                case 0 -> {
                    int bit = rng.nextInt(chunk.length * 8);
                    chunk[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                case 1 -> chunk[rng.nextInt(chunk.length)] = (byte) rng.nextInt(256);
                case 2 -> {
                    for (int i = 0; i < 1 + rng.nextInt(8); i++) {
                        chunk[rng.nextInt(chunk.length)] = (byte) rng.nextInt(256);
                    }
                }
                default -> {
                    byte[] garbage = new byte[rng.nextInt(64)];
                    rng.nextBytes(garbage);
                    int cut = rng.nextInt(chunk.length + 1);
                    chunk = Arrays.copyOf(Arrays.copyOf(chunk, cut), cut + garbage.length);
                    System.arraycopy(garbage, 0, chunk, cut, garbage.length);
                }
            }
            return chunk;
        }
    }
}
