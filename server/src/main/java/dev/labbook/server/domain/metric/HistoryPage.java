package dev.labbook.server.domain.metric;

/**
 * One message of a series read: points in step order, and the token that resumes after its last
 * point (empty when no point follows, and on downsampled reads).
 */
public record HistoryPage(DecodedChunk points, String nextPageToken) {
}
