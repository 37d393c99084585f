package dev.labbook.server.testing;

import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.Param;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.SearchRunsResponse;
import dev.labbook.api.v1.UpdateRunRequest;
import dev.labbook.api.v1.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds experiments and runs with typed params, tags and metrics for search tests, over gRPC. */
public final class SearchFixtures {
    private final TestServer server;

    public SearchFixtures(TestServer server) {
        this.server = server;
    }

    public String experiment(String project, String name) {
        return server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setProject(project)
                .setName(name).build()).getExperiment().getId();
    }

    public String experiment(String name) {
        return experiment("", name);
    }

    /** A run with params (String, Integer/Long, Double or Boolean values) and tags. */
    public String run(String experimentId, String name, Map<String, ?> params, Map<String, String> tags) {
        CreateRunRequest.Builder request = CreateRunRequest.newBuilder().setExperimentId(experimentId).setName(name)
                .putAllTags(tags);
        params.forEach((key, value) -> request.addParams(Param.newBuilder().setKey(key).setValue(value(value))));
        return server.runs().createRun(request.build()).getRun().getId();
    }

    public static Value value(Object value) {
        Value.Builder v = Value.newBuilder();
        if (value instanceof String s) {
            v.setStringValue(s);
        } else if (value instanceof Integer i) {
            v.setIntValue(i);
        } else if (value instanceof Long l) {
            v.setIntValue(l);
        } else if (value instanceof Double d) {
            v.setDoubleValue(d);
        } else if (value instanceof Boolean b) {
            v.setBoolValue(b);
        } else {
            throw new IllegalArgumentException("unsupported param value " + value);
        }
        return v.build();
    }

    /** Logs each series' values at steps 0, 1, 2... in one batch. */
    public void metrics(String runId, Map<String, double[]> series) {
        MetricBatch.Builder batch = MetricBatch.newBuilder().setRunId(runId).setWriterId(UUID.randomUUID().toString())
                .setSequence(1);
        int k = 0;
        for (var entry : series.entrySet()) {
            batch.addKeys(entry.getKey());
            double[] values = entry.getValue();
            for (int step = 0; step < values.length; step++) {
                batch.addKeyIndex(k).addStep(step).addTimestampMs(1_700_000_000_000L + step).addValue(values[step]);
            }
            k++;
        }
        MetricStreams.send(server.channel(), List.of(batch.build()));
    }

    public Run finish(String runId, RunStatus status) {
        return RunLifecycle.finish(server, runId, status);
    }

    public SearchRunsResponse search(SearchRunsRequest request) {
        return server.runs().searchRuns(request);
    }

    /** Names of the runs the request matches, in order, on its first page. */
    public List<String> names(SearchRunsRequest request) {
        return search(request).getRunsList().stream().map(Run::getName).toList();
    }

    /** Names over every page, following next_page_token. */
    public List<String> allNames(SearchRunsRequest request) {
        List<String> names = new ArrayList<>();
        SearchRunsRequest next = request;
        for (int pages = 0; pages < 10_000; pages++) {
            SearchRunsResponse page = search(next);
            page.getRunsList().forEach(run -> names.add(run.getName()));
            if (page.getNextPageToken().isEmpty()) {
                return names;
            }
            next = next.toBuilder().setPageToken(page.getNextPageToken()).build();
        }
        throw new AssertionError("paging did not end");
    }
}
