package dev.labbook.sdk;

import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.ExperimentServiceGrpc.ExperimentServiceBlockingStub;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListExperimentsResponse;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        GetExperimentRequest req = GetExperimentRequest.newBuilder().setId(id).build();
        return Protos.experiment(calls.idempotent(() -> stub().getExperiment(req)).getExperiment());
    }

    public ExperimentInfo getByName(String project, String name) {
        GetExperimentRequest req = GetExperimentRequest.newBuilder().setProject(nz(project)).setName(name).build();
        return Protos.experiment(calls.idempotent(() -> stub().getExperiment(req)).getExperiment());
    }

    /** One page of a project's active experiments, newest first. */
    public Page<ExperimentInfo> list(String project, int pageSize, String pageToken) {
        ListExperimentsRequest req = ListExperimentsRequest.newBuilder().setProject(nz(project)).setPageSize(pageSize)
                .setPageToken(nz(pageToken)).build();
        ListExperimentsResponse resp = calls.idempotent(() -> stub().listExperiments(req));
        List<ExperimentInfo> out = new ArrayList<>();
        resp.getExperimentsList().forEach(e -> out.add(Protos.experiment(e)));
        return new Page<>(out, resp.getNextPageToken());
    }

    /** Every active experiment of a project (all pages). */
    public List<ExperimentInfo> listAll(String project) {
        List<ExperimentInfo> out = new ArrayList<>();
        String token = "";
        do {
            Page<ExperimentInfo> page = list(project, 1000, token);
            out.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    static String nz(String s) {
        return s == null ? "" : s;
    }
}
