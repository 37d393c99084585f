package dev.labbook.server.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labbook.api.v1.Experiment;
import dev.labbook.api.v1.MetricSummary;
import dev.labbook.api.v1.Model;
import dev.labbook.api.v1.ModelStatus;
import dev.labbook.api.v1.Param;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * labbook.v1 messages as MLflow's JSON (the shapes the real MLflow server answers, see
 * docs/mlflow.md): experiments, run info and data, logged models. Pure functions.
 */
public final class MlflowJsonMapper {
    /** Tags the adapter keeps for itself (dataset inputs, model outputs): not shown as MLflow tags. */
    static final String HIDDEN_TAG_PREFIX = "labbook.mlflow.";
    static final String INPUT_TAG_PREFIX = HIDDEN_TAG_PREFIX + "input.";
    static final String OUTPUTS_TAG = HIDDEN_TAG_PREFIX + "outputs";
    static final String MODEL_INPUTS_TAG = HIDDEN_TAG_PREFIX + "model_inputs";
    static final String RUN_NAME_TAG = "mlflow.runName";
    static final String USER_TAG = "mlflow.user";
    static final String PARENT_TAG = "mlflow.parentRunId";

    private MlflowJsonMapper() {
    }

    static ObjectNode object() {
        return MlflowApi.JSON.createObjectNode();
    }

    public static String artifactLocation(String experimentId) {
        return "mlflow-artifacts:/" + experimentId;
    }

    public static String runArtifactUri(String experimentId, String runId) {
        return "mlflow-artifacts:/" + experimentId + "/" + runId + "/artifacts";
    }

    public static String modelArtifactUri(Model model) {
        return runArtifactUri(model.getExperimentId(), model.getRunId()) + "/models/" + model.getId();
    }

    public static ObjectNode experiment(Experiment e) {
        ObjectNode node = object();
        node.put("experiment_id", e.getId());
        node.put("name", e.getName());
        node.put("artifact_location", artifactLocation(e.getId()));
        node.put("lifecycle_stage", e.getDeleted() ? "deleted" : "active");
        node.put("last_update_time", e.getUpdateTimeMs());
        node.put("creation_time", e.getCreateTimeMs());
        if (e.getTagsCount() > 0) {
            node.set("tags", tags(new TreeMap<>(e.getTagsMap())));
        }
        return node;
    }

    /** MLflow's {@code [{"key": k, "value": v}, ...]}. */
    public static ArrayNode tags(Map<String, String> tags) {
        ArrayNode array = MlflowApi.JSON.createArrayNode();
        tags.forEach((k, v) -> array.addObject().put("key", k).put("value", v));
        return array;
    }

    /** The run's tags as MLflow sees them: without the adapter's own. */
    static Map<String, String> visibleTags(Map<String, String> tags) {
        Map<String, String> visible = new TreeMap<>();
        tags.forEach((k, v) -> {
            if (!k.startsWith(HIDDEN_TAG_PREFIX)) {
                visible.put(k, v);
            }
        });
        return visible;
    }

    public static String status(RunStatus status) {
        return switch (status) {
            // CRASHED: no writer renewed the lease, but nothing says the run ended (docs/mlflow.md).
            case RUN_STATUS_RUNNING, RUN_STATUS_CRASHED -> "RUNNING";
            case RUN_STATUS_QUEUED -> "SCHEDULED";
            case RUN_STATUS_COMPLETED -> "FINISHED";
            case RUN_STATUS_FAILED -> "FAILED";
            case RUN_STATUS_CANCELED -> "KILLED";
            default -> "RUNNING";
        };
    }

    /** Labbook's status name (as the filter language spells it) for an MLflow status. */
    public static String labbookStatus(String mlflowStatus) {
        return switch (mlflowStatus.toUpperCase(java.util.Locale.ROOT)) {
            case "RUNNING" -> "RUNNING";
            case "SCHEDULED" -> "QUEUED";
            case "FINISHED" -> "COMPLETED";
            case "FAILED" -> "FAILED";
            case "KILLED" -> "CANCELED";
            default -> throw MlflowException.invalid("Invalid run status '" + mlflowStatus
                    + "': expected one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED");
        };
    }

    public static String runName(Run run) {
        String tag = run.getTagsMap().get(RUN_NAME_TAG);
        return tag == null || tag.isEmpty() ? run.getName() : tag;
    }

    public static ObjectNode runInfo(Run run) {
        ObjectNode info = object();
        info.put("run_uuid", run.getId());
        info.put("experiment_id", run.getExperimentId());
        info.put("run_name", runName(run));
        String user = run.getTagsMap().getOrDefault(USER_TAG, run.getCreator());
        if (!user.isEmpty()) {
            info.put("user_id", user);
        }
        info.put("status", status(run.getStatus()));
        info.put("start_time", run.getStartTimeMs() != 0 ? run.getStartTimeMs() : run.getCreateTimeMs());
        if (run.getEndTimeMs() != 0) {
            info.put("end_time", run.getEndTimeMs());
        }
        info.put("artifact_uri", runArtifactUri(run.getExperimentId(), run.getId()));
        info.put("lifecycle_stage", run.getDeleted() ? "deleted" : "active");
        info.put("run_id", run.getId());
        return info;
    }

    /** The canonical text of a typed param, as MLflow's string params show it. */
    public static String paramText(Value value) {
        return switch (value.getKindCase()) {
            case STRING_VALUE -> value.getStringValue();
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            default -> "";
        };
    }

