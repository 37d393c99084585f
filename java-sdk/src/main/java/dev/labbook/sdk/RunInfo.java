package dev.labbook.sdk;

import java.util.List;
import java.util.Map;

/**
 * A run as stored on the server. {@code params} values are {@link Long}, {@link Double},
 * {@link String} or {@link Boolean}, in key order; {@code metrics} are filled by search and
 * compare (empty from get and list). {@code startTimeMs} is when the run first became RUNNING (0
 * while QUEUED; resuming keeps it), {@code createTimeMs} when it was created; {@code etag} changes with every change
 * of the run's own fields, tags or params (give it to {@link RunsApi#update} to update only what
 * you read); {@code creator} is empty until the server knows callers.
 */
public record RunInfo(String id, String experimentId, String name, RunStatus status, long startTimeMs,
        long endTimeMs, String description, Map<String, String> tags, String parentRunId, SourceInfo source,
        Map<String, Object> params, int resumeCount, List<MetricSummary> metrics, boolean deleted,
        long createTimeMs, String etag, String creator) {
}
