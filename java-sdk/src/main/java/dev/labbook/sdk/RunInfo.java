package dev.labbook.sdk;

import java.util.List;
import java.util.Map;

/**
 * A run as stored on the server. {@code params} values are {@link Long}, {@link Double},
 * {@link String} or {@link Boolean}, in key order; {@code metrics} are filled by search and
 * compare (empty from get and list).
 */
public record RunInfo(String id, String experimentId, String name, RunStatus status, long startTimeMs,
        long endTimeMs, String description, Map<String, String> tags, String parentRunId, SourceInfo source,
        Map<String, Object> params, int resumeCount, List<MetricSummary> metrics, boolean deleted) {
}
