package dev.labbook.sdk;

import static dev.labbook.sdk.ExperimentsApi.nz;

import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.CompareRunsRequest;
import dev.labbook.api.v1.CompareRunsResponse;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.GetRunResponse;
import dev.labbook.api.v1.LifecycleFilter;
import dev.labbook.api.v1.ListRunsRequest;
import dev.labbook.api.v1.ListRunsResponse;
import dev.labbook.api.v1.LogParamsRequest;
import dev.labbook.api.v1.MetricComparison;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.OpenRunResponse;
import dev.labbook.api.v1.ParamComparison;
import dev.labbook.api.v1.RenewRunLeaseRequest;
import dev.labbook.api.v1.RenewRunLeaseResponse;
import dev.labbook.api.v1.ResumePolicy;
import dev.labbook.api.v1.ResumeRunRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.RunServiceGrpc.RunServiceBlockingStub;
import dev.labbook.api.v1.RunView;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.SearchRunsResponse;
import dev.labbook.api.v1.SetRunTagsRequest;
import dev.labbook.api.v1.StartRunRequest;
import dev.labbook.api.v1.UpdateRunRequest;
import dev.labbook.api.v1.UpdateRunResponse;
import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.Errors;
import dev.labbook.sdk.internal.LeaseRenewer;
import dev.labbook.sdk.internal.Protos;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Run calls of {@link LabbookClient}. */
public final class RunsApi {
    private final Channel channel;
    private final Calls calls;
    private final ExperimentsApi experiments;

    RunsApi(Channel channel, Calls calls, ExperimentsApi experiments) {
        this.channel = channel;
        this.calls = calls;
        this.experiments = experiments;
    }

