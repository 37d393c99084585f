package dev.labbook.server.domain.metric;

/** A chunk to insert into a series at a given sequence number. */
public record NewChunk(long seriesId, int seq, ChunkSummary summary, byte[] data) {
}
