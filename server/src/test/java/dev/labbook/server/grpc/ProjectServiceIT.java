package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.Experiment;
import dev.labbook.api.v1.GetProjectRequest;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListProjectsRequest;
import dev.labbook.api.v1.ListProjectsResponse;
import dev.labbook.api.v1.Project;
import dev.labbook.api.v1.ProjectServiceGrpc;
import dev.labbook.api.v1.ProjectServiceGrpc.ProjectServiceBlockingStub;
import dev.labbook.api.v1.PurgeExperimentRequest;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ProjectService: the projects that the experiments make up, and `default` always. */
@ExtendWith(LabbookServerExtension.class)
class ProjectServiceIT {

    private static ProjectServiceBlockingStub projects(TestServer server) {
        return ProjectServiceGrpc.newBlockingStub(server.channel());
    }

    private static Experiment experiment(TestServer server, String project, String name) {
        return server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setProject(project)
                .setName(name).build()).getExperiment();
    }

    private static List<String> allNames(TestServer server, int pageSize) {
        List<String> names = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            ListProjectsResponse page = projects(server).listProjects(ListProjectsRequest.newBuilder()
                    .setPageSize(pageSize).setPageToken(token).build());
            assertThat(page.getProjectsCount()).isLessThanOrEqualTo(pageSize);
            page.getProjectsList().forEach(p -> names.add(p.getName()));
            token = page.getNextPageToken();
            assertThat(++pages).isLessThan(100);
        } while (!token.isEmpty());
        return names;
    }

    @Test
    void defaultIsListedEvenWithoutExperiments(TestServer server) {
        ListProjectsResponse response = projects(server).listProjects(ListProjectsRequest.getDefaultInstance());

        assertThat(response.getProjectsList()).containsExactly(Project.newBuilder().setName("default").build());
        assertThat(response.getNextPageToken()).isEmpty();
        assertThat(projects(server).getProject(GetProjectRequest.getDefaultInstance()).getProject())
                .isEqualTo(Project.newBuilder().setName("default").build());
    }

    @Test
    void listsProjectsByNameInPages(TestServer server) {
        for (String project : List.of("zeta", "alpha", "nlp", "vision", "Beta", "m.x_1-2")) {
            experiment(server, project, "e");
        }
        experiment(server, "nlp", "second");

        List<String> expected = List.of("Beta", "alpha", "default", "m.x_1-2", "nlp", "vision", "zeta");
        assertThat(allNames(server, 2)).containsExactlyElementsOf(expected);
        assertThat(allNames(server, 1)).containsExactlyElementsOf(expected);
        assertThat(allNames(server, 7)).containsExactlyElementsOf(expected);
        assertThat(allNames(server, 1000)).containsExactlyElementsOf(expected);
    }

    @Test
    void aProjectSummarizesItsExperiments(TestServer server) throws Exception {
        Experiment first = experiment(server, "vision", "a");
        Thread.sleep(5);
        experiment(server, "vision", "b");
        Experiment deleted = server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder()
                .setExperimentId(experiment(server, "vision", "c").getId()).build()).getExperiment();

        Project vision = projects(server).getProject(GetProjectRequest.newBuilder().setProject("vision").build())
                .getProject();

        assertThat(vision.getName()).isEqualTo("vision");
        assertThat(vision.getExperimentCount()).isEqualTo(2);
        assertThat(vision.getCreateTimeMs()).isEqualTo(first.getCreateTimeMs());
        assertThat(vision.getUpdateTimeMs()).isEqualTo(deleted.getUpdateTimeMs());
        assertThat(projects(server).listProjects(ListProjectsRequest.getDefaultInstance()).getProjectsList())
                .containsExactly(Project.newBuilder().setName("default").build(), vision);

        // default with experiments is listed once, with its summary.
        experiment(server, "", "in-default");
        assertThat(projects(server).listProjects(ListProjectsRequest.getDefaultInstance()).getProjectsList())
                .extracting(p -> p.getName() + ":" + p.getExperimentCount())
                .containsExactly("default:1", "vision:2");
    }

    @Test
    void aProjectExistsWhileItHoldsAnExperimentDeletedOrNot(TestServer server) {
        Experiment only = experiment(server, "temp", "e");
        server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder().setExperimentId(only.getId())
                .build());

        assertThat(projects(server).getProject(GetProjectRequest.newBuilder().setProject("temp").build())
                .getProject().getExperimentCount()).isZero();

        server.experiments().purgeExperiment(PurgeExperimentRequest.newBuilder().setExperimentId(only.getId())
                .build());
        assertReason(Code.NOT_FOUND, "PROJECT_NOT_FOUND", () -> projects(server).getProject(GetProjectRequest
                .newBuilder().setProject("temp").build()));
        assertThat(allNames(server, 10)).containsExactly("default");
    }

    @Test
    void badRequestsNameTheField(TestServer server) {
        experiment(server, "a", "e");
        experiment(server, "a", "f");
        experiment(server, "b", "e");
        String token = projects(server).listProjects(ListProjectsRequest.newBuilder().setPageSize(1).build())
                .getNextPageToken();
        assertThat(token).isNotEmpty();

        assertInvalidField("project", () -> projects(server).getProject(GetProjectRequest.newBuilder()
                .setProject("no spaces").build()));
        assertInvalidField("page_size", () -> projects(server).listProjects(ListProjectsRequest.newBuilder()
                .setPageSize(-1).build()));
        assertInvalidField("page_size", () -> projects(server).listProjects(ListProjectsRequest.newBuilder()
                .setPageSize(1001).build()));
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> projects(server).listProjects(
                ListProjectsRequest.newBuilder().setPageToken("garbage!").build()));
        // A token of another listing is refused.
        String experimentsToken = server.experiments().listExperiments(
                ListExperimentsRequest.newBuilder().setProject("a").setPageSize(1).build())
                .getNextPageToken();
        assertThat(experimentsToken).isNotEmpty();
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> projects(server).listProjects(
                ListProjectsRequest.newBuilder().setPageToken(experimentsToken).build()));
        assertThat(projects(server).listProjects(ListProjectsRequest.newBuilder().setPageSize(1)
                .setPageToken(token).build()).getProjects(0).getName()).isEqualTo("b");
    }
}
