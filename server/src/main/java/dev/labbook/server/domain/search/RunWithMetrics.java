package dev.labbook.server.domain.search;

import dev.labbook.server.domain.Run;
import dev.labbook.server.domain.metric.MetricSummary;
import java.util.List;

/** A run with its params and tags (in {@link Run}) and the summaries of its metric series, by key. */
public record RunWithMetrics(Run run, List<MetricSummary> metrics) {
    public RunWithMetrics {
        metrics = List.copyOf(metrics);
    }
}
