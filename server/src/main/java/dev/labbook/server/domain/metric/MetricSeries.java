package dev.labbook.server.domain.metric;

import java.util.UUID;

/** One series of a many-series read: its run, key, points in step order, and whether downsampled. */
public record MetricSeries(UUID runId, String key, DecodedChunk points, boolean downsampled) {
}
