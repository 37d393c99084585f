package dev.labbook.server.domain.metric;

/**
 * What one compaction pass found of a series' small chunks: how many of them it saw, and how
 * many of those directly follow another small chunk in arrival order (only such neighbours can
 * be merged, so a series whose small chunks are all isolated is not picked).
 */
public record SmallChunks(long seriesId, int chunks, int mergeablePairs) {
}
