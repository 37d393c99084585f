package dev.labbook.server.domain.search;

import dev.labbook.server.domain.Param;
import dev.labbook.server.domain.ParamValue;
import dev.labbook.server.domain.metric.MetricSummary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs side by side: one row per param key and per metric key over the union of the runs' keys
 * (sorted), with each run's value in run order (null where a run lacks the key).
 *
 * <p>A param row differs when the values are not all equal in type and value, or some run lacks
 * the key. A metric row differs when the last values differ or some run lacks the series. A tag
 * differs likewise.
 */
public record RunComparison(List<RunWithMetrics> runs, List<ParamRow> params, List<MetricRow> metrics,
        List<String> differingTagKeys) {

    public record ParamRow(String key, List<ParamValue> values, boolean differs) {
    }

    public record MetricRow(String key, List<MetricSummary> summaries, boolean differs) {
    }

    public List<String> differingParamKeys() {
        return params.stream().filter(ParamRow::differs).map(ParamRow::key).toList();
    }

    public static RunComparison of(List<RunWithMetrics> runs) {
        Set<String> paramKeys = new TreeSet<>();
        Set<String> metricKeys = new TreeSet<>();
        Set<String> tagKeys = new TreeSet<>();
        for (RunWithMetrics r : runs) {
            r.run().params().forEach(p -> paramKeys.add(p.key()));
            r.metrics().forEach(m -> metricKeys.add(m.key()));
            tagKeys.addAll(r.run().tags().keySet());
        }
        List<ParamRow> params = new ArrayList<>();
        for (String key : paramKeys) {
            List<ParamValue> values = new ArrayList<>();
            for (RunWithMetrics r : runs) {
                values.add(r.run().params().stream().filter(p -> p.key().equals(key)).map(Param::value)
                        .findFirst().orElse(null));
            }
            params.add(new ParamRow(key, values, distinct(values) > 1));
        }
        List<MetricRow> metrics = new ArrayList<>();
        for (String key : metricKeys) {
            List<MetricSummary> summaries = new ArrayList<>();
            List<Double> lasts = new ArrayList<>();
            for (RunWithMetrics r : runs) {
                MetricSummary summary = r.metrics().stream().filter(m -> m.key().equals(key)).findFirst().orElse(null);
                summaries.add(summary);
                lasts.add(summary == null ? null : summary.lastValue());
            }
            metrics.add(new MetricRow(key, summaries, distinct(lasts) > 1));
        }
        List<String> differingTags = new ArrayList<>();
        for (String key : tagKeys) {
            List<String> values = runs.stream().map(r -> r.run().tags().get(key)).toList();
            if (distinct(values) > 1) {
                differingTags.add(key);
            }
        }
        return new RunComparison(runs, params, metrics, differingTags);
    }

    /** Distinct values, null (missing) counting as one; records compare by type and value. */
    private static int distinct(List<?> values) {
        Set<Object> seen = new HashSet<>();
        values.forEach(v -> seen.add(v == null ? Objects.class : v));
        return seen.size();
    }

    public RunComparison {
        runs = List.copyOf(runs);
        params = List.copyOf(params);
        metrics = List.copyOf(metrics);
        differingTagKeys = List.copyOf(differingTagKeys);
    }
}
