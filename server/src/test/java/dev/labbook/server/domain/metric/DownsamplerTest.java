package dev.labbook.server.domain.metric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The downsampler with and without chunk envelopes, against the exact min/max per bucket. */
class DownsamplerTest {

    private record Series(long[] steps, long[] timestamps, double[] values) {
    }

    private static Series curve(int n, long seed) {
        Random random = new Random(seed);
        long[] steps = new long[n];
        long[] timestamps = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = i;
            timestamps[i] = 1_000_000L + i * 10L;
            values[i] = Math.sin(i / 5000.0) + 0.1 * random.nextGaussian();
        }
        return new Series(steps, timestamps, values);
    }

    /** Stored chunks of {@code perChunk} points; envelopes dropped unless {@code withEnvelopes}. */
    private static List<StoredChunk> chunks(Series s, int perChunk, boolean withEnvelopes) {
        List<StoredChunk> chunks = new ArrayList<>();
        for (int from = 0, seq = 0; from < s.steps().length; from += perChunk, seq++) {
            int to = Math.min(s.steps().length, from + perChunk);
            NewChunk c = NewChunk.encode(1, seq, s.steps(), s.timestamps(), s.values(), from, to);
            chunks.add(new StoredChunk(seq, c.summary(), c.data(), withEnvelopes ? c.envelope() : null));
        }
        return chunks;
    }

    private static DecodedChunk downsample(List<StoredChunk> chunks, int maxPoints) {
        Downsampler d = new Downsampler(chunks, Long.MIN_VALUE, Long.MAX_VALUE, maxPoints);
        return d.finish(chunks);
    }

    private static Set<String> points(DecodedChunk c) {
        Set<String> set = new HashSet<>();
        for (int i = 0; i < c.size(); i++) {
            set.add(c.steps()[i] + "/" + c.timestampsMs()[i] + "/" + c.values()[i]);
        }
        return set;
    }

    @Test
    void envelopesKeepEveryExtremeAndAlmostEveryBucketExact() {
        Series s = curve(200_000, 1);
        s.values()[123_456] = 50;
        s.values()[165_432] = -50;
        List<StoredChunk> exactChunks = chunks(s, 10_000, false);
        List<StoredChunk> enveloped = chunks(s, 10_000, true);

        Downsampler planned = new Downsampler(enveloped, Long.MIN_VALUE, Long.MAX_VALUE, 200);
        DecodedChunk exact = downsample(exactChunks, 200);
        DecodedChunk fast = downsample(enveloped, 200);

        assertThat(planned.chunksToDecode()).as("no chunk needs decoding").isEmpty();
        long dataBytes = enveloped.stream().mapToLong(c -> c.data().length).sum();
        long envelopeBytes = enveloped.stream().mapToLong(c -> c.envelope().length).sum();
        assertThat((double) envelopeBytes / dataBytes).as("envelope size against the points'").isLessThan(0.05);
        assertThat(fast.size()).isLessThanOrEqualTo(200).isGreaterThan(190);
        assertThat(fast.steps()).isSorted();
        for (int i = 0; i < fast.size(); i++) {
            int at = (int) fast.steps()[i]; // steps are 0..n-1: a step is its point's index
            assertThat(fast.timestampsMs()[i]).isEqualTo(s.timestamps()[at]);
            assertThat(fast.values()[i]).isEqualTo(s.values()[at]);
        }
        assertThat(points(fast)).contains("123456/" + s.timestamps()[123_456] + "/50.0",
                "165432/" + s.timestamps()[165_432] + "/-50.0");
        assertThat(exact.size()).isLessThanOrEqualTo(200);
        // Per bucket (100 of 2,000 steps): the extremes lie between those of the bucket without
        // the 128 points at each edge (where a block may straddle it) and those of the whole bucket.
        int buckets = 100;
        double[] fastMax = new double[buckets];
        double[] fastMin = new double[buckets];
        java.util.Arrays.fill(fastMax, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(fastMin, Double.POSITIVE_INFINITY);
        for (int i = 0; i < fast.size(); i++) {
            int b = bucket(fast.steps()[i], s.steps().length, buckets);
            fastMax[b] = Math.max(fastMax[b], fast.values()[i]);
            fastMin[b] = Math.min(fastMin[b], fast.values()[i]);
        }
        int first = 0;
        for (int b = 0; b < buckets; b++) {
            int end = first;
            while (end < s.steps().length && bucket(s.steps()[end], s.steps().length, buckets) == b) {
                end++;
            }
            double max = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            double innerMax = Double.NEGATIVE_INFINITY;
            double innerMin = Double.POSITIVE_INFINITY;
            for (int i = first; i < end; i++) {
                max = Math.max(max, s.values()[i]);
                min = Math.min(min, s.values()[i]);
                if (i >= first + ChunkEnvelope.BLOCK_POINTS && i < end - ChunkEnvelope.BLOCK_POINTS) {
                    innerMax = Math.max(innerMax, s.values()[i]);
                    innerMin = Math.min(innerMin, s.values()[i]);
                }
            }
            assertThat(fastMax[b]).as("max of bucket %d", b).isBetween(innerMax, max);
            assertThat(fastMin[b]).as("min of bucket %d", b).isBetween(min, innerMin);
            first = end;
        }
    }

    /** The bucket of a step as the downsampler computes it for steps 0..n-1. */
    private static int bucket(long step, int n, int buckets) {
        return (int) Math.floor((double) step / (double) n * buckets);
    }

    @Test
    void coarseBlocksAreDecodedExactly() {
        Series s = curve(20_000, 2);
        List<StoredChunk> enveloped = chunks(s, 10_000, true);

        // 5,000 buckets of 4 steps: blocks of 128 steps are far too wide to stand for them.
        Downsampler planned = new Downsampler(enveloped, Long.MIN_VALUE, Long.MAX_VALUE, 10_000);

        assertThat(planned.chunksToDecode()).containsExactly(0, 1);
        assertThat(points(planned.finish(enveloped))).isEqualTo(points(downsample(chunks(s, 10_000, false), 10_000)));
    }

    @Test
    void allNaNBlocksKeepOneNaNPoint() {
        Series s = curve(100_000, 3);
        for (int i = 40_000; i < 50_000; i++) {
            s.values()[i] = Double.NaN;
        }
        DecodedChunk fast = downsample(chunks(s, 10_000, true), 100);

        int nans = 0;
        for (int i = 0; i < fast.size(); i++) {
            if (Double.isNaN(fast.values()[i])) {
                nans++;
                assertThat(fast.steps()[i]).isBetween(40_000L, 49_999L);
            }
        }
        assertThat(nans).isBetween(3, 5);
    }

    @Test
    void envelopesAreMadeOnlyForLongSortedChunks() {
        Series s = curve(1000, 4);
        ChunkSummary sorted = ChunkSummary.of(s.steps(), s.timestamps(), s.values(), 0, 1000);
        assertThat(ChunkEnvelope.of(sorted, s.steps(), s.timestamps(), s.values(), 0, 256)).isNull();
        byte[] envelope = ChunkEnvelope.of(sorted, s.steps(), s.timestamps(), s.values(), 0, 1000);
        DecodedChunk extremes = ChunkEnvelope.decode(envelope);
        assertThat(extremes.size()).isEqualTo(2 * 8);
        for (int b = 0; b < 8; b++) {
            double min = Double.MAX_VALUE;
            double max = -Double.MAX_VALUE;
            for (int i = b * 128; i < Math.min(1000, (b + 1) * 128); i++) {
                min = Math.min(min, s.values()[i]);
                max = Math.max(max, s.values()[i]);
            }
            assertThat(extremes.values()[b]).isEqualTo(min);
            assertThat(extremes.values()[8 + b]).isEqualTo(max);
        }
        s.steps()[10] = -1;
        ChunkSummary unsorted = ChunkSummary.of(s.steps(), s.timestamps(), s.values(), 0, 1000);
        assertThat(ChunkEnvelope.of(unsorted, s.steps(), s.timestamps(), s.values(), 0, 1000)).isNull();
    }
}
