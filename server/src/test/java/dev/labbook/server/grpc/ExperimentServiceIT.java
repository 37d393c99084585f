package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.Experiment;
import dev.labbook.api.v1.ExperimentServiceGrpc.ExperimentServiceBlockingStub;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.LifecycleFilter;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListExperimentsResponse;
import dev.labbook.api.v1.PurgeExperimentRequest;
import dev.labbook.api.v1.RestoreExperimentRequest;
import dev.labbook.api.v1.SetExperimentTagsRequest;
import dev.labbook.api.v1.UpdateExperimentRequest;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabbookServerExtension.class)
class ExperimentServiceIT {

    private static Experiment create(TestServer server, String project, String name) {
        return server.experiments().createExperiment(CreateExperimentRequest.newBuilder()
                .setProject(project).setName(name).build()).getExperiment();
    }

    private static List<Experiment> listAll(TestServer server, String project, LifecycleFilter filter) {
        return server.experiments().listExperiments(ListExperimentsRequest.newBuilder()
                .setProject(project).setLifecycle(filter).setPageSize(1000).build()).getExperimentsList();
    }

    @Test
    void createsAnExperimentAndGetsItByIdAndByNameCaseInsensitively(TestServer server) {
        var created = server.experiments().createExperiment(CreateExperimentRequest.newBuilder()
                .setProject("vision").setName("ResNet Sweep").setDescription("lr sweep")
                .setFolder("/experiments/2025/resnet").putTags("team", "cv").build());

        assertThat(created.getCreated()).isTrue();
        Experiment e = created.getExperiment();
        assertThat(UUID.fromString(e.getId()).version()).isEqualTo(7);
        assertThat(e.getProject()).isEqualTo("vision");
        assertThat(e.getName()).isEqualTo("ResNet Sweep");
        assertThat(e.getFolder()).isEqualTo("/experiments/2025/resnet");
        assertThat(e.getTagsMap()).containsExactly(Map.entry("team", "cv"));
        assertThat(e.getCreateTimeMs()).isPositive().isEqualTo(e.getUpdateTimeMs());
        assertThat(e.getDeleted()).isFalse();

        ExperimentServiceBlockingStub stub = server.experiments();
        assertThat(stub.getExperiment(GetExperimentRequest.newBuilder().setExperimentId(e.getId()).build()).getExperiment())
                .isEqualTo(e);
        assertThat(stub.getExperiment(GetExperimentRequest.newBuilder()
                .setProject("vision").setName("resnet SWEEP").build()).getExperiment()).isEqualTo(e);
    }

    @Test
    void projectDefaultsToDefault(TestServer server) {
        Experiment e = create(server, "", "baseline");
        assertThat(e.getProject()).isEqualTo("default");
        assertThat(server.experiments().getExperiment(GetExperimentRequest.newBuilder().setName("baseline").build())
                .getExperiment().getId()).isEqualTo(e.getId());
    }

    @Test
    void duplicateNamesDifferingOnlyInCaseAreRefusedButOtherProjectsMayReuseThem(TestServer server) {
        Experiment first = create(server, "p1", "mnist");

        var e = assertStatus(Code.ALREADY_EXISTS, () -> create(server, "p1", "MNIST"));
        assertThat(e.getStatus().getDescription()).contains("mnist").contains("p1");
        assertThat(create(server, "p2", "MNIST").getProject()).isEqualTo("p2");
        assertThat(listAll(server, "p1", LifecycleFilter.LIFECYCLE_FILTER_ALL)).containsExactly(first);
    }

    @Test
    void returnExistingUpsertsByName(TestServer server) {
        Experiment first = create(server, "", "upsert-me");

        var again = server.experiments().createExperiment(CreateExperimentRequest.newBuilder()
                .setName("Upsert-Me").setDescription("ignored").setReturnExisting(true).build());

        assertThat(again.getCreated()).isFalse();
        assertThat(again.getExperiment()).isEqualTo(first);
    }

