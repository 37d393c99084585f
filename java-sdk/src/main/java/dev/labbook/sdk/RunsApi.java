package dev.labbook.sdk;

import static dev.labbook.sdk.ExperimentsApi.nz;

import dev.labbook.api.v1.CompareRunsRequest;
import dev.labbook.api.v1.CompareRunsResponse;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.CreateRunResponse;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.GetRunResponse;
import dev.labbook.api.v1.LifecycleFilter;
import dev.labbook.api.v1.ListRunsRequest;
import dev.labbook.api.v1.ListRunsResponse;
import dev.labbook.api.v1.LogParamsRequest;
import dev.labbook.api.v1.MetricComparison;
import dev.labbook.api.v1.ParamComparison;
import dev.labbook.api.v1.ResumeRunRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc.RunServiceBlockingStub;
import dev.labbook.api.v1.RunView;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.SearchRunsResponse;
import dev.labbook.api.v1.SetRunTagsRequest;
import dev.labbook.api.v1.UpdateRunRequest;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Run calls of {@link LabbookClient}. */
public final class RunsApi {
    private final Channel channel;
    private final Calls calls;

    RunsApi(Channel channel, Calls calls) {
        this.channel = channel;
        this.calls = calls;
    }

    private RunServiceBlockingStub stub() {
        return RunServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Creates the run, or resumes the existing run of that name in the experiment (the experiment
     * is created when named and missing). Retried on UNAVAILABLE/ABORTED only when a name is given,
     * since only then is a second attempt the same run.
     */
    public OpenedRun open(NewRun spec) {
        CreateRunRequest req = CreateRunRequest.newBuilder().setProject(spec.project())
                .setExperimentName(spec.experimentName()).setExperimentId(spec.experimentId()).setName(spec.name())
                .setDescription(spec.description()).putAllTags(spec.tags()).setParentRunId(spec.parentRunId())
                .setSource(Protos.source(spec.source())).addAllParams(Protos.params(spec.params())).build();
        CreateRunResponse resp = spec.name().isEmpty() ? calls.once(() -> stub().createRun(req))
                : calls.idempotent(() -> stub().createRun(req));
        return new OpenedRun(Protos.run(resp.getRun()), resp.getResumed());
    }

    public RunInfo get(String runId) {
        return details(runId).run();
    }

    /** The run with its status history. */
    public RunDetails details(String runId) {
        GetRunRequest req = GetRunRequest.newBuilder().setRunId(runId).build();
        GetRunResponse resp = calls.idempotent(() -> stub().getRun(req));
        List<StatusChange> history = new ArrayList<>();
        resp.getStatusHistoryList().forEach(c -> history.add(new StatusChange(Protos.status(c.getFromStatus()),
                Protos.status(c.getToStatus()), c.getTimeMs(), c.getReason())));
        return new RunDetails(Protos.run(resp.getRun()), List.copyOf(history));
    }

    /** One page of an experiment's active runs, newest first. */
    public Page<RunInfo> list(String experimentId, int pageSize, String pageToken) {
        ListRunsRequest req = ListRunsRequest.newBuilder().setExperimentId(experimentId).setPageSize(pageSize)
                .setPageToken(nz(pageToken)).build();
        ListRunsResponse resp = calls.idempotent(() -> stub().listRuns(req));
        List<RunInfo> out = new ArrayList<>();
        resp.getRunsList().forEach(r -> out.add(Protos.run(r)));
        return new Page<>(out, resp.getNextPageToken());
    }

    /** One page of a search (params, tags and metric summaries included). */
    public Page<RunInfo> search(RunSearch search, String pageToken) {
        SearchRunsRequest req = SearchRunsRequest.newBuilder().setProject(search.project())
                .addAllExperimentIds(search.experimentIds()).setFilter(search.filter())
                .addAllOrderBy(search.orderBy()).setPageSize(search.pageSize()).setPageToken(nz(pageToken))
                .setMaxResults(search.maxResults()).setView(RunView.RUN_VIEW_FULL)
                .setLifecycle(search.includeDeleted() ? LifecycleFilter.LIFECYCLE_FILTER_ALL
                        : LifecycleFilter.LIFECYCLE_FILTER_ACTIVE)
                .build();
        SearchRunsResponse resp = calls.idempotent(() -> stub().searchRuns(req));
        List<RunInfo> out = new ArrayList<>();
        resp.getRunsList().forEach(r -> out.add(Protos.run(r)));
        return new Page<>(out, resp.getNextPageToken());
    }

    /** Every run the search matches (all pages, up to its maxResults). */
    public List<RunInfo> searchAll(RunSearch search) {
        List<RunInfo> out = new ArrayList<>();
        String token = "";
        do {
            Page<RunInfo> page = search(search, token);
            out.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    public RunComparison compare(List<String> runIds) {
        CompareRunsRequest req = CompareRunsRequest.newBuilder().addAllRunIds(runIds).build();
        CompareRunsResponse resp = calls.idempotent(() -> stub().compareRuns(req));
        List<RunInfo> runs = new ArrayList<>();
        resp.getRunsList().forEach(r -> runs.add(Protos.run(r)));
        Map<String, List<Object>> params = new LinkedHashMap<>();
        for (ParamComparison p : resp.getParamsList()) {
            List<Object> values = new ArrayList<>();
            p.getValuesList().forEach(v -> values.add(Protos.value(v)));
            params.put(p.getKey(), java.util.Collections.unmodifiableList(values));
        }
        Map<String, List<MetricSummary>> metrics = new LinkedHashMap<>();
        List<String> differingMetrics = new ArrayList<>();
        for (MetricComparison m : resp.getMetricsList()) {
            List<MetricSummary> s = new ArrayList<>();
            m.getSummariesList().forEach(x -> s.add(x.getKey().isEmpty() ? null : Protos.summary(x)));
            metrics.put(m.getKey(), java.util.Collections.unmodifiableList(s));
            if (m.getDiffers()) {
                differingMetrics.add(m.getKey());
            }
        }
        return new RunComparison(List.copyOf(runs), params, metrics, List.copyOf(resp.getDifferingParamKeysList()),
                List.copyOf(differingMetrics), List.copyOf(resp.getDifferingTagKeysList()));
    }

    /** Sets the status; a final status also sets the end time (server clock). */
    public RunInfo setStatus(String runId, RunStatus status) {
        UpdateRunRequest req = UpdateRunRequest.newBuilder().setRunId(runId).addUpdateFields("status")
                .setStatus(Protos.status(status)).build();
        return Protos.run(calls.idempotent(() -> stub().updateRun(req)).getRun());
    }

    /** Sets a final status with an explicit end time (offline runs synced later). */
    public RunInfo setStatus(String runId, RunStatus status, long endTimeMs) {
        UpdateRunRequest req = UpdateRunRequest.newBuilder().setRunId(runId).addUpdateFields("status")
                .addUpdateFields("end_time_ms").setStatus(Protos.status(status)).setEndTimeMs(endTimeMs).build();
        return Protos.run(calls.idempotent(() -> stub().updateRun(req)).getRun());
    }

    public RunInfo setDescription(String runId, String description) {
        UpdateRunRequest req = UpdateRunRequest.newBuilder().setRunId(runId).addUpdateFields("description")
                .setDescription(nz(description)).build();
        return Protos.run(calls.idempotent(() -> stub().updateRun(req)).getRun());
    }

    /** Resumes a finished run (RUNNING again). */
    public RunInfo resume(String runId) {
        ResumeRunRequest req = ResumeRunRequest.newBuilder().setRunId(runId).build();
        return Protos.run(calls.idempotent(() -> stub().resumeRun(req)).getRun());
    }

    /** Merges tags into the run's and removes {@code removeKeys}; returns all tags after. */
    public Map<String, String> setTags(String runId, Map<String, String> tags, Collection<String> removeKeys) {
        SetRunTagsRequest req = SetRunTagsRequest.newBuilder().setRunId(runId).putAllTags(tags)
                .addAllRemoveKeys(removeKeys == null ? List.of() : removeKeys).build();
        return new java.util.TreeMap<>(calls.idempotent(() -> stub().setRunTags(req)).getTagsMap());
    }

    /**
     * Logs typed params (Long/Integer → int, Double/Float → double, Boolean, else string);
     * logging a key again overwrites it.
     */
    public int logParams(String runId, Map<String, ?> params) {
        LogParamsRequest req = LogParamsRequest.newBuilder().setRunId(runId).addAllParams(Protos.params(params))
                .build();
        return calls.idempotent(() -> stub().logParams(req)).getWritten();
    }

    /**
     * Watches a run: the iterator yields the run now and again on every change (status, tags,
     * metrics...), and ends when the run finishes. {@code hasNext()} blocks; close to stop early.
     */
    public RunWatch watch(String runId) {
        var req = dev.labbook.api.v1.WatchRunRequest.newBuilder().setRunId(runId).build();
        io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
        io.grpc.Context previous = context.attach();
        try {
            return new RunWatch(RunServiceGrpc.newBlockingStub(channel).watchRun(req), context);
        } finally {
            context.detach(previous);
        }
    }

    /** The states of a watched run; an iterator that can be closed (from any thread). */
    public static final class RunWatch implements java.util.Iterator<RunInfo>, AutoCloseable {
        private final java.util.Iterator<dev.labbook.api.v1.WatchRunResponse> responses;
        private final io.grpc.Context.CancellableContext context;

        RunWatch(java.util.Iterator<dev.labbook.api.v1.WatchRunResponse> responses,
                io.grpc.Context.CancellableContext context) {
            this.responses = responses;
            this.context = context;
        }

        @Override
        public boolean hasNext() {
            try {
                return !context.isCancelled() && responses.hasNext();
            } catch (RuntimeException e) {
                if (context.isCancelled()) {
                    return false;
                }
                throw Errors.translate(e);
            }
        }

        @Override
        public RunInfo next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            return Protos.run(responses.next().getRun());
        }

        @Override
        public void close() {
            context.cancel(null);
        }
    }

    public RunInfo delete(String runId) {
        var req = dev.labbook.api.v1.DeleteRunRequest.newBuilder().setRunId(runId).build();
        return Protos.run(calls.idempotent(() -> stub().deleteRun(req)).getRun());
    }
}
