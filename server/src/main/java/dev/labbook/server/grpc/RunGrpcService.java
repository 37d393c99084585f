package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.CancelRunResponse;
import dev.labbook.api.v1.CompareRunsRequest;
import dev.labbook.api.v1.CompareRunsResponse;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.CreateRunResponse;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.DeleteRunResponse;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.FinishRunResponse;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.GetRunResponse;
import dev.labbook.api.v1.ListRunsRequest;
import dev.labbook.api.v1.ListRunsResponse;
import dev.labbook.api.v1.LogParamsRequest;
import dev.labbook.api.v1.LogParamsResponse;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.OpenRunResponse;
import dev.labbook.api.v1.PurgeRunRequest;
import dev.labbook.api.v1.PurgeRunResponse;
import dev.labbook.api.v1.RenewRunLeaseRequest;
import dev.labbook.api.v1.RenewRunLeaseResponse;
import dev.labbook.api.v1.RestoreRunRequest;
import dev.labbook.api.v1.RestoreRunResponse;
import dev.labbook.api.v1.ResumeRunRequest;
import dev.labbook.api.v1.ResumeRunResponse;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.SearchRunsResponse;
import dev.labbook.api.v1.SetRunTagsRequest;
import dev.labbook.api.v1.SetRunTagsResponse;
import dev.labbook.api.v1.StartRunRequest;
import dev.labbook.api.v1.StartRunResponse;
import dev.labbook.api.v1.UpdateRunRequest;
import dev.labbook.api.v1.UpdateRunResponse;
import dev.labbook.api.v1.WatchRunRequest;
import dev.labbook.api.v1.WatchRunResponse;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.NewRun;
import dev.labbook.server.domain.OpenRun;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.Run;
import dev.labbook.server.domain.RunChanges;
import dev.labbook.server.domain.RunService;
import dev.labbook.server.domain.RunWatchService;
import dev.labbook.server.domain.search.RunSearchService;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** RunService RPCs: maps messages to {@link RunService}, {@link RunSearchService} and {@link RunWatchService}. */
public final class RunGrpcService extends RunServiceGrpc.RunServiceImplBase {
    private static final Set<String> UPDATABLE = Set.of("name", "description");
    private final RunService runs;
    private final RunSearchService search;
    private final RunWatchService watches;

    public RunGrpcService(RunService runs, RunSearchService search, RunWatchService watches) {
        this.runs = runs;
        this.search = search;
        this.watches = watches;
    }

    /** Streams the run's state now and on every change; completes when the run finishes. */
    @Override
    public void watchRun(WatchRunRequest request, StreamObserver<WatchRunResponse> response) {
        ServerCallStreamObserver<WatchRunResponse> call = (ServerCallStreamObserver<WatchRunResponse>) response;
        RunWatchService.Subscription subscription = watches.watch(ProtoIds.required("run_id", request.getRunId()),
                new RunWatchService.Listener() {
                    @Override
                    public void changed(Run run) {
                        synchronized (call) {
                            if (!call.isCancelled()) {
                                call.onNext(WatchRunResponse.newBuilder().setRun(RunMapper.toProto(run)).build());
                            }
                        }
                    }

                    @Override
                    public void ended(LabbookException error) {
                        synchronized (call) {
                            if (call.isCancelled()) {
                                return;
                            }
                            if (error == null) {
                                call.onCompleted();
                            } else {
                                call.onError(StatusMapper.toStatusException(error));
                            }
                        }
                    }
                });
        call.setOnCancelHandler(subscription::cancel);
    }

    @Override
    public void searchRuns(SearchRunsRequest request, StreamObserver<SearchRunsResponse> response) {
        SearchMapper.View view = SearchMapper.View.of(request);
        RunSearchService.SearchPage page = search.search(SearchMapper.fromProto(request));
        SearchRunsResponse.Builder builder = SearchRunsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.runs().forEach(run -> builder.addRuns(SearchMapper.toProto(run, view)));
        reply(response, builder.build());
    }

    @Override
    public void compareRuns(CompareRunsRequest request, StreamObserver<CompareRunsResponse> response) {
        List<UUID> ids = new ArrayList<>(request.getRunIdsCount());
        for (int i = 0; i < request.getRunIdsCount(); i++) {
            ids.add(ProtoIds.required("run_ids[" + i + "]", request.getRunIds(i)));
        }
        reply(response, SearchMapper.toProto(search.compare(ids)));
    }