    private RunServiceBlockingStub stub() {
        return RunServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Opens a run by name for logging ({@code OpenRun}): creates it, or resumes the existing run
     * of that name as {@link NewRun#resume()} allows; an experiment given by name is created when
     * missing if {@link NewRun#createExperimentIfMissing()}. Retried on UNAVAILABLE/ABORTED only
     * when a name is given and resuming is allowed, since only then is a second attempt the same
     * run (with {@link Resume#NEVER} a retry would find the run its first attempt created).
     */
    public OpenedRun open(NewRun spec) {
        OpenRunRequest req = OpenRunRequest.newBuilder().setProject(spec.project())
                .setExperimentName(spec.experimentName()).setExperimentId(spec.experimentId())
                .setCreateExperimentIfMissing(spec.createExperimentIfMissing() && spec.experimentId().isEmpty())
                .setName(spec.name()).setResume(resumePolicy(spec.resume())).setDescription(spec.description())
                .putAllTags(spec.tags()).setParentRunId(spec.parentRunId()).setSource(Protos.source(spec.source()))
                .addAllParams(Protos.params(spec.params())).build();
        if (spec.startTimeMs() != null) {
            req = req.toBuilder().setStartTimeMs(spec.startTimeMs()).build();
        }
        OpenRunRequest request = req;
        boolean retrySafe = !spec.name().isEmpty() && spec.resume() != Resume.NEVER;
        OpenRunResponse resp = retrySafe ? calls.idempotent(() -> stub().openRun(request))
                : calls.once(() -> stub().openRun(request));
        return new OpenedRun(Protos.run(resp.getRun()), resp.getResumed(), resp.getExperimentCreated());
    }

    /**
     * Creates a run ({@code CreateRun}); never resumes one: a taken name fails with
     * {@link AlreadyExistsException}. {@code queued}: the run waits in QUEUED (no start time)
     * until {@link #start} or an {@link #open} of its name starts it, as a submitted job does. An
     * experiment given by name is looked up (created when missing if the spec says so); the
     * spec's resume policy does not apply. A request id makes the call safe to retry.
     */
    public RunInfo create(NewRun spec, boolean queued) {
        String experimentId = spec.experimentId();
        if (experimentId.isEmpty()) {
            experimentId = (spec.createExperimentIfMissing()
                    ? experiments.getOrCreate(spec.project(), spec.experimentName())
                    : experiments.getByName(spec.project(), spec.experimentName())).id();
        }
        CreateRunRequest req = CreateRunRequest.newBuilder().setExperimentId(experimentId).setName(spec.name())
                .setDescription(spec.description()).putAllTags(spec.tags()).setParentRunId(spec.parentRunId())
                .setSource(Protos.source(spec.source())).addAllParams(Protos.params(spec.params()))
                .setInitialStatus(queued ? dev.labbook.api.v1.RunStatus.RUN_STATUS_QUEUED
                        : dev.labbook.api.v1.RunStatus.RUN_STATUS_RUNNING)
                .setRequestId(UUID.randomUUID().toString()).build();
        return Protos.run(calls.idempotent(() -> stub().createRun(req)).getRun());
    }

    private static ResumePolicy resumePolicy(Resume r) {
        return switch (r) {
            case ALLOW -> ResumePolicy.RESUME_POLICY_ALLOW;
            case NEVER -> ResumePolicy.RESUME_POLICY_NEVER;
            case MUST -> ResumePolicy.RESUME_POLICY_MUST;
        };
    }

    public RunInfo get(String runId) {
        return details(runId).run();
    }

    /** The run with its status history. */
    public RunDetails details(String runId) {
        return details(GetRunRequest.newBuilder().setRunId(runId).build());
    }

    /**
     * The run of that name (compared without case) in the experiment {@code project/experimentName};
     * {@link NotFoundException} with reason RUN_NOT_FOUND or EXPERIMENT_NOT_FOUND when either is
     * missing. Soft-deleted runs are found too. Never creates anything.
     */
    public RunInfo getByName(String project, String experimentName, String runName) {
        return details(GetRunRequest.newBuilder().setProject(nz(project)).setExperimentName(experimentName)
                .setRunName(runName).build()).run();
    }

    /** The run of that name in the experiment with this id; see {@link #getByName}. */
    public RunInfo getInExperiment(String experimentId, String runName) {
        return details(GetRunRequest.newBuilder().setExperimentId(experimentId).setRunName(runName).build()).run();
    }

    private RunDetails details(GetRunRequest req) {
        GetRunResponse resp = calls.idempotent(() -> stub().getRun(req));
        List<StatusChange> history = new ArrayList<>();
        resp.getStatusHistoryList().forEach(c -> history.add(new StatusChange(Protos.status(c.getFromStatus()),
                Protos.status(c.getToStatus()), c.getTimeMs(), c.getReason(), c.getMessage())));
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

    /** Starts a QUEUED run (RUNNING, start time now); a RUNNING run is returned unchanged. */
    public RunInfo start(String runId) {
        StartRunRequest req = StartRunRequest.newBuilder().setRunId(runId).build();
        return Protos.run(calls.idempotent(() -> stub().startRun(req)).getRun());
    }

    /**
     * Finishes a run as COMPLETED or FAILED, ending now (server clock). Finishing again with the
     * same status is a no-op; another final status, or COMPLETED while QUEUED, fails with
     * {@link InvalidStatusTransitionException}.
     */
    public RunInfo finish(String runId, RunStatus status) {
        return finish(FinishRunRequest.newBuilder().setRunId(runId).setStatus(finalStatus(status)).build());
    }

    /** Finishes with an explicit end time (offline runs synced later); not before the run's start. */
    public RunInfo finish(String runId, RunStatus status, long endTimeMs) {
        return finish(FinishRunRequest.newBuilder().setRunId(runId).setStatus(finalStatus(status))
                .setEndTimeMs(endTimeMs).build());
    }

    private RunInfo finish(FinishRunRequest req) {
        return Protos.run(calls.idempotent(() -> stub().finishRun(req)).getRun());
    }

    private static dev.labbook.api.v1.RunStatus finalStatus(RunStatus status) {
        if (status != RunStatus.COMPLETED && status != RunStatus.FAILED) {
            throw new IllegalArgumentException("a run finishes COMPLETED or FAILED, not " + status
                    + " (use cancel() or resume())");
        }
        return Protos.status(status);
    }

    /** Cancels a QUEUED or RUNNING run (CANCELED, end time now); canceling a CANCELED run is a no-op. */
    public RunInfo cancel(String runId) {
        CancelRunRequest req = CancelRunRequest.newBuilder().setRunId(runId).build();
        return Protos.run(calls.idempotent(() -> stub().cancelRun(req)).getRun());
    }

    /** Cancels with an explicit end time (offline runs synced later); not before the run's start. */
    public RunInfo cancel(String runId, long endTimeMs) {
        CancelRunRequest req = CancelRunRequest.newBuilder().setRunId(runId).setEndTimeMs(endTimeMs).build();
        return Protos.run(calls.idempotent(() -> stub().cancelRun(req)).getRun());
    }

    /**
     * Changes the run's name and/or description (the non-null fields of {@code changes}). With
     * a non-empty {@code etag} (from {@link RunInfo#etag()}) only if the run has not changed since:
     * otherwise {@link EtagMismatchException}. A conditional update is not retried (a retry after
     * a lost answer would see its own change as a conflict).
     */
    public RunInfo update(String runId, RunUpdate changes, String etag) {
        UpdateRunRequest.Builder req = UpdateRunRequest.newBuilder().setRunId(runId).setEtag(nz(etag));
        FieldMask.Builder mask = FieldMask.newBuilder();
        if (changes.name() != null) {
            req.setName(changes.name());
            mask.addPaths("name");
        }
        if (changes.description() != null) {
            req.setDescription(changes.description());
            mask.addPaths("description");
        }
        if (mask.getPathsCount() == 0) {
            throw new IllegalArgumentException("nothing to update: give a name or a description");
        }
        UpdateRunRequest built = req.setUpdateMask(mask).build();
        UpdateRunResponse resp = nz(etag).isEmpty() ? calls.idempotent(() -> stub().updateRun(built))
                : calls.once(() -> stub().updateRun(built));
        return Protos.run(resp.getRun());
    }

    public RunInfo setDescription(String runId, String description) {
        return update(runId, RunUpdate.description(nz(description)), "");
    }

    /** Resumes a finished run (RUNNING again); a QUEUED one is started. */
    public RunInfo resume(String runId) {
        ResumeRunRequest req = ResumeRunRequest.newBuilder().setRunId(runId).build();
        return Protos.run(calls.idempotent(() -> stub().resumeRun(req)).getRun());
    }

    /**
     * Renews the run's lease (the heartbeat, {@code RenewRunLease}): a RUNNING run stays RUNNING
     * for another server lease, a CRASHED one is RUNNING again. Returns when the lease now
     * expires, in epoch milliseconds; 0 when the run is QUEUED or finished (left alone). Runs
     * opened through {@link Labbook} renew their lease by themselves.
     */
    public long renewLease(String runId) {
        RenewRunLeaseRequest req = RenewRunLeaseRequest.newBuilder().setRunId(runId).build();
        return calls.idempotent(() -> stub().renewRunLease(req)).getLeaseExpireTimeMs();
    }

    /** A run's heartbeat started by {@link #heartbeat(String)}; closing it stops the renewals. */
    public interface Heartbeat extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Keeps the run's lease alive from a background daemon thread until closed, as a
     * {@link Run} does by itself: renewals are due every third of the server's lease (at most
     * 100 s), fail silently and are retried; they stop when the run is finished. For tools that
     * write to a run without a {@link Run}, such as {@code labbook run}.
     */
    public Heartbeat heartbeat(String runId) {
        return LeaseRenewer.withTimer(this, runId, 1000);
    }

    /**
     * The heartbeat of a run's background: one attempt, never blocking the caller; {@code done}
     * gets the lease expiry and status, or the error.
     */
    public void renewLeaseAsync(String runId, java.util.function.BiConsumer<RenewRunLeaseResponse, Throwable> done) {
        RenewRunLeaseRequest req = RenewRunLeaseRequest.newBuilder().setRunId(runId).build();
        RunServiceGrpc.newStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .renewRunLease(req, new io.grpc.stub.StreamObserver<>() {
                    @Override
                    public void onNext(RenewRunLeaseResponse value) {
                        done.accept(value, null);
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.accept(null, t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
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

    /** Soft-deletes a run: hidden from listings and searches until restored or purged. */
    public RunInfo delete(String runId) {
        var req = dev.labbook.api.v1.DeleteRunRequest.newBuilder().setRunId(runId).build();
        return Protos.run(calls.idempotent(() -> stub().deleteRun(req)).getRun());
    }

    /** Soft-deletes a run back to active: it shows in listings and searches again. */
    public RunInfo restore(String runId) {
        var req = dev.labbook.api.v1.RestoreRunRequest.newBuilder().setRunId(runId).build();
        return Protos.run(calls.idempotent(() -> stub().restoreRun(req)).getRun());
    }

    /**
     * Removes a soft-deleted run and its descendants for good (params, metrics, logs, artifacts);
     * returns how many runs were removed. Not retried: a retry after a lost answer would find
     * nothing to purge.
     */
    public long purge(String runId) {
        var req = dev.labbook.api.v1.PurgeRunRequest.newBuilder().setRunId(runId).build();
        return calls.once(() -> stub().purgeRun(req)).getPurgedRuns();
    }

    /** Renames a run (names are unique per experiment, case-insensitively). */
    public RunInfo rename(String runId, String name) {
        return update(runId, RunUpdate.name(name), null);
    }
}
