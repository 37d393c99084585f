package dev.labbook.server.mlflow;

import static dev.labbook.server.mlflow.MlflowClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MLflow 3's logged models on Labbook's ModelService, and MLflow's immutable params (LogParams.refuse_changes). */
@ExtendWith(LabbookServerExtension.class)
class MlflowLoggedModelIT {
    private static String run(MlflowClient mlflow, String exp) {
        return mlflow.okPost("runs/create", json("{'experiment_id': '" + exp + "', 'run_name': 'sk'}"))
                .get("run").get("info").get("run_id").asText();
    }

    private static String experiment(MlflowClient mlflow) {
        return mlflow.okPost("experiments/create", json("{'name': 'models-" + UUID.randomUUID() + "'}"))
                .get("experiment_id").asText();
    }

    @Test
    void aChangedParamIsInvalidParameterValueTheSameValueIsFine(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String runId = run(mlflow, experiment(mlflow));
        mlflow.okPost("runs/log-parameter", json("{'run_id': '" + runId + "', 'key': 'lr', 'value': '0.01'}"));
        mlflow.okPost("runs/log-parameter", json("{'run_id': '" + runId + "', 'key': 'lr', 'value': '0.01'}"));
        MlflowClient.Answer changed = mlflow.post("runs/log-parameter", json("{'run_id': '" + runId + "', 'key': 'lr', 'value': '0.02'}"));
        assertThat(changed.status()).isEqualTo(400);
        assertThat(changed.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(changed.message()).isEqualTo("Changing param values is not allowed. "
                + "param 'lr' was already logged with value '0.01'; attempted '0.02'");
        MlflowClient.Answer inBatch = mlflow.post("runs/log-batch", json("{'run_id': '" + runId + "', 'params': [{'key': 'lr', 'value': '0.3'}]}"));
        assertThat(inBatch.status()).isEqualTo(400);
        assertThat(mlflow.okGet("runs/get?run_id=" + runId).get("run").get("data").get("params").toString()).contains("0.01")
                .doesNotContain("0.02", "0.3");
    }

    @Test
    void aLoggedModelIsCreatedFinalizedTaggedSearchedAndDeleted(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String exp = experiment(mlflow);
        String runId = run(mlflow, exp);
        JsonNode model = mlflow.okPost("logged-models", json("{'experiment_id': '" + exp + "', 'name': 'model', 'source_run_id': '" + runId
                + "', 'params': [{'key': 'C', 'value': '1.0'}], 'tags': [{'key': 'mlflow.user', 'value': 'root'}]}")).get("model");
        JsonNode info = model.get("info");
        String modelId = info.get("model_id").asText();
        assertThat(modelId).matches("m-[0-9a-f]{32}");
        assertThat(info.get("experiment_id").asText()).isEqualTo(exp);
        assertThat(info.get("source_run_id").asText()).isEqualTo(runId);
        assertThat(info.get("status").asText()).isEqualTo("LOGGED_MODEL_PENDING");
        assertThat(info.get("artifact_uri").asText())
                .isEqualTo("mlflow-artifacts:/" + exp + "/" + runId + "/artifacts/models/" + modelId);
        assertThat(info.get("tags").toString()).contains("mlflow.user");
        assertThat(model.get("data").get("params").toString()).isEqualTo("[{\"key\":\"C\",\"value\":\"1.0\"}]");

        JsonNode ready = mlflow.ok(mlflow.patch("logged-models/" + modelId,
                json("{'model_id': '" + modelId + "', 'status': 'LOGGED_MODEL_READY'}"))).get("model");
        assertThat(ready.get("info").get("status").asText()).isEqualTo("LOGGED_MODEL_READY");
        mlflow.ok(mlflow.patch("logged-models/" + modelId + "/tags", json("{'tags': [{'key': 'stage', 'value': 'dev'}]}")));
        mlflow.okPost("logged-models/" + modelId + "/params", json("{'params': [{'key': 'tol', 'value': '0.0001'}]}"));
        JsonNode got = mlflow.okGet("logged-models/" + modelId).get("model");
        assertThat(got.get("info").get("tags").toString()).contains("stage");
        assertThat(got.get("data").get("params").toString()).contains("tol");
        mlflow.ok(mlflow.delete("logged-models/" + modelId + "/tags/stage"));
        assertThat(mlflow.okGet("logged-models/" + modelId).get("model").get("info").get("tags").toString()).doesNotContain("stage");

        JsonNode found = mlflow.okPost("logged-models/search", json("{'experiment_ids': ['" + exp + "'], 'filter': \"name = 'model'\"}"));
        assertThat(found.get("models").findValuesAsText("model_id")).containsExactly(modelId);
        JsonNode none = mlflow.okPost("logged-models/search", json("{'experiment_ids': ['" + exp + "'], 'filter': \"name = 'd.json'\"}"));
        assertThat(none.has("models")).isFalse();
        JsonNode byRun = mlflow.okPost("logged-models/search", json("{'experiment_ids': ['" + exp + "'], 'filter': \"source_run_id = '"
                + runId + "'\"}"));
        assertThat(byRun.get("models")).hasSize(1);

        mlflow.ok(mlflow.delete("logged-models/" + modelId));
        MlflowClient.Answer gone = mlflow.get("logged-models/" + modelId);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
    }
}
