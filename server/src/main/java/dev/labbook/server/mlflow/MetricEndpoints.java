package dev.labbook.server.mlflow;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labbook.api.v1.BatchGetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryRequest;
import dev.labbook.api.v1.GetMetricHistoryResponse;
import dev.labbook.api.v1.MetricSeries;
import java.util.Iterator;
import java.util.List;

/**
 * MLflow's metric reads: {@code metrics/get-history} (every point, exact timestamps, paged by
 * Labbook's own cursor) and {@code metrics/get-history-bulk-interval} (the MLflow UI's charts:
 * BatchGetMetricHistory, downsampled to {@code max_results} points per run).
 */
final class MetricEndpoints implements MlflowEndpoints {
    /** MLflow's get-history-bulk-interval limits: 100 runs, 2500 points per run by default. */
    static final int BULK_MAX_RUNS = 100;
    static final int BULK_DEFAULT_POINTS = 2500;
    static final int BULK_MAX_POINTS = 10_000;

    private final LabbookGateway gateway;

    MetricEndpoints(LabbookGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void register(MlflowRoutes routes) {
        routes.get("metrics/get-history", this::history);
        routes.get("metrics/get-history-bulk-interval", this::bulkInterval);
    }

    private ObjectNode history(MlflowRequest request) {
        String runId = RunEndpoints.runId(request);
        String key = request.requiredString("metric_key");
        long maxResults = request.longValue("max_results").orElse(0L);
        if (maxResults < 0 || maxResults > Integer.MAX_VALUE) {
            throw MlflowException.invalid("Invalid value " + maxResults + " for parameter 'max_results' supplied.");
        }
        GetMetricHistoryRequest.Builder get = GetMetricHistoryRequest.newBuilder().setRunId(runId).setKey(key)
                .setPageSize((int) maxResults).setPageToken(request.string("page_token").orElse(""));
        ObjectNode answer = MlflowJsonMapper.object();
        ArrayNode metrics = MlflowApi.JSON.createArrayNode();
        String next = "";
        Iterator<GetMetricHistoryResponse> stream = gateway.metrics(request.caller()).getMetricHistory(get.build());
        while (stream.hasNext()) {
            GetMetricHistoryResponse piece = stream.next();
            for (int i = 0; i < piece.getStepCount(); i++) {
                metrics.add(MlflowJsonMapper.metric(key, piece.getValue(i), piece.getTimestampMs(i), piece.getStep(i)));
            }
            next = piece.getNextPageToken();
        }
        if (!metrics.isEmpty()) {
            answer.set("metrics", metrics);
        }
        if (maxResults > 0 && !next.isEmpty()) {
            answer.put("next_page_token", next);
        }
        return answer;
    }

    private ObjectNode bulkInterval(MlflowRequest request) {
        List<String> runIds = request.strings("run_ids");
        if (runIds.isEmpty()) {
            throw MlflowException.missing("run_ids");
        }
        if (runIds.size() > BULK_MAX_RUNS) {
            throw MlflowException.invalid("GetMetricHistoryBulkInterval request must specify at most "
                    + BULK_MAX_RUNS + " run_ids. Received " + runIds.size() + " run_ids.");
        }
        String key = request.requiredString("metric_key");
        long maxResults = request.longValue("max_results").orElse((long) BULK_DEFAULT_POINTS);
        if (maxResults < 1 || maxResults > BULK_MAX_POINTS) {
            throw MlflowException.invalid("Invalid value " + maxResults + " for parameter 'max_results' supplied. "
                    + "It must be at most " + BULK_MAX_POINTS + " and at least 1.");
        }
        BatchGetMetricHistoryRequest.Builder get = BatchGetMetricHistoryRequest.newBuilder()
                .addAllRunIds(runIds.stream().distinct().toList()).addKeys(key).setMaxPoints((int) maxResults);
        request.longValue("start_step").ifPresent(get::setStartStep);
        request.longValue("end_step").ifPresent(get::setEndStep);
        ArrayNode metrics = MlflowApi.JSON.createArrayNode();
        for (MetricSeries series : gateway.metrics(request.caller()).batchGetMetricHistory(get.build()).getSeriesList()) {
            for (int i = 0; i < series.getStepCount(); i++) {
                ObjectNode point = MlflowJsonMapper.metric(key, series.getValue(i), series.getTimestampMs(i), series.getStep(i));
                point.put("run_id", series.getRunId());
                metrics.add(point);
            }
        }
        ObjectNode answer = MlflowJsonMapper.object();
        if (!metrics.isEmpty()) {
            answer.set("metrics", metrics);
        }
        return answer;
    }
}
