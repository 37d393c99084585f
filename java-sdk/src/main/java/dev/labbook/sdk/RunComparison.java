package dev.labbook.sdk;

import java.util.List;
import java.util.Map;

/**
 * Runs side by side: for each param key the values per run (in run order, null where a run lacks
 * it), for each metric key the summaries per run, and which keys differ.
 */
public record RunComparison(List<RunInfo> runs, Map<String, List<Object>> params,
        Map<String, List<MetricSummary>> metrics, List<String> differingParamKeys, List<String> differingMetricKeys,
        List<String> differingTagKeys) {
}
