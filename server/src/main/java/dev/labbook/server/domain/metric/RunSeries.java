package dev.labbook.server.domain.metric;

import java.util.UUID;

/** A stored series with the run it belongs to. */
public record RunSeries(UUID runId, SeriesState series) {
}