    public static ObjectNode metric(String key, double value, long timestampMs, long step) {
        ObjectNode node = object();
        node.put("key", key);
        node.put("value", value);
        node.put("timestamp", timestampMs);
        node.put("step", step);
        return node;
    }

    /**
     * A whole MLflow run: info, data (latest metric per key, params as text, visible tags),
     * inputs (datasets the adapter kept in hidden tags) and outputs (logged models).
     */
    public static ObjectNode run(Run run, List<MetricSummary> metrics) {
        ObjectNode node = object();
        node.set("info", runInfo(run));
        ObjectNode data = node.putObject("data");
        if (!metrics.isEmpty()) {
            ArrayNode array = data.putArray("metrics");
            for (MetricSummary m : metrics) {
                array.add(metric(m.getKey(), m.getLastValue(), m.getLastTimestampMs(), m.getLastStep()));
            }
        }
        if (run.getParamsCount() > 0) {
            ArrayNode array = data.putArray("params");
            for (Param p : run.getParamsList()) {
                array.addObject().put("key", p.getKey()).put("value", paramText(p.getValue()));
            }
        }
        Map<String, String> visible = visibleTags(run.getTagsMap());
        // MLflow's server always stores the run name as this tag (it names an unnamed run) and
        // clients read it there: a run created without one, or by another client, shows its name.
        visible.putIfAbsent(RUN_NAME_TAG, runName(run));
        data.set("tags", tags(visible));
        ObjectNode inputs = node.putObject("inputs");
        ArrayNode datasets = null;
        for (Map.Entry<String, String> tag : new TreeMap<>(run.getTagsMap()).entrySet()) {
            if (tag.getKey().startsWith(INPUT_TAG_PREFIX)) {
                JsonNode input = parse(tag.getValue());
                if (input != null) {
                    if (datasets == null) {
                        datasets = inputs.putArray("dataset_inputs");
                    }
                    datasets.add(input);
                }
            }
        }
        JsonNode modelInputs = parse(run.getTagsMap().getOrDefault(MODEL_INPUTS_TAG, ""));
        if (modelInputs != null && modelInputs.isArray() && !modelInputs.isEmpty()) {
            inputs.set("model_inputs", modelInputs);
        }
        ObjectNode outputs = node.putObject("outputs");
        JsonNode models = parse(run.getTagsMap().getOrDefault(OUTPUTS_TAG, ""));
        if (models != null && models.isArray() && !models.isEmpty()) {
            outputs.set("model_outputs", models);
        }
        return node;
    }

    static JsonNode parse(String json) {
        if (json.isEmpty()) {
            return null;
        }
        try {
            return MlflowApi.JSON.readTree(json);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** MLflow's {@code [{"key":..,"value":..}]} list as an ordered map (later keys win). */
    public static Map<String, String> keyValues(JsonNode array, String field) {
        Map<String, String> map = new LinkedHashMap<>();
        if (array == null || array.isNull()) {
            return map;
        }
        if (!array.isArray()) {
            throw MlflowException.invalid("Invalid value for parameter '" + field + "': expected a list of key/value pairs");
        }
        for (JsonNode item : array) {
            JsonNode key = item.get("key");
            if (key == null || !key.isTextual() || key.asText().isEmpty()) {
                throw MlflowException.invalid("Missing value for required parameter '" + field + ".key'.");
            }
            JsonNode value = item.get("value");
            map.put(key.asText(), value == null || value.isNull() ? "" : value.asText());
        }
        return map;
    }

    public static String modelStatus(ModelStatus status) {
        return switch (status) {
            case MODEL_STATUS_READY -> "LOGGED_MODEL_READY";
            case MODEL_STATUS_FAILED -> "LOGGED_MODEL_UPLOAD_FAILED";
            case MODEL_STATUS_PENDING -> "LOGGED_MODEL_PENDING";
            default -> "LOGGED_MODEL_STATUS_UNSPECIFIED";
        };
    }

    public static ModelStatus modelStatus(String status) {
        return switch (status) {
            case "LOGGED_MODEL_READY" -> ModelStatus.MODEL_STATUS_READY;
            case "LOGGED_MODEL_UPLOAD_FAILED", "LOGGED_MODEL_FAILED" -> ModelStatus.MODEL_STATUS_FAILED;
            case "LOGGED_MODEL_PENDING" -> ModelStatus.MODEL_STATUS_PENDING;
            default -> throw MlflowException.invalid("Invalid logged model status '" + status
                    + "': expected LOGGED_MODEL_PENDING, LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED");
        };
    }

    public static ObjectNode model(Model model) {
        ObjectNode node = object();
        ObjectNode info = node.putObject("info");
        info.put("model_id", model.getId());
        info.put("experiment_id", model.getExperimentId());
        info.put("name", model.getName());
        info.put("creation_timestamp_ms", model.getCreateTimeMs());
        info.put("last_updated_timestamp_ms", model.getUpdateTimeMs());
        info.put("artifact_uri", modelArtifactUri(model));
        info.put("status", modelStatus(model.getStatus()));
        if (!model.getStatusMessage().isEmpty()) {
            info.put("status_message", model.getStatusMessage());
        }
        info.put("model_type", model.getModelType());
        info.put("source_run_id", model.getRunId());
        if (model.getTagsCount() > 0) {
            info.set("tags", tags(new TreeMap<>(model.getTagsMap())));
        }
        ObjectNode data = node.putObject("data");
        if (model.getParamsCount() > 0) {
            data.set("params", tags(new TreeMap<>(model.getParamsMap())));
        }
        return node;
    }
}
