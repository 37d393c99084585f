package dev.labbook.sdk;

import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.ExperimentServiceGrpc.ExperimentServiceBlockingStub;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.LifecycleFilter;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListExperimentsResponse;
import dev.labbook.api.v1.SetExperimentTagsRequest;
import dev.labbook.api.v1.UpdateExperimentRequest;
import dev.labbook.api.v1.UpdateExperimentResponse;
import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.Protos;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/** Experiment calls of {@link LabbookClient}. */
public final class ExperimentsApi {
    private final Channel channel;
    private final Calls calls;

    ExperimentsApi(Channel channel, Calls calls) {
        this.channel = channel;
        this.calls = calls;
    }

    private ExperimentServiceBlockingStub stub() {
        return ExperimentServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Creates an experiment; ALREADY_EXISTS when the name is taken. */
    public ExperimentInfo create(String project, String name, String description, String folder, Map<String, String> tags) {
        CreateExperimentRequest req = CreateExperimentRequest.newBuilder().setProject(nz(project)).setName(name)
                .setDescription(nz(description)).setFolder(nz(folder)).putAllTags(tags == null ? Map.of() : tags)
                .build();
        return Protos.experiment(calls.once(() -> stub().createExperiment(req)).getExperiment());
    }

    /** Returns the active experiment of this name, creating it when missing (upsert by name). */
    public ExperimentInfo getOrCreate(String project, String name) {
        CreateExperimentRequest req = CreateExperimentRequest.newBuilder().setProject(nz(project)).setName(name)
                .setReturnExisting(true).build();
        return Protos.experiment(calls.idempotent(() -> stub().createExperiment(req)).getExperiment());
    }

    public ExperimentInfo get(String id) {
        GetExperimentRequest req = GetExperimentRequest.newBuilder().setExperimentId(id).build();
        return Protos.experiment(calls.idempotent(() -> stub().getExperiment(req)).getExperiment());
    }

    public ExperimentInfo getByName(String project, String name) {
        GetExperimentRequest req = GetExperimentRequest.newBuilder().setProject(nz(project)).setName(name).build();
        return Protos.experiment(calls.idempotent(() -> stub().getExperiment(req)).getExperiment());
    }

    /** One page of a project's active experiments, newest first. */
    public Page<ExperimentInfo> list(String project, int pageSize, String pageToken) {
        return page(project, pageSize, pageToken, LifecycleFilter.LIFECYCLE_FILTER_ACTIVE);
    }

    /** Every active experiment of a project (all pages). */
    public List<ExperimentInfo> listAll(String project) {
        return listAll(project, false);
    }

    /** Every experiment of a project (all pages), the soft-deleted ones too when {@code includeDeleted}. */
    public List<ExperimentInfo> listAll(String project, boolean includeDeleted) {
        LifecycleFilter lifecycle = includeDeleted ? LifecycleFilter.LIFECYCLE_FILTER_ALL
                : LifecycleFilter.LIFECYCLE_FILTER_ACTIVE;
        List<ExperimentInfo> out = new ArrayList<>();
        String token = "";
        do {
            Page<ExperimentInfo> page = page(project, 1000, token, lifecycle);
            out.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    private Page<ExperimentInfo> page(String project, int pageSize, String pageToken, LifecycleFilter lifecycle) {
        ListExperimentsRequest req = ListExperimentsRequest.newBuilder().setProject(nz(project)).setPageSize(pageSize)
                .setPageToken(nz(pageToken)).setLifecycle(lifecycle).build();
        ListExperimentsResponse resp = calls.idempotent(() -> stub().listExperiments(req));
        List<ExperimentInfo> out = new ArrayList<>();
        resp.getExperimentsList().forEach(e -> out.add(Protos.experiment(e)));
        return new Page<>(out, resp.getNextPageToken());
    }

    /**
     * Changes the non-null fields of {@code changes} (tags given there replace all tags). With a
     * non-empty {@code etag} (from {@link ExperimentInfo#etag()}) only if the experiment has not
     * changed since: otherwise {@link EtagMismatchException}. A conditional update is not retried
     * (a retry after a lost answer would see its own change as a conflict).
     */
    public ExperimentInfo update(String experimentId, ExperimentUpdate changes, String etag) {
        UpdateExperimentRequest.Builder req = UpdateExperimentRequest.newBuilder().setExperimentId(experimentId)
                .setEtag(nz(etag));
        FieldMask.Builder mask = FieldMask.newBuilder();
        if (changes.name() != null) {
            req.setName(changes.name());
            mask.addPaths("name");
        }
        if (changes.description() != null) {
            req.setDescription(changes.description());
            mask.addPaths("description");
        }
        if (changes.folder() != null) {
            req.setFolder(changes.folder());
            mask.addPaths("folder");
        }
        if (changes.tags() != null) {
            req.putAllTags(changes.tags());
            mask.addPaths("tags");
        }
        if (mask.getPathsCount() == 0) {
            throw new IllegalArgumentException("nothing to update: give a name, description, folder or tags");
        }
        UpdateExperimentRequest built = req.setUpdateMask(mask).build();
        UpdateExperimentResponse resp = nz(etag).isEmpty() ? calls.idempotent(() -> stub().updateExperiment(built))
                : calls.once(() -> stub().updateExperiment(built));
        return Protos.experiment(resp.getExperiment());
    }

    /** Merges tags into the experiment's and removes {@code removeKeys}; returns all tags after. */
    public Map<String, String> setTags(String experimentId, Map<String, String> tags, Collection<String> removeKeys) {
        SetExperimentTagsRequest req = SetExperimentTagsRequest.newBuilder().setExperimentId(experimentId)
                .putAllTags(tags == null ? Map.of() : tags)
                .addAllRemoveKeys(removeKeys == null ? List.of() : removeKeys).build();
        return new TreeMap<>(calls.idempotent(() -> stub().setExperimentTags(req)).getExperiment().getTagsMap());
    }

    /** Renames an experiment (names are unique per project, case-insensitively). */
    public ExperimentInfo rename(String experimentId, String name) {
        return update(experimentId, ExperimentUpdate.name(name), null);
    }

    /** Soft-deletes an experiment: it and its runs are hidden until restored or purged. */
    public ExperimentInfo delete(String experimentId) {
        var req = dev.labbook.api.v1.DeleteExperimentRequest.newBuilder().setExperimentId(experimentId).build();
        return Protos.experiment(calls.idempotent(() -> stub().deleteExperiment(req)).getExperiment());
    }

    /** Makes a soft-deleted experiment active again. */
    public ExperimentInfo restore(String experimentId) {
        var req = dev.labbook.api.v1.RestoreExperimentRequest.newBuilder().setExperimentId(experimentId).build();
        return Protos.experiment(calls.idempotent(() -> stub().restoreExperiment(req)).getExperiment());
    }

    /**
     * Removes a soft-deleted experiment and all its runs for good; returns how many runs were
     * removed. Not retried (a retry after a lost answer would find nothing to purge).
     */
    public long purge(String experimentId) {
        var req = dev.labbook.api.v1.PurgeExperimentRequest.newBuilder().setExperimentId(experimentId).build();
        return calls.once(() -> stub().purgeExperiment(req)).getPurgedRuns();
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }
}
