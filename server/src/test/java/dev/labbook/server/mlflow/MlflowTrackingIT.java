package dev.labbook.server.mlflow;

import static dev.labbook.server.mlflow.MlflowClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The MLflow tracking API over real HTTP, with the requests and answer shapes of the recorded
 * MLflow client (/work/wt/mlflow-recording.jsonl): experiments, runs, params, metrics, tags,
 * log-batch, search, errors.
 */
@ExtendWith(LabbookServerExtension.class)
class MlflowTrackingIT {
    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String experiment(MlflowClient mlflow) {
        return mlflow.okPost("experiments/create", json("{'name': '" + unique("exp") + "'}")).get("experiment_id").asText();
    }

    private static JsonNode createRun(MlflowClient mlflow, String experimentId, String name, String... extraTags) {
        ObjectNode body = json("{'experiment_id': '" + experimentId + "', 'user_id': 'root', 'run_name': '" + name
                + "', 'start_time': " + (System.currentTimeMillis() - 1000) + ", 'tags': [{'key': 'mlflow.user', 'value': 'root'},"
                + " {'key': 'mlflow.source.name', 'value': 'client.py'}, {'key': 'mlflow.source.type', 'value': 'LOCAL'},"
                + " {'key': 'mlflow.runName', 'value': '" + name + "'}]}");
        for (int i = 0; i < extraTags.length; i += 2) {
            ((ArrayNode) body.get("tags")).addObject().put("key", extraTags[i]).put("value", extraTags[i + 1]);
        }
        return mlflow.okPost("runs/create", body).get("run");
    }

    @Test
    void experimentsCreateGetUpdateTagSearchDeleteRestore(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String name = unique("rec");
        String id = mlflow.okPost("experiments/create", json("{'name': '" + name + "', 'tags': [{'key': 'k', 'value': 'v'}]}"))
                .get("experiment_id").asText();

        JsonNode byName = mlflow.okGet("experiments/get-by-name?experiment_name=" + name).get("experiment");
        assertThat(byName.get("experiment_id").asText()).isEqualTo(id);
        assertThat(byName.get("name").asText()).isEqualTo(name);
        assertThat(byName.get("artifact_location").asText()).isEqualTo("mlflow-artifacts:/" + id);
        assertThat(byName.get("lifecycle_stage").asText()).isEqualTo("active");
        assertThat(byName.get("creation_time").asLong()).isPositive();
        assertThat(byName.get("last_update_time").asLong()).isPositive();
        assertThat(byName.get("tags")).hasSize(1);

        mlflow.okPost("experiments/update", json("{'experiment_id': '" + id + "', 'new_name': '" + name + "-3'}"));
        mlflow.okPost("experiments/set-experiment-tag", json("{'experiment_id': '" + id + "', 'key': 'a', 'value': 'b'}"));
        JsonNode got = mlflow.okGet("experiments/get?experiment_id=" + id).get("experiment");
        assertThat(got.get("name").asText()).isEqualTo(name + "-3");
        assertThat(got.get("tags").toString()).contains("\"a\"", "\"b\"", "\"k\"");
        mlflow.okPost("experiments/delete-experiment-tag", json("{'experiment_id': '" + id + "', 'key': 'a'}"));
        assertThat(mlflow.okGet("experiments/get?experiment_id=" + id).get("experiment").get("tags")).hasSize(1);

        String other = mlflow.okPost("experiments/create", json("{'name': '" + name + "-1'}")).get("experiment_id").asText();
        JsonNode search = mlflow.okPost("experiments/search", json("{'max_results': 1000, 'filter': \"name LIKE '"
                + name + "%'\", 'order_by': ['name ASC'], 'view_type': 'ACTIVE_ONLY'}"));
        assertThat(search.get("experiments").findValuesAsText("experiment_id")).containsExactly(other, id);
        JsonNode paged = mlflow.okPost("experiments/search", json("{'max_results': 1, 'filter': \"name LIKE '"
                + name + "%'\", 'order_by': ['name DESC']}"));
        assertThat(paged.get("experiments").findValuesAsText("experiment_id")).containsExactly(id);
        JsonNode page2 = mlflow.okPost("experiments/search", json("{'max_results': 1, 'filter': \"name LIKE '"
                + name + "%'\", 'order_by': ['name DESC'], 'page_token': '" + paged.get("next_page_token").asText() + "'}"));
        assertThat(page2.get("experiments").findValuesAsText("experiment_id")).containsExactly(other);
        assertThat(page2.has("next_page_token")).isFalse();
        JsonNode byTag = mlflow.okPost("experiments/search", json("{'filter': \"tags.k = 'v' AND name ILIKE '"
                + name.toUpperCase() + "%'\"}"));
        assertThat(byTag.get("experiments").findValuesAsText("experiment_id")).containsExactly(id);

        mlflow.okPost("experiments/delete", json("{'experiment_id': '" + id + "'}"));
        assertThat(mlflow.okGet("experiments/get?experiment_id=" + id).get("experiment").get("lifecycle_stage").asText())
                .isEqualTo("deleted");
        JsonNode deleted = mlflow.okPost("experiments/search", json("{'filter': \"name LIKE '" + name
                + "%'\", 'view_type': 'DELETED_ONLY'}"));
        assertThat(deleted.get("experiments").findValuesAsText("experiment_id")).containsExactly(id);
        mlflow.okPost("experiments/restore", json("{'experiment_id': '" + id + "'}"));
        assertThat(mlflow.okGet("experiments/get?experiment_id=" + id).get("experiment").get("lifecycle_stage").asText())
                .isEqualTo("active");
    }

