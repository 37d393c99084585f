package dev.labbook.server.domain.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.labbook.server.testing.FuzzStats;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of the metric chunk decoder on corrupted and truncated bytes. The
 * seeds are real chunks (src/test/resources/dev/labbook/server/domain/metric/
 * MetricChunkCodecFuzzTestInputs/), which the fuzzer flips, cuts and splices. Properties:
 * <ul>
 * <li>decode either returns points or throws the documented {@link IllegalArgumentException};
 *     any other exception, a hang (Jazzer's per-input timeout) or an allocation out of
 *     proportion to the input fails;</li>
 * <li>what decodes has exactly the header's point count, and encoding it again gives the same
 *     bytes (the decoder accepts only what the encoder writes, so no two byte strings stand for
 *     the same points);</li>
 * <li>every proper prefix of a chunk that decodes is refused: truncation is always detected;</li>
 * <li>the same bytes read as raw points (step, timestamp, value bits) round-trip bit-exactly.</li>
 * </ul>
 */
class MetricChunkCodecFuzzTest {
    private static final FuzzStats STATS = new FuzzStats("metric_chunk_codec");
    /** Each point costs at least 3 bits, so a chunk of n bytes holds fewer than 3n points. */
    private static final int BITS_PER_BYTE = 8;

    @FuzzTest(maxDuration = "2s")
    void decodesOrRefusesCorruptChunks(byte[] input) {
        STATS.count();
        DecodedChunk decoded = null;
        try {
            decoded = MetricChunkCodec.decode(input);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).containsAnyOf("corrupt metric chunk", "unsupported metric chunk format version");
        }
        if (decoded != null) {
            assertThat(decoded.size()).isEqualTo(MetricChunkCodec.count(input))
                    .isLessThanOrEqualTo(input.length * BITS_PER_BYTE / 3 + 1);
            byte[] again = MetricChunkCodec.encode(decoded.steps(), decoded.timestampsMs(), decoded.values(), 0,
                    decoded.size());
            assertThat(again).as("re-encoded chunk").isEqualTo(input);
            for (int cut = Math.max(0, input.length - 16); cut < input.length; cut++) {
                byte[] prefix = Arrays.copyOf(input, cut);
                assertThatThrownBy(() -> MetricChunkCodec.decode(prefix)).as("prefix of %d bytes", cut)
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
        roundTripsAsRawPoints(input);
    }

    private static void roundTripsAsRawPoints(byte[] input) {
        int n = input.length / 24;
        ByteBuffer raw = ByteBuffer.wrap(input);
        long[] steps = new long[n];
        long[] timestamps = new long[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = raw.getLong();
            timestamps[i] = raw.getLong();
            values[i] = Double.longBitsToDouble(raw.getLong());
        }
        int from = n == 0 ? 0 : (input[0] & 0xFF) % (n + 1);
        DecodedChunk back = MetricChunkCodec.decode(MetricChunkCodec.encode(steps, timestamps, values, from, n));
        assertThat(back.steps()).isEqualTo(Arrays.copyOfRange(steps, from, n));
        assertThat(back.timestampsMs()).isEqualTo(Arrays.copyOfRange(timestamps, from, n));
        long[] bits = Arrays.stream(back.values()).mapToLong(Double::doubleToRawLongBits).toArray();
        long[] expected = Arrays.stream(Arrays.copyOfRange(values, from, n)).mapToLong(Double::doubleToRawLongBits)
                .toArray();
        assertThat(bits).isEqualTo(expected);
    }

    @AfterAll
    static void writeStats() {
        STATS.write();
    }
}
