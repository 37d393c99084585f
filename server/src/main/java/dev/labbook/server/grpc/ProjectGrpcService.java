package dev.labbook.server.grpc;

import static dev.labbook.server.grpc.ExperimentGrpcService.reply;

import dev.labbook.api.v1.GetProjectRequest;
import dev.labbook.api.v1.GetProjectResponse;
import dev.labbook.api.v1.ListProjectsRequest;
import dev.labbook.api.v1.ListProjectsResponse;
import dev.labbook.api.v1.ProjectServiceGrpc;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.Project;
import dev.labbook.server.domain.access.Permission;
import dev.labbook.server.domain.access.Principal;
import java.util.Optional;
import dev.labbook.server.domain.ProjectService;
import io.grpc.stub.StreamObserver;

/** ProjectService RPCs: maps messages to {@link ProjectService} calls. */
public final class ProjectGrpcService extends ProjectServiceGrpc.ProjectServiceImplBase {
    private final ProjectService projects;

    public ProjectGrpcService(ProjectService projects) {
        this.projects = projects;
    }

    @Override
    public void listProjects(ListProjectsRequest request, StreamObserver<ListProjectsResponse> response) {
        Principal caller = CallerContext.principal();
        Page<Project> page = projects.list(request.getPageSize(), request.getPageToken(),
                caller.canEverywhere(Permission.READ) ? Optional.empty()
                        : Optional.of(caller.projectsWith(Permission.READ)));
        ListProjectsResponse.Builder builder = ListProjectsResponse.newBuilder().setNextPageToken(page.nextPageToken());
        page.items().forEach(project -> builder.addProjects(toProto(project)));
        reply(response, builder.build());
    }

    @Override
    public void getProject(GetProjectRequest request, StreamObserver<GetProjectResponse> response) {
        reply(response, GetProjectResponse.newBuilder().setProject(toProto(projects.get(request.getProject()))).build());
    }

    private static dev.labbook.api.v1.Project toProto(Project project) {
        return dev.labbook.api.v1.Project.newBuilder()
                .setName(project.name())
                .setExperimentCount(project.experimentCount())
                .setCreateTimeMs(project.createdAt() == null ? 0 : project.createdAt().toEpochMilli())
                .setUpdateTimeMs(project.updatedAt() == null ? 0 : project.updatedAt().toEpochMilli())
                .build();
    }
}