    @Test
    void experimentErrorsAreMlflows(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        MlflowClient.Answer missing = mlflow.get("experiments/get-by-name?experiment_name=" + unique("nope"));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
        String name = unique("dup");
        mlflow.okPost("experiments/create", json("{'name': '" + name + "'}"));
        MlflowClient.Answer dup = mlflow.post("experiments/create", json("{'name': '" + name + "'}"));
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.errorCode()).isEqualTo("RESOURCE_ALREADY_EXISTS");
        MlflowClient.Answer noName = mlflow.post("experiments/create", json("{}"));
        assertThat(noName.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(noName.message()).contains("'name'");
        MlflowClient.Answer badFilter = mlflow.post("experiments/search", json("{'filter': \"creation_time > 5\"}"));
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.message()).contains("creation_time");
    }

    @Test
    void theDefaultExperimentZeroIsTheProjectsDefault(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        JsonNode run = createRun(mlflow, "0", "in-default");
        JsonNode experiment = mlflow.okGet("experiments/get?experiment_id=0").get("experiment");
        assertThat(experiment.get("name").asText()).isEqualTo("Default");
        assertThat(run.get("info").get("experiment_id").asText()).isEqualTo(experiment.get("experiment_id").asText());
        assertThat(mlflow.okGet("experiments/get-by-name?experiment_name=Default").get("experiment").get("experiment_id"))
                .isEqualTo(experiment.get("experiment_id"));
    }

    @Test
    void aRunLoggedAsTheRecordedClientDoesReadsBackInMlflowsShape(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String exp = experiment(mlflow);
        JsonNode created = createRun(mlflow, exp, "parent");
        JsonNode info = created.get("info");
        String runId = info.get("run_id").asText();
        assertThat(info.get("run_uuid").asText()).isEqualTo(runId);
        assertThat(info.get("experiment_id").asText()).isEqualTo(exp);
        assertThat(info.get("run_name").asText()).isEqualTo("parent");
        assertThat(info.get("user_id").asText()).isEqualTo("root");
        assertThat(info.get("status").asText()).isEqualTo("RUNNING");
        assertThat(info.get("artifact_uri").asText()).isEqualTo("mlflow-artifacts:/" + exp + "/" + runId + "/artifacts");
        assertThat(info.get("lifecycle_stage").asText()).isEqualTo("active");
        assertThat(info.has("end_time")).isFalse();
        assertThat(created.get("data").get("tags").findValuesAsText("key"))
                .contains("mlflow.user", "mlflow.source.name", "mlflow.source.type", "mlflow.runName");
        assertThat(created.get("inputs").isObject()).isTrue();

        String ids = "run_uuid=" + runId + "&run_id=" + runId;
        mlflow.okPost("runs/log-parameter", json("{'run_uuid': '" + runId + "', 'key': 'lr', 'value': '0.01', 'run_id': '" + runId + "'}"));
        mlflow.okPost("runs/log-batch", json("{'run_id': '" + runId + "', 'params': [{'key': 'a', 'value': '1'}, {'key': 'b', 'value': 'x'}]}"));
        mlflow.okPost("runs/log-metric", json("{'run_uuid': '" + runId + "', 'key': 'loss', 'value': 0.5, 'timestamp': 1796614742626,"
                + " 'step': 1, 'run_id': '" + runId + "'}"));
        mlflow.okPost("runs/log-batch", json("{'run_id': '" + runId + "', 'metrics': [{'key': 'acc', 'value': 0.9, 'timestamp': 1796614742637,"
                + " 'step': 2, 'run_id': '" + runId + "'}, {'key': 'f1', 'value': 0.8, 'timestamp': 1796614742637, 'step': 2}]}"));
        mlflow.okPost("runs/log-metric", json("{'run_id': '" + runId + "', 'key': 'loss', 'value': 0.25, 'timestamp': 1796614742999, 'step': 3}"));
        mlflow.okPost("runs/set-tag", json("{'run_uuid': '" + runId + "', 'key': 'team', 'value': 'v', 'run_id': '" + runId + "'}"));
        mlflow.okPost("runs/log-batch", json("{'run_id': '" + runId + "', 'tags': [{'key': 't2', 'value': 'y'}]}"));

        JsonNode run = mlflow.okGet("runs/get?" + ids).get("run");
        JsonNode data = run.get("data");
        assertThat(data.get("metrics").toString()).contains(
                "{\"key\":\"acc\",\"value\":0.9,\"timestamp\":1796614742637,\"step\":2}",
                "{\"key\":\"loss\",\"value\":0.25,\"timestamp\":1796614742999,\"step\":3}");
        assertThat(data.get("params").toString()).contains("{\"key\":\"lr\",\"value\":\"0.01\"}", "{\"key\":\"b\",\"value\":\"x\"}");
        assertThat(data.get("tags").findValuesAsText("key")).contains("team", "t2", "mlflow.runName");

        JsonNode history = mlflow.okGet("metrics/get-history?run_uuid=" + runId + "&metric_key=loss&run_id=" + runId + "&max_results=25000");
        assertThat(history.get("metrics").toString()).isEqualTo("[{\"key\":\"loss\",\"value\":0.5,\"timestamp\":1796614742626,\"step\":1},"
                + "{\"key\":\"loss\",\"value\":0.25,\"timestamp\":1796614742999,\"step\":3}]");
        JsonNode page1 = mlflow.okGet("metrics/get-history?run_id=" + runId + "&metric_key=loss&max_results=1");
        assertThat(page1.get("metrics")).hasSize(1);
        JsonNode page2 = mlflow.okGet("metrics/get-history?run_id=" + runId + "&metric_key=loss&max_results=1&page_token="
                + page1.get("next_page_token").asText());
        assertThat(page2.get("metrics").get(0).get("step").asLong()).isEqualTo(3);

        JsonNode finished = mlflow.okPost("runs/update", json("{'run_uuid': '" + runId + "', 'status': 'FINISHED', 'end_time': "
                + System.currentTimeMillis() + ", 'run_id': '" + runId + "'}")).get("run_info");
        assertThat(finished.get("status").asText()).isEqualTo("FINISHED");
        assertThat(finished.get("end_time").asLong()).isPositive();
        assertThat(server.runs().getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun().getStatus())
                .isEqualTo(RunStatus.RUN_STATUS_COMPLETED);
        JsonNode again = mlflow.okPost("runs/update", json("{'run_id': '" + runId + "', 'status': 'RUNNING'}")).get("run_info");
        assertThat(again.get("status").asText()).isEqualTo("RUNNING");
        JsonNode killed = mlflow.okPost("runs/update", json("{'run_id': '" + runId + "', 'status': 'KILLED', 'run_name': 'renamed'}"))
                .get("run_info");
        assertThat(killed.get("status").asText()).isEqualTo("KILLED");
        assertThat(killed.get("run_name").asText()).isEqualTo("renamed");
        assertThat(server.runs().getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun().getName()).isEqualTo("renamed");

        mlflow.okPost("runs/delete-tag", json("{'run_id': '" + runId + "', 'key': 'team'}"));
        MlflowClient.Answer noTag = mlflow.post("runs/delete-tag", json("{'run_id': '" + runId + "', 'key': 'team'}"));
        assertThat(noTag.status()).isEqualTo(404);
        mlflow.okPost("runs/delete", json("{'run_id': '" + runId + "'}"));
        assertThat(mlflow.okGet("runs/get?run_id=" + runId).get("run").get("info").get("lifecycle_stage").asText()).isEqualTo("deleted");
        mlflow.okPost("runs/restore", json("{'run_id': '" + runId + "'}"));
        assertThat(mlflow.okGet("runs/get?run_id=" + runId).get("run").get("info").get("lifecycle_stage").asText()).isEqualTo("active");
    }

    @Test
    void childRunsRepeatedNamesAndSourceInfo(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String exp = experiment(mlflow);
        String parent = createRun(mlflow, exp, "same").get("info").get("run_id").asText();
        JsonNode child = createRun(mlflow, exp, "same", "mlflow.parentRunId", parent, "mlflow.source.git.commit", "abc123");
        String childId = child.get("info").get("run_id").asText();
        assertThat(childId).isNotEqualTo(parent);
        assertThat(child.get("info").get("run_name").asText()).isEqualTo("same");
        Run labbook = server.runs().getRun(GetRunRequest.newBuilder().setRunId(childId).build()).getRun();
        assertThat(labbook.getName()).matches("same-[0-9a-f]{6}");
        assertThat(labbook.getParentRunId()).isEqualTo(parent);
        assertThat(labbook.getSource().getScript()).isEqualTo("client.py");
        assertThat(labbook.getSource().getGitCommit()).isEqualTo("abc123");
        assertThat(labbook.getTagsMap()).containsEntry("mlflow.runName", "same").containsEntry("mlflow.parentRunId", parent);
        // A name Labbook refuses (edge whitespace) gets a generated Labbook name; MLflow's stays in the tag.
        JsonNode padded = mlflow.okPost("runs/create", json("{'experiment_id': '" + exp + "', 'run_name': ' padded '}")).get("run");
        assertThat(padded.get("info").get("run_name").asText()).isEqualTo(" padded ");
        assertThat(server.runs().getRun(GetRunRequest.newBuilder().setRunId(padded.get("info").get("run_id").asText()).build())
                .getRun().getName()).startsWith("run-");
        // set-tag mlflow.runName renames (the Labbook name too, when free)
        mlflow.okPost("runs/set-tag", json("{'run_id': '" + childId + "', 'key': 'mlflow.runName', 'value': 'kid'}"));
        assertThat(mlflow.okGet("runs/get?run_id=" + childId).get("run").get("info").get("run_name").asText()).isEqualTo("kid");
        assertThat(server.runs().getRun(GetRunRequest.newBuilder().setRunId(childId).build()).getRun().getName()).isEqualTo("kid");
    }

    @Test
    void unknownRunIsResourceDoesNotExist(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String id = UUID.randomUUID().toString();
        MlflowClient.Answer answer = mlflow.get("runs/get?run_uuid=" + id + "&run_id=" + id);
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
        assertThat(answer.message()).contains(id);
        MlflowClient.Answer log = mlflow.post("runs/log-metric", json("{'run_id': '" + id + "', 'key': 'x', 'value': 1, 'timestamp': 1}"));
        assertThat(log.status()).isEqualTo(404);
        // MLflow's own ids (32 hex digits) are unknown runs too, not malformed requests.
        MlflowClient.Answer mlflowId = mlflow.get("runs/get?run_id=0123456789abcdef0123456789abcdef");
        assertThat(mlflowId.status()).isEqualTo(404);
        assertThat(mlflowId.message()).isEqualTo("Run with id=0123456789abcdef0123456789abcdef not found");
        assertThat(mlflow.get("experiments/get?experiment_id=1").errorCode()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
        MlflowClient.Answer missing = mlflow.get("runs/get");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.message()).contains("run_id");
    }

    @Test
    void logBatchKeepsMlflowsLimitsAndNonFiniteValues(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String runId = createRun(mlflow, experiment(mlflow), "batch").get("info").get("run_id").asText();
        ObjectNode batch = json("{'run_id': '" + runId + "'}");
        ArrayNode metrics = batch.putArray("metrics");
        for (int i = 0; i < 1000; i++) {
            metrics.addObject().put("key", "m" + (i % 10)).put("value", (double) i).put("timestamp", 1_700_000_000_000L + i).put("step", i);
        }
        mlflow.okPost("runs/log-batch", batch);
        JsonNode history = mlflow.okGet("metrics/get-history?run_id=" + runId + "&metric_key=m3");
        assertThat(history.get("metrics")).hasSize(100);
        assertThat(history.get("metrics").get(99).get("value").asDouble()).isEqualTo(993.0);
        assertThat(history.get("metrics").get(99).get("timestamp").asLong()).isEqualTo(1_700_000_000_993L);

        metrics.addObject().put("key", "one-too-many").put("value", 1.0).put("timestamp", 1L).put("step", 0);
        MlflowClient.Answer tooMany = mlflow.post("runs/log-batch", batch);
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(tooMany.message()).isEqualTo("A batch logging request can contain at most 1000 metrics. Got 1001 metrics. "
                + "Please split up metrics across multiple requests and try again.");
        ObjectNode params = json("{'run_id': '" + runId + "'}");
        ArrayNode list = params.putArray("params");
        for (int i = 0; i < 101; i++) {
            list.addObject().put("key", "p" + i).put("value", "v");
        }
        assertThat(mlflow.post("runs/log-batch", params).message()).contains("at most 100 params. Got 101 params");

        // A bad metric refuses the whole batch: its params and good metrics are not logged either.
        MlflowClient.Answer bad = mlflow.post("runs/log-batch", json("{'run_id': '" + runId + "', 'params': [{'key': 'kept', 'value': 'no'}],"
                + " 'metrics': [{'key': 'good', 'value': 1, 'timestamp': 1, 'step': 0}, {'key': 'bad', 'value': 'high', 'timestamp': 1}]}"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.message()).isEqualTo("Invalid value \"high\" for parameter 'metrics.value' supplied: expected a number");
        JsonNode untouched = mlflow.okGet("runs/get?run_id=" + runId).get("run").get("data");
        assertThat(untouched.path("params").findValuesAsText("key")).doesNotContain("kept");
        assertThat(untouched.path("metrics").findValuesAsText("key")).doesNotContain("good");

        // MLflow's client sends NaN and the infinities as bare tokens (Python's json) or strings (protobuf).
        mlflow.ok(mlflow.send("POST", "runs/log-batch", "{\"run_id\": \"" + runId + "\", \"metrics\": ["
                + "{\"key\": \"n\", \"value\": NaN, \"timestamp\": 1, \"step\": 0},"
                + "{\"key\": \"n\", \"value\": \"Infinity\", \"timestamp\": 2, \"step\": 1},"
                + "{\"key\": \"n\", \"value\": -Infinity, \"timestamp\": 3, \"step\": 2}]}"));
        JsonNode n = mlflow.okGet("metrics/get-history?run_id=" + runId + "&metric_key=n").get("metrics");
        assertThat(n.findValuesAsText("value")).containsExactly("NaN", "Infinity", "-Infinity");
        // model_id, dataset_name and dataset_digest (autologging's) go to the run's series all the same
        mlflow.okPost("runs/log-batch", json("{'run_id': '" + runId + "', 'metrics': [{'key': 'training_score', 'value': 0.97,"
                + " 'timestamp': 5, 'step': 0, 'dataset_name': 'dataset', 'dataset_digest': '2bf3ace3', 'model_id': 'm-0'}]}"));
        assertThat(mlflow.okGet("metrics/get-history?run_id=" + runId + "&metric_key=training_score").get("metrics")).hasSize(1);
    }

    @Test
    void searchTranslatesFilterOrderViewAndPages(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String exp = experiment(mlflow);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String runId = createRun(mlflow, exp, "r" + i).get("info").get("run_id").asText();
            ids.add(runId);
            mlflow.okPost("runs/log-batch", json("{'run_id': '" + runId + "', 'params': [{'key': 'lr', 'value': '" + (i % 2 == 0 ? "0.01" : "0.1")
                    + "'}], 'metrics': [{'key': 'acc', 'value': " + (i / 10.0) + ", 'timestamp': 1, 'step': 0}]}"));
        }
        mlflow.okPost("runs/update", json("{'run_id': '" + ids.get(4) + "', 'status': 'FINISHED'}"));
        mlflow.okPost("runs/update", json("{'run_id': '" + ids.get(2) + "', 'status': 'FINISHED'}"));

        JsonNode best = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'run_view_type': 'ACTIVE_ONLY',"
                + " 'filter': 'metrics.acc > 0.15', 'max_results': 10000, 'order_by': ['metrics.acc DESC']}"));
        assertThat(best.get("runs").findValuesAsText("run_id")).containsExactly(ids.get(4), ids.get(3), ids.get(2));
        JsonNode first = best.get("runs").get(0);
        assertThat(first.get("data").get("metrics").get(0).get("value").asDouble()).isEqualTo(0.4);
        assertThat(first.get("data").get("params").toString()).contains("0.01");
        assertThat(first.get("info").get("run_name").asText()).isEqualTo("r4");

        JsonNode finished = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'filter':"
                + " \"params.lr = '0.01' and attributes.status = 'FINISHED'\", 'max_results': 5, 'order_by': ['attributes.start_time DESC']}"));
        assertThat(finished.get("runs").findValuesAsText("run_id")).containsExactlyInAnyOrder(ids.get(4), ids.get(2));
        JsonNode byName = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'filter': \"attributes.run_name = 'r1'\"}"));
        assertThat(byName.get("runs").findValuesAsText("run_id")).containsExactly(ids.get(1));
        JsonNode injection = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'filter': \"params.lr = '0.01'' OR 1=1'\"}"));
        assertThat(injection.has("runs")).isFalse();

        JsonNode page1 = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'max_results': 2, 'order_by': ['metrics.acc ASC']}"));
        assertThat(page1.get("runs").findValuesAsText("run_id")).containsExactly(ids.get(0), ids.get(1));
        JsonNode page2 = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'max_results': 2, 'order_by': ['metrics.acc ASC'],"
                + " 'page_token': '" + page1.get("next_page_token").asText() + "'}"));
        assertThat(page2.get("runs").findValuesAsText("run_id")).containsExactly(ids.get(2), ids.get(3));

        // Run ids: Labbook's id field, with the rest of the filter and the order; an MLflow-style id matches nothing.
        JsonNode byIds = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'filter': \"attributes.run_id IN ('"
                + ids.get(1) + "', '" + ids.get(3) + "', '" + ids.get(4) + "', '0123456789abcdef0123456789abcdef') AND metrics.acc < 0.35\","
                + " 'order_by': ['metrics.acc DESC']}"));
        assertThat(byIds.get("runs").findValuesAsText("run_id")).containsExactly(ids.get(3), ids.get(1));
        JsonNode oneId = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'filter': \"run_id = '" + ids.get(2) + "'\"}"));
        assertThat(oneId.get("runs").findValuesAsText("run_id")).containsExactly(ids.get(2));
        String otherExp = experiment(mlflow);
        assertThat(mlflow.okPost("runs/search", json("{'experiment_ids': ['" + otherExp + "'], 'filter': \"run_id = '" + ids.get(2) + "'\"}"))
                .has("runs")).isFalse();
        mlflow.okPost("runs/delete", json("{'run_id': '" + ids.get(0) + "'}"));
        JsonNode deleted = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'run_view_type': 'DELETED_ONLY'}"));
        assertThat(deleted.get("runs").findValuesAsText("run_id")).containsExactly(ids.get(0));
        assertThat(mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'run_view_type': 'ALL'}")).get("runs")).hasSize(5);

        MlflowClient.Answer bad = mlflow.post("runs/search", json("{'experiment_ids': ['" + exp + "'], 'filter': 'metrics.acc > 0.1 OR 1'}"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorCode()).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(bad.message()).contains("column 19");
        MlflowClient.Answer unsupported = mlflow.post("runs/search", json("{'experiment_ids': ['" + exp + "'], 'filter': \"attributes.artifact_uri = 'x'\"}"));
        assertThat(unsupported.message()).contains("attributes.artifact_uri");
        MlflowClient.Answer tooMany = mlflow.post("runs/search", json("{'experiment_ids': ['" + exp + "'], 'max_results': 50001}"));
        assertThat(tooMany.status()).isEqualTo(400);
    }

    @Test
    void inputsAndOutputsAreKeptAndReturned(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String runId = createRun(mlflow, experiment(mlflow), "sk").get("info").get("run_id").asText();
        String dataset = "{'tags': [{'key': 'mlflow.data.context', 'value': 'train'}], 'dataset': {'name': 'dataset', 'digest': '2bf3ace3',"
                + " 'source_type': 'code', 'source': '{}', 'schema': 'S', 'profile': 'P'}}";
        mlflow.okPost("runs/log-inputs", json("{'run_id': '" + runId + "', 'datasets': [" + dataset + "]}"));
        mlflow.okPost("runs/log-inputs", json("{'run_id': '" + runId + "', 'datasets': [" + dataset + "], 'models': [{'model_id': 'm-1'}]}"));
        mlflow.okPost("runs/outputs", json("{'run_id': '" + runId + "', 'models': [{'model_id': 'm-9bd79f3772854e5485313111ecd0ea43', 'step': 0}]}"));
        JsonNode run = mlflow.okGet("runs/get?run_id=" + runId).get("run");
        assertThat(run.get("inputs").get("dataset_inputs")).hasSize(1);
        assertThat(run.get("inputs").get("dataset_inputs").get(0)).isEqualTo(json(dataset));
        assertThat(run.get("inputs").get("model_inputs").toString()).isEqualTo("[{\"model_id\":\"m-1\"}]");
        assertThat(run.get("outputs").get("model_outputs").toString())
                .isEqualTo("[{\"model_id\":\"m-9bd79f3772854e5485313111ecd0ea43\",\"step\":0}]");
        assertThat(run.get("data").get("tags").findValuesAsText("key")).noneMatch(k -> k.startsWith("labbook.mlflow."));
    }

    @Test
    void bulkIntervalReadsSeveralRunsForTheUi(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String exp = experiment(mlflow);
        String a = createRun(mlflow, exp, "a").get("info").get("run_id").asText();
        String b = createRun(mlflow, exp, "b").get("info").get("run_id").asText();
        for (String run : List.of(a, b)) {
            ObjectNode batch = json("{'run_id': '" + run + "'}");
            ArrayNode metrics = batch.putArray("metrics");
            for (int i = 0; i < 20; i++) {
                metrics.addObject().put("key", "loss").put("value", 1.0 / (i + 1)).put("timestamp", 1000 + i).put("step", i);
            }
            mlflow.okPost("runs/log-batch", batch);
        }
        JsonNode all = mlflow.okGet("metrics/get-history-bulk-interval?run_ids=" + a + "&run_ids=" + b
                + "&metric_key=loss&start_step=5&end_step=9&max_results=100").get("metrics");
        assertThat(all).hasSize(10);
        assertThat(all.get(0).get("run_id").asText()).isEqualTo(a);
        assertThat(all.get(0).get("step").asLong()).isEqualTo(5);
        assertThat(all.get(9).get("run_id").asText()).isEqualTo(b);
        assertThat(all.get(9).get("timestamp").asLong()).isEqualTo(1009);
    }

    @Test
    void aLabbookRunReadsAsAnMlflowRun(TestServer server) {
        MlflowClient mlflow = new MlflowClient(server);
        String exp = experiment(mlflow);
        dev.labbook.api.v1.Run run = server.runs().createRun(dev.labbook.api.v1.CreateRunRequest.newBuilder()
                .setExperimentId(exp).setName("native")
                .addParams(dev.labbook.api.v1.Param.newBuilder().setKey("epochs").setValue(dev.labbook.api.v1.Value.newBuilder().setIntValue(42)))
                .addParams(dev.labbook.api.v1.Param.newBuilder().setKey("lr").setValue(dev.labbook.api.v1.Value.newBuilder().setDoubleValue(0.001)))
                .addParams(dev.labbook.api.v1.Param.newBuilder().setKey("aug").setValue(dev.labbook.api.v1.Value.newBuilder().setBoolValue(true)))
                .putTags("team", "vision").build()).getRun();
        server.metrics().batchLogMetrics(dev.labbook.api.v1.BatchLogMetricsRequest.newBuilder().setBatch(dev.labbook.api.v1.MetricBatch.newBuilder()
                .setRunId(run.getId()).addKeys("loss").addKeyIndex(0).addKeyIndex(0).addStep(0).addStep(7)
                .addTimestampMs(1000).addTimestampMs(2000).addValue(0.5).addValue(0.125)).build());
        JsonNode got = mlflow.okGet("runs/get?run_id=" + run.getId()).get("run");
        assertThat(got.get("info").get("run_name").asText()).isEqualTo("native");
        assertThat(got.get("info").get("status").asText()).isEqualTo("RUNNING");
        assertThat(got.get("data").get("params").toString()).isEqualTo(
                "[{\"key\":\"aug\",\"value\":\"true\"},{\"key\":\"epochs\",\"value\":\"42\"},{\"key\":\"lr\",\"value\":\"0.001\"}]");
        assertThat(got.get("data").get("metrics").toString()).isEqualTo(
                "[{\"key\":\"loss\",\"value\":0.125,\"timestamp\":2000,\"step\":7}]");
        // the name shows as the tag MLflow's own server always has
        assertThat(got.get("data").get("tags").toString()).isEqualTo(
                "[{\"key\":\"mlflow.runName\",\"value\":\"native\"},{\"key\":\"team\",\"value\":\"vision\"}]");
        // MLflow's string filters find typed params by their text
        JsonNode found = mlflow.okPost("runs/search", json("{'experiment_ids': ['" + exp + "'], 'filter': \"params.epochs = '42' AND params.lr = '0.001'\"}"));
        assertThat(found.get("runs").findValuesAsText("run_id")).containsExactly(run.getId());
    }
}