    @Override
    public void createRun(CreateRunRequest request, StreamObserver<CreateRunResponse> response) {
        Run run = runs.create(new NewRun(
                ProtoIds.required("experiment_id", request.getExperimentId()),
                request.getName(),
                request.getDescription(),
                request.getTagsMap(),
                ProtoIds.optional("parent_run_id", request.getParentRunId()),
                RunMapper.fromProto(request.getSource()),
                RunMapper.fromProto(request.getParamsList()),
                RunMapper.initialStatus(request.getInitialStatus()),
                request.getRequestId()));
        reply(response, CreateRunResponse.newBuilder().setRun(RunMapper.toProto(run)).build());
    }

    @Override
    public void openRun(OpenRunRequest request, StreamObserver<OpenRunResponse> response) {
        RunService.Opened opened = runs.open(new OpenRun(
                ProtoIds.optional("experiment_id", request.getExperimentId()),
                request.getProject(),
                request.getExperimentName(),
                request.getCreateExperimentIfMissing(),
                request.getName(),
                RunMapper.fromProto(request.getResume()),
                request.getDescription(),
                request.getTagsMap(),
                ProtoIds.optional("parent_run_id", request.getParentRunId()),
                RunMapper.fromProto(request.getSource()),
                RunMapper.fromProto(request.getParamsList()),
                request.hasStartTimeMs() ? Instant.ofEpochMilli(request.getStartTimeMs()) : null));
        reply(response, OpenRunResponse.newBuilder()
                .setRun(RunMapper.toProto(opened.run()))
                .setResumed(opened.resumed())
                .setExperimentCreated(opened.experimentCreated())
                .build());
    }

    /** By run id, or by run name within an experiment given by id or by project and name. */
    @Override
    public void getRun(GetRunRequest request, StreamObserver<GetRunResponse> response) {
        RunService.RunDetails details;
        boolean byName = !request.getRunName().isEmpty() || !request.getExperimentId().isEmpty()
                || !request.getExperimentName().isEmpty();
        if (!request.getRunId().isEmpty()) {
            if (byName) {
                throw new InvalidArgumentException("run_id",
                        "give run_id, or run_name with its experiment; not both");
            }
            details = runs.get(ProtoIds.required("run_id", request.getRunId()));
        } else if (byName) {
            if (request.getRunName().isEmpty()) {
                throw new InvalidArgumentException("run_name", "is required for a lookup by name (or give run_id)");
            }
            if (!request.getExperimentId().isEmpty() && !request.getExperimentName().isEmpty()) {
                throw new InvalidArgumentException("experiment_name",
                        "give experiment_id or experiment_name (with project), not both");
            }
            if (request.getExperimentId().isEmpty() && request.getExperimentName().isEmpty()) {
                throw new InvalidArgumentException("experiment_id",
                        "is required with run_name (or give project and experiment_name)");
            }
            details = runs.getByName(ProtoIds.optional("experiment_id", request.getExperimentId()),
                    request.getProject(), request.getExperimentName(), request.getRunName());
        } else {
            throw new InvalidArgumentException("run_id", "is required (or give run_name with experiment_id, or "
                    + "with project and experiment_name)");
        }
        GetRunResponse.Builder builder = GetRunResponse.newBuilder().setRun(RunMapper.toProto(details.run()));
        details.history().forEach(change -> builder.addStatusHistory(RunMapper.toProto(change)));
        reply(response, builder.build());
    }

