package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static dev.labbook.server.testing.GrpcAssertions.errorInfo;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateModelRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.DeleteModelRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.GetModelRequest;
import dev.labbook.api.v1.ListModelsRequest;
import dev.labbook.api.v1.ListModelsResponse;
import dev.labbook.api.v1.Model;
import dev.labbook.api.v1.ModelServiceGrpc;
import dev.labbook.api.v1.ModelServiceGrpc.ModelServiceBlockingStub;
import dev.labbook.api.v1.ModelStatus;
import dev.labbook.api.v1.PurgeRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.UpdateModelRequest;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** ModelService end to end on a real server and PostgreSQL: the models runs log (MLflow 3's logged models). */
@ExtendWith(LabbookServerExtension.class)
class ModelServiceIT {

    private static ModelServiceBlockingStub models(TestServer server) {
        return ModelServiceGrpc.newBlockingStub(server.channel());
    }

    private static String experiment(TestServer server, String name) {
        return server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setName(name).build())
                .getExperiment().getId();
    }

    private static Run run(TestServer server, String experimentId, String name) {
        return server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experimentId).setName(name)
                .build()).getRun();
    }

    private static Model create(TestServer server, String runId, String name) {
        return models(server).createModel(CreateModelRequest.newBuilder().setRunId(runId).setName(name).build())
                .getModel();
    }

    private static Model get(TestServer server, String modelId) {
        return models(server).getModel(GetModelRequest.newBuilder().setModelId(modelId).build()).getModel();
    }

    @Test
    void createdModelIsPendingWithItsRunExperimentTagsParamsAndArtifactPath(TestServer server) {
        String exp = experiment(server, "e");
        Run run = run(server, exp, "r");
        long before = System.currentTimeMillis();

        Model model = models(server).createModel(CreateModelRequest.newBuilder().setRunId(run.getId())
                .setName("model").setModelType("sklearn").putTags("mlflow.source.type", "LOCAL")
                .putParams("alpha", "0.5").putParams("solver", "lbfgs").build()).getModel();

        assertThat(model.getId()).matches("m-[0-9a-f]{32}");
        assertThat(model.getExperimentId()).isEqualTo(exp);
        assertThat(model.getRunId()).isEqualTo(run.getId());
        assertThat(model.getName()).isEqualTo("model");
        assertThat(model.getModelType()).isEqualTo("sklearn");
        assertThat(model.getStatus()).isEqualTo(ModelStatus.MODEL_STATUS_PENDING);
        assertThat(model.getStatusMessage()).isEmpty();
        assertThat(model.getTagsMap()).containsExactly(Map.entry("mlflow.source.type", "LOCAL"));
        assertThat(model.getParamsMap()).containsOnly(Map.entry("alpha", "0.5"), Map.entry("solver", "lbfgs"));
        assertThat(model.getArtifactPath()).isEqualTo("models/" + model.getId());
        assertThat(model.getCreateTimeMs()).isBetween(before - 1, System.currentTimeMillis() + 1);
        assertThat(model.getUpdateTimeMs()).isEqualTo(model.getCreateTimeMs());
        assertThat(model.getDeleted()).isFalse();
        assertThat(get(server, model.getId())).isEqualTo(model);
        // Upper-case hex is the same id.
        assertThat(get(server, "m-" + model.getId().substring(2).toUpperCase()).getId()).isEqualTo(model.getId());
    }

    @Test
    void updateSetsStatusMessageTagsAndAddsParamsAllOrNothing(TestServer server) {
        Run run = run(server, experiment(server, "e"), "r");
        Model model = models(server).createModel(CreateModelRequest.newBuilder().setRunId(run.getId())
                .setName("m").putTags("a", "1").putTags("b", "2").putParams("lr", "0.01").build()).getModel();

        Model ready = models(server).updateModel(UpdateModelRequest.newBuilder().setModelId(model.getId())
                .setStatus(ModelStatus.MODEL_STATUS_READY).setStatusMessage("done").putSetTags("b", "3")
                .putSetTags("c", "4").addRemoveTagKeys("a").addRemoveTagKeys("missing").putParams("lr", "0.01")
                .putParams("epochs", "10").build()).getModel();

        assertThat(ready.getStatus()).isEqualTo(ModelStatus.MODEL_STATUS_READY);
        assertThat(ready.getStatusMessage()).isEqualTo("done");
        assertThat(ready.getTagsMap()).containsOnly(Map.entry("b", "3"), Map.entry("c", "4"));
        assertThat(ready.getParamsMap()).containsOnly(Map.entry("lr", "0.01"), Map.entry("epochs", "10"));
        assertThat(ready.getUpdateTimeMs()).isGreaterThanOrEqualTo(model.getCreateTimeMs());
        assertThat(get(server, model.getId())).isEqualTo(ready);

        // UNSPECIFIED status and an absent message leave them; an update that changes nothing is fine.
        Model same = models(server).updateModel(UpdateModelRequest.newBuilder().setModelId(model.getId()).build())
                .getModel();
        assertThat(same).isEqualTo(ready);

        // A changed param value is refused in MLflow's words, and nothing of the call is stored.
        var refused = assertReason(Code.FAILED_PRECONDITION, "PARAM_VALUE_CHANGED",
                () -> models(server).updateModel(UpdateModelRequest.newBuilder().setModelId(model.getId())
                        .setStatus(ModelStatus.MODEL_STATUS_FAILED).putSetTags("d", "5").putParams("new", "x")
                        .putParams("lr", "0.02").build()));
        assertThat(refused.getStatus().getDescription()).isEqualTo("params[lr]: changing param values is not "
                + "allowed: param 'lr' was already logged with value '0.01'; attempted '0.02'");
        assertThat(errorInfo(refused).orElseThrow().getMetadataMap()).containsEntry("key", "lr");
        assertThat(get(server, model.getId())).isEqualTo(ready);

        Model failed = models(server).updateModel(UpdateModelRequest.newBuilder().setModelId(model.getId())
                .setStatus(ModelStatus.MODEL_STATUS_FAILED).setStatusMessage("").build()).getModel();
        assertThat(failed.getStatus()).isEqualTo(ModelStatus.MODEL_STATUS_FAILED);
        assertThat(failed.getStatusMessage()).isEmpty();
    }

    @Test
    void badRequestsAreRefusedNamingTheField(TestServer server) {
        Run run = run(server, experiment(server, "e"), "r");
        ModelServiceBlockingStub stub = models(server);
        CreateModelRequest ok = CreateModelRequest.newBuilder().setRunId(run.getId()).setName("m").build();

        assertInvalidField("run_id", () -> stub.createModel(ok.toBuilder().clearRunId().build()));
        assertInvalidField("run_id", () -> stub.createModel(ok.toBuilder().setRunId("nope").build()));
        assertInvalidField("name", () -> stub.createModel(ok.toBuilder().clearName().build()));
        assertInvalidField("name", () -> stub.createModel(ok.toBuilder().setName("n".repeat(251)).build()));
        assertInvalidField("name", () -> stub.createModel(ok.toBuilder().setName("a\nb").build()));
        assertInvalidField("model_type", () -> stub.createModel(ok.toBuilder().setModelType("t".repeat(251)).build()));
        assertInvalidField("tags.key", () -> stub.createModel(ok.toBuilder().putTags("bad key!", "v").build()));
        assertInvalidField("tags[k]", () -> stub.createModel(ok.toBuilder().putTags("k", "v".repeat(8 * 1024 + 1))
                .build()));
        Map<String, String> manyTags = new HashMap<>();
        for (int i = 0; i <= 100; i++) {
            manyTags.put("t" + i, "v");
        }
        assertInvalidField("tags", () -> stub.createModel(ok.toBuilder().putAllTags(manyTags).build()));
        assertInvalidField("params.key", () -> stub.createModel(ok.toBuilder().putParams("k".repeat(251), "v").build()));
        assertInvalidField("params[k]", () -> stub.createModel(ok.toBuilder().putParams("k", "v".repeat(8 * 1024 + 1))
                .build()));
        Map<String, String> manyParams = new HashMap<>();
        for (int i = 0; i <= 1000; i++) {
            manyParams.put("p" + i, "v");
        }
        assertInvalidField("params", () -> stub.createModel(ok.toBuilder().putAllParams(manyParams).build()));
        // At the limits: fine.
        assertThat(stub.createModel(ok.toBuilder().setName("n".repeat(250)).setModelType("t".repeat(250))
                .putTags("k", "v".repeat(8 * 1024)).putParams("k", "v".repeat(8 * 1024)).build()).getModel()
                .getName()).hasSize(250);

        String id = create(server, run.getId(), "m").getId();
        assertInvalidField("model_id", () -> stub.getModel(GetModelRequest.getDefaultInstance()));
        assertInvalidField("model_id", () -> stub.getModel(GetModelRequest.newBuilder().setModelId(run.getId())
                .build()));
        assertInvalidField("remove_tag_keys[1]", () -> stub.updateModel(UpdateModelRequest.newBuilder()
                .setModelId(id).putSetTags("a", "1").addRemoveTagKeys("b").addRemoveTagKeys("a").build()));
        assertInvalidField("status_message", () -> stub.updateModel(UpdateModelRequest.newBuilder()
                .setModelId(id).setStatusMessage("x".repeat(8 * 1024 + 1)).build()));
        assertInvalidField("set_tags[a]", () -> stub.updateModel(UpdateModelRequest.newBuilder()
                .setModelId(id).putSetTags("a", "x".repeat(8 * 1024 + 1)).build()));
        assertInvalidField("status", () -> stub.updateModel(UpdateModelRequest.newBuilder()
                .setModelId(id).setStatusValue(99).build()));
        assertInvalidField("set_tags", () -> stub.updateModel(UpdateModelRequest.newBuilder()
                .setModelId(id).putAllSetTags(manyTags).build()));

        String unknown = "m-" + UUID.randomUUID().toString().replace("-", "");
        var missing = assertReason(Code.NOT_FOUND, "MODEL_NOT_FOUND",
                () -> stub.getModel(GetModelRequest.newBuilder().setModelId(unknown).build()));
        assertThat(missing.getStatus().getDescription()).isEqualTo("model " + unknown + " not found");
        assertReason(Code.NOT_FOUND, "MODEL_NOT_FOUND", () -> stub.updateModel(UpdateModelRequest.newBuilder()
                .setModelId(unknown).build()));
        assertReason(Code.NOT_FOUND, "MODEL_NOT_FOUND", () -> stub.deleteModel(DeleteModelRequest.newBuilder()
                .setModelId(unknown).build()));
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> stub.createModel(ok.toBuilder()
                .setRunId(UUID.randomUUID().toString()).build()));
    }

    @Test
    void aDeletedRunOrExperimentTakesNoNewModelsAndADeletedModelNoChanges(TestServer server) {
        String exp = experiment(server, "e");
        Run run = run(server, exp, "r");
        Model model = create(server, run.getId(), "m");

        models(server).deleteModel(DeleteModelRequest.newBuilder().setModelId(model.getId()).build());
        Model deleted = get(server, model.getId());
        assertThat(deleted.getDeleted()).isTrue();
        // Deleting again changes nothing.
        models(server).deleteModel(DeleteModelRequest.newBuilder().setModelId(model.getId()).build());
        assertThat(get(server, model.getId())).isEqualTo(deleted);
        assertStatus(Code.FAILED_PRECONDITION, () -> models(server).updateModel(UpdateModelRequest.newBuilder()
                .setModelId(model.getId()).setStatus(ModelStatus.MODEL_STATUS_READY).build()));
        assertThat(get(server, model.getId()).getStatus()).isEqualTo(ModelStatus.MODEL_STATUS_PENDING);

        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run.getId()).build());
        assertReason(Code.FAILED_PRECONDITION, "RUN_DELETED", () -> create(server, run.getId(), "m2"));

        Run other = run(server, exp, "other");
        server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder().setExperimentId(exp).build());
        assertReason(Code.FAILED_PRECONDITION, "EXPERIMENT_DELETED", () -> create(server, other.getId(), "m3"));
    }

    @Test
    void listPagesNewestFirstAndFilters(TestServer server) {
        String e1 = experiment(server, "e1");
        String e2 = experiment(server, "e2");
        Run r1 = run(server, e1, "r1");
        Run r2 = run(server, e1, "r2");
        Run r3 = run(server, e2, "r3");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(create(server, r1.getId(), i % 2 == 0 ? "even" : "odd").getId());
            created.add(create(server, r2.getId(), "r2-" + i).getId());
        }
        String inE2 = create(server, r3.getId(), "even").getId();
        List<String> newestFirst = new ArrayList<>(created);
        java.util.Collections.reverse(newestFirst);

        // Pages of 3 over experiment e1.
        List<String> paged = new ArrayList<>();
        String token = "";
        int pages = 0;
        do {
            ListModelsResponse page = models(server).listModels(ListModelsRequest.newBuilder().addExperimentIds(e1)
                    .setPageSize(3).setPageToken(token).build());
            page.getModelsList().forEach(m -> paged.add(m.getId()));
            token = page.getNextPageToken();
            pages++;
        } while (!token.isEmpty());
        assertThat(paged).containsExactlyElementsOf(newestFirst);
        assertThat(pages).isEqualTo(4);

        assertThat(ids(models(server).listModels(ListModelsRequest.newBuilder().addExperimentIds(e1)
                .addExperimentIds(e2).build()))).hasSize(11).first().isEqualTo(inE2);
        assertThat(ids(models(server).listModels(ListModelsRequest.newBuilder().setRunId(r1.getId()).build())))
                .containsExactlyElementsOf(newestFirst.stream().filter(id -> created.indexOf(id) % 2 == 0).toList());
        assertThat(models(server).listModels(ListModelsRequest.newBuilder().addExperimentIds(e1).addExperimentIds(e2)
                .setName("even").build()).getModelsList()).extracting(Model::getName).hasSize(4).containsOnly("even");
        assertThat(ids(models(server).listModels(ListModelsRequest.newBuilder().addExperimentIds(e2)
                .setRunId(r1.getId()).build()))).isEmpty();

        // Deleted models only with include_deleted.
        models(server).deleteModel(DeleteModelRequest.newBuilder().setModelId(inE2).build());
        assertThat(ids(models(server).listModels(ListModelsRequest.newBuilder().addExperimentIds(e2).build())))
                .isEmpty();
        assertThat(ids(models(server).listModels(ListModelsRequest.newBuilder().addExperimentIds(e2)
                .setIncludeDeleted(true).build()))).containsExactly(inE2);

        // Errors.
        assertInvalidField("experiment_ids", () -> models(server).listModels(ListModelsRequest.getDefaultInstance()));
        ListModelsRequest.Builder tooMany = ListModelsRequest.newBuilder();
        for (int i = 0; i <= 100; i++) {
            tooMany.addExperimentIds(UUID.randomUUID().toString());
        }
        assertInvalidField("experiment_ids", () -> models(server).listModels(tooMany.build()));
        assertInvalidField("experiment_ids[1]", () -> models(server).listModels(ListModelsRequest.newBuilder()
                .addExperimentIds(e1).addExperimentIds("x").build()));
        assertInvalidField("page_size", () -> models(server).listModels(ListModelsRequest.newBuilder()
                .addExperimentIds(e1).setPageSize(1001).build()));
        String firstToken = models(server).listModels(ListModelsRequest.newBuilder().addExperimentIds(e1)
                .setPageSize(3).build()).getNextPageToken();
        assertReason(Code.INVALID_ARGUMENT, "INVALID_PAGE_TOKEN", () -> models(server).listModels(ListModelsRequest
                .newBuilder().addExperimentIds(e2).setPageToken(firstToken).build()));
        assertReason(Code.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> models(server).listModels(ListModelsRequest
                .newBuilder().addExperimentIds(e1).addExperimentIds(UUID.randomUUID().toString()).build()));
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> models(server).listModels(ListModelsRequest
                .newBuilder().setRunId(UUID.randomUUID().toString()).build()));
    }

    @Test
    void purgingTheRunRemovesItsModels(TestServer server) throws Exception {
        String exp = experiment(server, "e");
        Run run = run(server, exp, "r");
        Run kept = run(server, exp, "kept");
        Model model = models(server).createModel(CreateModelRequest.newBuilder().setRunId(run.getId()).setName("m")
                .putTags("t", "1").putParams("p", "1").build()).getModel();
        Model other = create(server, kept.getId(), "m");

        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run.getId()).build());
        // A deleted run's models stay readable until the run is purged.
        assertThat(get(server, model.getId()).getDeleted()).isFalse();
        server.runs().purgeRun(PurgeRunRequest.newBuilder().setRunId(run.getId()).build());

        assertReason(Code.NOT_FOUND, "MODEL_NOT_FOUND", () -> get(server, model.getId()));
        assertThat(get(server, other.getId())).isEqualTo(other);
        try (Connection c = server.jdbc(); Statement s = c.createStatement()) {
            for (String table : List.of("model", "model_tag", "model_param")) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                    rs.next();
                    assertThat(rs.getInt(1)).as(table).isEqualTo(table.equals("model") ? 1 : 0);
                }
            }
        }
    }

    @Test
    void concurrentFirstValuesOfOneKeyLeaveExactlyOneWinner(TestServer server) throws Exception {
        Run run = run(server, experiment(server, "e"), "r");
        Model model = create(server, run.getId(), "m");
        int writers = 8;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            List<java.util.concurrent.Future<Code>> modelCalls = new ArrayList<>();
            List<java.util.concurrent.Future<Code>> runCalls = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                String value = "v" + i;
                modelCalls.add(pool.submit(() -> outcome(() -> models(server).updateModel(UpdateModelRequest
                        .newBuilder().setModelId(model.getId()).putParams("k", value).build()))));
                runCalls.add(pool.submit(() -> outcome(() -> server.runs().logParams(
                        dev.labbook.api.v1.LogParamsRequest.newBuilder().setRunId(run.getId()).setRefuseChanges(true)
                                .addParams(dev.labbook.api.v1.Param.newBuilder().setKey("k").setValue(
                                        dev.labbook.api.v1.Value.newBuilder().setStringValue(value))).build()))));
            }
            for (List<java.util.concurrent.Future<Code>> calls : List.of(modelCalls, runCalls)) {
                List<Code> codes = new ArrayList<>();
                for (var call : calls) {
                    codes.add(call.get());
                }
                assertThat(codes).filteredOn(c -> c == Code.OK).hasSize(1);
                assertThat(codes).filteredOn(c -> c == Code.FAILED_PRECONDITION).hasSize(writers - 1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(get(server, model.getId()).getParamsMap()).containsOnlyKeys("k");
    }

    private static Code outcome(Runnable call) {
        try {
            call.run();
            return Code.OK;
        } catch (io.grpc.StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private static List<String> ids(ListModelsResponse response) {
        return response.getModelsList().stream().map(Model::getId).toList();
    }
}
