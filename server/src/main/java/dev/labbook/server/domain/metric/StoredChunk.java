package dev.labbook.server.domain.metric;

/**
 * A chunk as stored: its arrival sequence, summary, and, when fetched, its encoded points and
 * its {@link ChunkEnvelope} (null when it has none or it was not fetched).
 */
public record StoredChunk(int seq, ChunkSummary summary, byte[] data, byte[] envelope) {
}
