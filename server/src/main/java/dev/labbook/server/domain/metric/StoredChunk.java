package dev.labbook.server.domain.metric;

/** A chunk as stored: its arrival sequence, summary and (when fetched) encoded points. */
public record StoredChunk(int seq, ChunkSummary summary, byte[] data) {
}