    @Test
    void listsNewestFirstInPagesWithOpaqueTokens(TestServer server) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            names.add(create(server, "paged", "exp-" + i).getName());
        }
        List<String> seen = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            ListExperimentsResponse page = server.experiments().listExperiments(ListExperimentsRequest.newBuilder()
                    .setProject("paged").setPageSize(2).setPageToken(token).build());
            page.getExperimentsList().forEach(x -> seen.add(x.getName()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());

        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactly("exp-4", "exp-3", "exp-2", "exp-1", "exp-0");
    }

    @Test
    void pageTokenIsBoundToItsListing(TestServer server) {
        for (int i = 0; i < 3; i++) {
            create(server, "a", "exp-" + i);
        }
        String token = server.experiments().listExperiments(ListExperimentsRequest.newBuilder()
                .setProject("a").setPageSize(1).build()).getNextPageToken();
        assertThat(token).isNotEmpty();

        assertInvalidField("page_token", () -> server.experiments().listExperiments(
                ListExperimentsRequest.newBuilder().setProject("b").setPageToken(token).build()));
        assertInvalidField("page_token", () -> server.experiments().listExperiments(
                ListExperimentsRequest.newBuilder().setProject("a").setPageToken("not-a-token!").build()));
        assertInvalidField("page_size", () -> server.experiments().listExperiments(
                ListExperimentsRequest.newBuilder().setPageSize(-1).build()));
        assertInvalidField("page_size", () -> server.experiments().listExperiments(
                ListExperimentsRequest.newBuilder().setPageSize(1001).build()));
    }

    @Test
    void listFiltersByFolderPrefix(TestServer server) {
        server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setName("a")
                .setFolder("/2025/resnet").build());
        server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setName("b")
                .setFolder("/2025/resnet/small").build());
        server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setName("c")
                .setFolder("/2025/resnet_other").build());

        var listed = server.experiments().listExperiments(ListExperimentsRequest.newBuilder()
                .setFolderPrefix("/2025/resnet").build()).getExperimentsList();

        assertThat(listed).extracting(Experiment::getName).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void updatesOnlyTheNamedFields(TestServer server) {
        Experiment e = server.experiments().createExperiment(CreateExperimentRequest.newBuilder()
                .setName("old").setDescription("keep me").putTags("a", "1").build()).getExperiment();

        Experiment updated = server.experiments().updateExperiment(UpdateExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).setUpdateMask(FieldMask.newBuilder().addPaths("name").addPaths("tags"))
                .setName("new").setDescription("not applied").putTags("b", "2").build()).getExperiment();

        assertThat(updated.getName()).isEqualTo("new");
        assertThat(updated.getDescription()).isEqualTo("keep me");
        assertThat(updated.getTagsMap()).containsExactly(Map.entry("b", "2"));
        assertThat(updated.getUpdateTimeMs()).isGreaterThanOrEqualTo(e.getUpdateTimeMs());
        assertThat(server.experiments().getExperiment(GetExperimentRequest.newBuilder().setExperimentId(e.getId()).build())
                .getExperiment()).isEqualTo(updated);
    }

    @Test
    void renamingOntoATakenNameIsRefusedAndChangesNothing(TestServer server) {
        create(server, "", "taken");
        Experiment e = create(server, "", "mine");

        assertReason(Code.ALREADY_EXISTS, "EXPERIMENT_ALREADY_EXISTS", () -> server.experiments().updateExperiment(UpdateExperimentRequest
                .newBuilder().setExperimentId(e.getId()).setUpdateMask(FieldMask.newBuilder().addPaths("name").addPaths("description"))
                .setName("TAKEN").setDescription("changed").build()));

        assertThat(server.experiments().getExperiment(GetExperimentRequest.newBuilder().setExperimentId(e.getId()).build())
                .getExperiment()).isEqualTo(e);
    }

    @Test
    void updateRefusesUnknownOrMissingFields(TestServer server) {
        Experiment e = create(server, "", "x");
        assertInvalidField("update_mask.paths[0]", () -> server.experiments().updateExperiment(
                UpdateExperimentRequest.newBuilder().setExperimentId(e.getId()).setUpdateMask(FieldMask.newBuilder().addPaths("project")).build()));
        assertInvalidField("update_mask.paths", () -> server.experiments().updateExperiment(
                UpdateExperimentRequest.newBuilder().setExperimentId(e.getId()).build()));
        assertInvalidField("update_mask.paths[0]", () -> server.experiments().updateExperiment(
                UpdateExperimentRequest.newBuilder().setExperimentId(e.getId())
                        .setUpdateMask(FieldMask.newBuilder().addPaths("*")).build()));
        assertInvalidField("update_mask.paths[1]", () -> server.experiments().updateExperiment(
                UpdateExperimentRequest.newBuilder().setExperimentId(e.getId())
                        .setUpdateMask(FieldMask.newBuilder().addPaths("folder").addPaths("create_time_ms")).build()));
        assertInvalidField("name", () -> server.experiments().updateExperiment(UpdateExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).setUpdateMask(FieldMask.newBuilder().addPaths("name")).setName("").build()));
    }

    @Test
    void softDeleteHidesRestoreBringsBack(TestServer server) {
        Experiment e = create(server, "", "to-delete");

        Experiment deleted = server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).build()).getExperiment();
        assertThat(deleted.getDeleted()).isTrue();
        assertThat(deleted.getDeleteTimeMs()).isPositive();
        assertThat(listAll(server, "", LifecycleFilter.LIFECYCLE_FILTER_ACTIVE)).isEmpty();
        assertThat(listAll(server, "", LifecycleFilter.LIFECYCLE_FILTER_DELETED)).extracting(Experiment::getId)
                .containsExactly(e.getId());
        // Deleting again is a no-op; the name stays taken while deleted.
        server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder().setExperimentId(e.getId()).build());
        var conflict = assertStatus(Code.ALREADY_EXISTS, () -> create(server, "", "to-delete"));
        assertThat(conflict.getStatus().getDescription()).contains("deleted");
        assertReason(Code.FAILED_PRECONDITION, "EXPERIMENT_DELETED", () -> server.experiments().updateExperiment(
                UpdateExperimentRequest.newBuilder().setExperimentId(e.getId())
                        .setUpdateMask(FieldMask.newBuilder().addPaths("description")).setDescription("x").build()));
        assertReason(Code.FAILED_PRECONDITION, "EXPERIMENT_DELETED", () -> server.experiments().setExperimentTags(
                SetExperimentTagsRequest.newBuilder().setExperimentId(e.getId()).putTags("k", "v").build()));

        Experiment restored = server.experiments().restoreExperiment(RestoreExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).build()).getExperiment();
        assertThat(restored.getDeleted()).isFalse();
        assertThat(restored.getDeleteTimeMs()).isZero();
        assertThat(listAll(server, "", LifecycleFilter.LIFECYCLE_FILTER_ACTIVE)).extracting(Experiment::getId)
                .containsExactly(e.getId());
    }

    @Test
    void purgeNeedsASoftDeleteFirstThenRemovesRunsAndFreesTheName(TestServer server) {
        Experiment e = create(server, "", "purge-me");
        String runId = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(e.getId())
                .setName("r1").build()).getRun().getId();
        server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(e.getId()).setName("r2").build());

        assertStatus(Code.FAILED_PRECONDITION, () -> server.experiments().purgeExperiment(
                PurgeExperimentRequest.newBuilder().setExperimentId(e.getId()).build()));
        assertThat(server.runs().getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun().getId())
                .isEqualTo(runId);

        server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder().setExperimentId(e.getId()).build());
        long purged = server.experiments().purgeExperiment(PurgeExperimentRequest.newBuilder().setExperimentId(e.getId())
                .build()).getPurgedRuns();

        assertThat(purged).isEqualTo(2);
        assertStatus(Code.NOT_FOUND, () -> server.experiments().getExperiment(
                GetExperimentRequest.newBuilder().setExperimentId(e.getId()).build()));
        assertStatus(Code.NOT_FOUND, () -> server.runs().getRun(GetRunRequest.newBuilder().setRunId(runId).build()));
        assertThat(create(server, "", "purge-me").getId()).isNotEqualTo(e.getId());
    }

    @Test
    void badNamesAreRefusedNamingTheFieldAndStoreNothing(TestServer server) {
        ExperimentServiceBlockingStub stub = server.experiments();
        assertInvalidField("name", () -> create(server, "", ""));
        assertInvalidField("name", () -> create(server, "", "   "));
        assertInvalidField("name", () -> create(server, "", " padded"));
        assertInvalidField("name", () -> create(server, "", "x".repeat(257)));
        assertInvalidField("name", () -> create(server, "", "line\nbreak"));
        assertInvalidField("name", () -> create(server, "", "nul\u0000"));
        assertInvalidField("project", () -> create(server, "has space", "ok"));
        assertInvalidField("project", () -> create(server, "p".repeat(65), "ok"));
        assertInvalidField("folder", () -> stub.createExperiment(CreateExperimentRequest.newBuilder()
                .setName("ok").setFolder("relative/path").build()));
        assertInvalidField("folder", () -> stub.createExperiment(CreateExperimentRequest.newBuilder()
                .setName("ok").setFolder("/a/../b").build()));
        assertInvalidField("tags.key", () -> stub.createExperiment(CreateExperimentRequest.newBuilder()
                .setName("ok").putTags("bad*key", "v").build()));
        assertInvalidField("description", () -> stub.createExperiment(CreateExperimentRequest.newBuilder()
                .setName("ok").setDescription("d".repeat(64 * 1024 + 1)).build()));

        assertThat(create(server, "", "x".repeat(256)).getName()).hasSize(256);
        // Lower-casing can lengthen a name (U+0130 becomes two chars); the longest name still fits.
        assertThat(create(server, "", "\u0130".repeat(256)).getName()).hasSize(256);
        assertThat(listAll(server, "", LifecycleFilter.LIFECYCLE_FILTER_ALL)).hasSize(2);
    }

    @Test
    void unknownAndMalformedIds(TestServer server) {
        var notFound = assertStatus(Code.NOT_FOUND, () -> server.experiments().getExperiment(
                GetExperimentRequest.newBuilder().setExperimentId(UUID.randomUUID().toString()).build()));
        assertThat(notFound.getStatus().getDescription()).contains("not found");
        assertStatus(Code.NOT_FOUND, () -> server.experiments().getExperiment(
                GetExperimentRequest.newBuilder().setName("nope").build()));
        assertInvalidField("experiment_id", () -> server.experiments().getExperiment(
                GetExperimentRequest.newBuilder().setExperimentId("42").build()));
        assertInvalidField("experiment_id", () -> server.experiments().getExperiment(
                GetExperimentRequest.getDefaultInstance()));
        assertInvalidField("experiment_id", () -> server.experiments().deleteExperiment(
                DeleteExperimentRequest.newBuilder().setExperimentId("42").build()));
        assertStatus(Code.NOT_FOUND, () -> server.experiments().deleteExperiment(
                DeleteExperimentRequest.newBuilder().setExperimentId(UUID.randomUUID().toString()).build()));
        assertStatus(Code.NOT_FOUND, () -> server.experiments().purgeExperiment(
                PurgeExperimentRequest.newBuilder().setExperimentId(UUID.randomUUID().toString()).build()));
    }

    @Test
    void aStaleEtagRefusesTheUpdateAndEveryChangeMakesANewEtag(TestServer server) {
        Experiment e = create(server, "", "etagged");
        assertThat(e.getEtag()).isNotEmpty();
        assertThat(e.getCreator()).isEmpty();

        Experiment updated = server.experiments().updateExperiment(UpdateExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).setUpdateMask(FieldMask.newBuilder().addPaths("description"))
                .setDescription("v1").setEtag(e.getEtag()).build()).getExperiment();
        assertThat(updated.getDescription()).isEqualTo("v1");
        assertThat(updated.getEtag()).isNotEqualTo(e.getEtag());

        var stale = assertReason(Code.FAILED_PRECONDITION, "ETAG_MISMATCH", () -> server.experiments()
                .updateExperiment(UpdateExperimentRequest.newBuilder().setExperimentId(e.getId())
                        .setUpdateMask(FieldMask.newBuilder().addPaths("name").addPaths("description"))
                        .setName("renamed").setDescription("v2").setEtag(e.getEtag()).build()));
        assertThat(stale.getStatus().getDescription()).contains(e.getId());
        assertThat(get(server, e.getId())).isEqualTo(updated);

        Experiment tagged = server.experiments().setExperimentTags(SetExperimentTagsRequest.newBuilder()
                .setExperimentId(e.getId()).putTags("k", "v").build()).getExperiment();
        assertThat(tagged.getEtag()).isNotEqualTo(updated.getEtag());
        assertReason(Code.FAILED_PRECONDITION, "ETAG_MISMATCH", () -> server.experiments().updateExperiment(
                UpdateExperimentRequest.newBuilder().setExperimentId(e.getId())
                        .setUpdateMask(FieldMask.newBuilder().addPaths("description")).setDescription("v2")
                        .setEtag(updated.getEtag()).build()));

        Experiment deleted = server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).build()).getExperiment();
        Experiment restored = server.experiments().restoreExperiment(RestoreExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).build()).getExperiment();
        assertThat(deleted.getEtag()).isNotEqualTo(tagged.getEtag());
        assertThat(restored.getEtag()).isNotEqualTo(deleted.getEtag()).isEqualTo(get(server, e.getId()).getEtag());
        assertThat(server.experiments().updateExperiment(UpdateExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).setUpdateMask(FieldMask.newBuilder().addPaths("description"))
                .setDescription("v2").setEtag(restored.getEtag()).build()).getExperiment().getDescription())
                .isEqualTo("v2");
    }

    @Test
    void setExperimentTagsMergesAndRemoves(TestServer server) {
        Experiment e = server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setName("t")
                .putTags("a", "1").putTags("b", "2").build()).getExperiment();

        Experiment tagged = server.experiments().setExperimentTags(SetExperimentTagsRequest.newBuilder()
                .setExperimentId(e.getId()).putTags("a", "one").putTags("c", "3").addRemoveKeys("b")
                .addRemoveKeys("absent").build()).getExperiment();

        assertThat(tagged.getTagsMap()).containsExactlyInAnyOrderEntriesOf(Map.of("a", "one", "c", "3"));
        assertThat(tagged.getUpdateTimeMs()).isGreaterThanOrEqualTo(e.getUpdateTimeMs());
        assertThat(get(server, e.getId())).isEqualTo(tagged);
        assertInvalidField("remove_keys[0]", () -> server.experiments().setExperimentTags(SetExperimentTagsRequest
                .newBuilder().setExperimentId(e.getId()).putTags("a", "x").addRemoveKeys("a").build()));
        assertInvalidField("tags", () -> server.experiments().setExperimentTags(SetExperimentTagsRequest
                .newBuilder().setExperimentId(e.getId()).build()));
        assertInvalidField("tags.key", () -> server.experiments().setExperimentTags(SetExperimentTagsRequest
                .newBuilder().setExperimentId(e.getId()).putTags("bad*key", "v").build()));
        SetExperimentTagsRequest.Builder tooMany = SetExperimentTagsRequest.newBuilder().setExperimentId(e.getId());
        for (int i = 0; i < 99; i++) {
            tooMany.putTags("k" + i, "v");
        }
        assertInvalidField("tags", () -> server.experiments().setExperimentTags(tooMany.build()));
        assertThat(get(server, e.getId())).isEqualTo(tagged);
        assertReason(Code.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> server.experiments().setExperimentTags(
                SetExperimentTagsRequest.newBuilder().setExperimentId(UUID.randomUUID().toString()).putTags("k", "v")
                        .build()));
        assertInvalidField("experiment_id", () -> server.experiments().setExperimentTags(
                SetExperimentTagsRequest.newBuilder().putTags("k", "v").build()));
    }

    private static Experiment get(TestServer server, String id) {
        return server.experiments().getExperiment(GetExperimentRequest.newBuilder().setExperimentId(id).build())
                .getExperiment();
    }
}