    @Override
    public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
        Page<Run> page = runs.list(ProtoIds.required("experiment_id", request.getExperimentId()),
                ProtoIds.optional("parent_run_id", request.getParentRunId()),
                ExperimentMapper.lifecycle("lifecycle", request.getLifecycle()),
                request.getPageSize(), request.getPageToken());
        ListRunsResponse.Builder builder = ListRunsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(run -> builder.addRuns(RunMapper.toProto(run)));
        reply(response, builder.build());
    }

    @Override
    public void updateRun(UpdateRunRequest request, StreamObserver<UpdateRunResponse> response) {
        Set<String> fields = UpdateFields.parse(request.getUpdateMask(), UPDATABLE);
        RunChanges changes = new RunChanges(
                fields.contains("name") ? Optional.of(request.getName()) : Optional.empty(),
                fields.contains("description") ? Optional.of(request.getDescription()) : Optional.empty());
        Run run = runs.update(ProtoIds.required("run_id", request.getRunId()), changes, request.getEtag());
        reply(response, UpdateRunResponse.newBuilder().setRun(RunMapper.toProto(run)).build());
    }

    @Override
    public void startRun(StartRunRequest request, StreamObserver<StartRunResponse> response) {
        Run run = runs.start(ProtoIds.required("run_id", request.getRunId()));
        reply(response, StartRunResponse.newBuilder().setRun(RunMapper.toProto(run)).build());
    }

    @Override
    public void finishRun(FinishRunRequest request, StreamObserver<FinishRunResponse> response) {
        Run run = runs.finish(ProtoIds.required("run_id", request.getRunId()),
                RunMapper.fromProto(request.getStatus()),
                request.hasEndTimeMs() ? Instant.ofEpochMilli(request.getEndTimeMs()) : null);
        reply(response, FinishRunResponse.newBuilder().setRun(RunMapper.toProto(run)).build());
    }

    @Override
    public void cancelRun(CancelRunRequest request, StreamObserver<CancelRunResponse> response) {
        Run run = runs.cancel(ProtoIds.required("run_id", request.getRunId()),
                request.hasEndTimeMs() ? Instant.ofEpochMilli(request.getEndTimeMs()) : null);
        reply(response, CancelRunResponse.newBuilder().setRun(RunMapper.toProto(run)).build());
    }

    @Override
    public void resumeRun(ResumeRunRequest request, StreamObserver<ResumeRunResponse> response) {
        RunService.Opened opened = runs.resume(ProtoIds.required("run_id", request.getRunId()));
        reply(response, ResumeRunResponse.newBuilder()
                .setRun(RunMapper.toProto(opened.run()))
                .setResumed(opened.resumed())
                .build());
    }

    @Override
    public void renewRunLease(RenewRunLeaseRequest request, StreamObserver<RenewRunLeaseResponse> response) {
        RunService.Renewal renewal = runs.renewLease(ProtoIds.required("run_id", request.getRunId()));
        reply(response, RenewRunLeaseResponse.newBuilder()
                .setStatus(RunMapper.toProto(renewal.status()))
                .setLeaseExpireTimeMs(renewal.leaseExpiresAt() == null ? 0 : renewal.leaseExpiresAt().toEpochMilli())
                .setResumed(renewal.resumed())
                .build());
    }

    @Override
    public void setRunTags(SetRunTagsRequest request, StreamObserver<SetRunTagsResponse> response) {
        var tags = runs.setTags(ProtoIds.required("run_id", request.getRunId()), request.getTagsMap(),
                request.getRemoveKeysList());
        reply(response, SetRunTagsResponse.newBuilder().putAllTags(tags).build());
    }

    @Override
    public void logParams(LogParamsRequest request, StreamObserver<LogParamsResponse> response) {
        int written = runs.logParams(ProtoIds.required("run_id", request.getRunId()),
                RunMapper.fromProto(request.getParamsList()), request.getRefuseChanges());
        reply(response, LogParamsResponse.newBuilder().setWritten(written).build());
    }

    @Override
    public void deleteRun(DeleteRunRequest request, StreamObserver<DeleteRunResponse> response) {
        Run run = runs.delete(ProtoIds.required("run_id", request.getRunId()));
        reply(response, DeleteRunResponse.newBuilder().setRun(RunMapper.toProto(run)).build());
    }

    @Override
    public void restoreRun(RestoreRunRequest request, StreamObserver<RestoreRunResponse> response) {
        Run run = runs.restore(ProtoIds.required("run_id", request.getRunId()));
        reply(response, RestoreRunResponse.newBuilder().setRun(RunMapper.toProto(run)).build());
    }

    @Override
    public void purgeRun(PurgeRunRequest request, StreamObserver<PurgeRunResponse> response) {
        long purged = runs.purge(ProtoIds.required("run_id", request.getRunId()));
        reply(response, PurgeRunResponse.newBuilder().setPurgedRuns(purged).build());
    }
}
