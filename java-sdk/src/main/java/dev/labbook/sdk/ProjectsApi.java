package dev.labbook.sdk;

import static dev.labbook.sdk.ExperimentsApi.nz;

import dev.labbook.api.v1.GetProjectRequest;
import dev.labbook.api.v1.ListProjectsRequest;
import dev.labbook.api.v1.ListProjectsResponse;
import dev.labbook.api.v1.ProjectServiceGrpc;
import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.Protos;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Project calls of {@link LabbookClient}: the namespaces that hold experiments. */
public final class ProjectsApi {
    private final Channel channel;
    private final Calls calls;

    ProjectsApi(Channel channel, Calls calls) {
        this.channel = channel;
        this.calls = calls;
    }

    private ProjectServiceGrpc.ProjectServiceBlockingStub stub() {
        return ProjectServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One page of projects, sorted by name. */
    public Page<ProjectInfo> list(int pageSize, String pageToken) {
        ListProjectsRequest req = ListProjectsRequest.newBuilder().setPageSize(pageSize).setPageToken(nz(pageToken))
                .build();
        ListProjectsResponse resp = calls.idempotent(() -> stub().listProjects(req));
        List<ProjectInfo> out = new ArrayList<>();
        resp.getProjectsList().forEach(p -> out.add(Protos.project(p)));
        return new Page<>(out, resp.getNextPageToken());
    }

    /** Every project (all pages). */
    public List<ProjectInfo> listAll() {
        List<ProjectInfo> out = new ArrayList<>();
        String token = "";
        do {
            Page<ProjectInfo> page = list(1000, token);
            out.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    /** One project; empty or null means {@code default}. NOT_FOUND when it holds no experiment. */
    public ProjectInfo get(String project) {
        GetProjectRequest req = GetProjectRequest.newBuilder().setProject(nz(project)).build();
        return Protos.project(calls.idempotent(() -> stub().getProject(req)).getProject());
    }
}
