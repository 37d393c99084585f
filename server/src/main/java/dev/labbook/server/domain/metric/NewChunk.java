package dev.labbook.server.domain.metric;

/**
 * A chunk to insert into a series at a given sequence number, with its encoded points and its
 * {@link ChunkEnvelope} (null when it has none).
 */
public record NewChunk(long seriesId, int seq, ChunkSummary summary, byte[] data, byte[] envelope) {

    /** Summarises and encodes points [from, to) of parallel arrays into a chunk. */
    static NewChunk encode(long seriesId, int seq, long[] steps, long[] timestamps, double[] values, int from,
            int to) {
        ChunkSummary summary = ChunkSummary.of(steps, timestamps, values, from, to);
        return new NewChunk(seriesId, seq, summary, MetricChunkCodec.encode(steps, timestamps, values, from, to),
                ChunkEnvelope.of(summary, steps, timestamps, values, from, to));
    }
}
