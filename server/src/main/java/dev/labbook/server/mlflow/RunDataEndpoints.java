package dev.labbook.server.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labbook.api.v1.BatchLogMetricsRequest;
import dev.labbook.api.v1.LogParamsRequest;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.Param;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.SetRunTagsRequest;
import dev.labbook.api.v1.Value;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What MLflow clients log to a run: params (strings, LogParams with {@code refuse_changes}: a
 * changed value is MLflow's INVALID_PARAMETER_VALUE), metrics (BatchLogMetrics, the ingest path
 * of every client), tags (set-tag, delete-tag; {@code mlflow.runName} renames), log-batch with
 * MLflow's limits, dataset inputs and model outputs (kept in hidden run tags, see
 * docs/mlflow.md). Each write renews the run's lease at most once a minute.
 */
final class RunDataEndpoints implements MlflowEndpoints {
    static final int MAX_METRICS_PER_BATCH = 1000;
    static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
    static final int MAX_ENTITIES_PER_BATCH = 1000;
    /** Labbook's limit of a tag value, in UTF-8 bytes. */
    static final int MAX_TAG_VALUE_BYTES = 8 * 1024;

    private final LabbookGateway gateway;
    private final MlflowRunLeases leases;

    RunDataEndpoints(LabbookGateway gateway, MlflowRunLeases leases) {
        this.gateway = gateway;
        this.leases = leases;
    }

    @Override
    public void register(MlflowRoutes routes) {
        routes.post("runs/log-parameter", this::logParameter);
        routes.post("runs/log-metric", this::logMetric);
        routes.postReadingBody("runs/log-batch", this::logBatch); // LogBatchBody
        routes.post("runs/set-tag", this::setTag);
        routes.post("runs/delete-tag", this::deleteTag);
        routes.post("runs/log-inputs", this::logInputs);
        routes.post("runs/outputs", this::logOutputs);
    }

    private ObjectNode logParameter(MlflowRequest request) {
        String runId = RunEndpoints.runId(request);
        String key = request.requiredString("key");
        logParams(request.caller(), runId, Map.of(key, request.field("value").map(JsonNode::asText).orElse("")));
        leases.wrote(request.caller(), runId);
        return MlflowJsonMapper.object();
    }

    private void logParams(MlflowCaller caller, String runId, Map<String, String> params) {
        if (params.isEmpty()) {
            return;
        }
        LogParamsRequest.Builder log = LogParamsRequest.newBuilder().setRunId(runId).setRefuseChanges(true);
        params.forEach((key, value) -> log.addParams(Param.newBuilder().setKey(key)
                .setValue(Value.newBuilder().setStringValue(value))));
        try {
            gateway.runs(caller).logParams(log.build());
        } catch (io.grpc.StatusRuntimeException e) {
            if (MlflowErrors.reason(e).filter("PARAM_VALUE_CHANGED"::equals).isPresent()) {
                // MLflow's words first: its users (and tests) look for them.
                String detail = String.valueOf(e.getStatus().getDescription())
                        .replaceFirst("^params\\[\\d+\\]: changing param values is not allowed: ", "");
                throw MlflowException.invalid("Changing param values is not allowed. " + detail);
            }
            throw e;
        }
    }

    private ObjectNode logMetric(MlflowRequest request) {
        String runId = RunEndpoints.runId(request);
        MetricBatch.Builder batch = MetricBatch.newBuilder().setRunId(runId);
        addMetric(batch, new HashMap<>(), request.fields(), "");
        gateway.metrics(request.caller()).batchLogMetrics(BatchLogMetricsRequest.newBuilder().setBatch(batch).build());
        leases.wrote(request.caller(), runId);
        return MlflowJsonMapper.object();
    }

    /** One MLflow metric (key, value, timestamp, step) into the columnar batch. */
    static void addMetric(MetricBatch.Builder batch, Map<String, Integer> keys, JsonNode metric, String field) {
        JsonNode key = metric.get("key");
        if (key == null || !key.isTextual() || key.asText().isEmpty()) {
            throw MlflowException.missing(field + "key");
        }
        Integer index = keys.get(key.asText());
        if (index == null) {
            index = keys.size();
            keys.put(key.asText(), index);
            batch.addKeys(key.asText());
        }
        batch.addKeyIndex(index);
        batch.addValue(number(metric.get("value"), field + "value"));
        JsonNode timestamp = metric.get("timestamp");
        batch.addTimestampMs(timestamp == null || timestamp.isNull() ? System.currentTimeMillis()
                : MlflowRequest.longOf(timestamp, field + "timestamp"));
        JsonNode step = metric.get("step");
        batch.addStep(step == null || step.isNull() ? 0 : MlflowRequest.longOf(step, field + "step"));
    }

    /** A metric value: a JSON number, or NaN and the infinities as MLflow's client sends them. */
    static double number(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            throw MlflowException.missing(field);
        }
        if (node.isNumber()) {
            return node.asDouble();
        }
        if (node.isTextual()) {
            switch (node.asText()) {
                case "NaN", "nan":
                    return Double.NaN;
                case "Infinity", "inf":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity", "-inf":
                    return Double.NEGATIVE_INFINITY;
                default:
                    try {
                        return Double.parseDouble(node.asText());
                    } catch (NumberFormatException e) {
                        // falls through
                    }
            }
        }
        throw MlflowException.invalid("Invalid value " + node + " for parameter '" + field + "' supplied: expected a number");
    }

    private static void limit(String entity, int limit, int length) {
        if (length > limit) {
            throw MlflowException.invalid("A batch logging request can contain at most " + limit + " " + entity + ". Got "
                    + length + " " + entity + ". Please split up " + entity + " across multiple requests and try again.");
        }
    }

    /**
     * MLflow's log-batch: params, then metrics, then tags. Metrics logged with a model id or a
     * dataset (autologging's) go to the run's series all the same.
     */
    private ObjectNode logBatch(MlflowRequest request) {
        LogBatchBody body = LogBatchBody.of(request);
        MlflowRequest fields = request.withFields(body.fields());
        String runId = RunEndpoints.runId(fields);
        JsonNode metrics = fields.field("metrics").orElse(MlflowApi.JSON.createArrayNode());
        JsonNode params = fields.field("params").orElse(MlflowApi.JSON.createArrayNode());
        JsonNode tags = fields.field("tags").orElse(MlflowApi.JSON.createArrayNode());
        for (var list : List.of(Map.entry("metrics", metrics), Map.entry("params", params), Map.entry("tags", tags))) {
            if (!list.getValue().isArray()) {
                throw MlflowException.invalid("Invalid value for parameter '" + list.getKey() + "': expected a list");
            }
        }
        int metricCount = body.metricCount();
        limit("metrics", MAX_METRICS_PER_BATCH, metricCount);
        limit("params", MAX_PARAMS_TAGS_PER_BATCH, params.size());
        limit("tags", MAX_PARAMS_TAGS_PER_BATCH, tags.size());
        limit("metrics, params, and tags", MAX_ENTITIES_PER_BATCH, metricCount + params.size() + tags.size());

        Map<String, String> paramValues = new LinkedHashMap<>();
        for (JsonNode param : params) {
            JsonNode key = param.get("key");
            if (key == null || key.asText().isEmpty()) {
                throw MlflowException.missing("params.key");
            }
            JsonNode valueNode = param.get("value");
            String value = valueNode == null || valueNode.isNull() ? "" : valueNode.asText();
            String earlier = paramValues.putIfAbsent(key.asText(), value);
            if (earlier != null && !earlier.equals(value)) {
                throw MlflowException.invalid("Duplicate parameter keys have been submitted with different values: '"
                        + key.asText() + "' with '" + earlier + "' and '" + value + "'.");
            }
        }
        Map<String, String> tagValues = MlflowJsonMapper.keyValues(tags, "tags");
        if (body.metricError().isPresent()) {
            throw body.metricError().get(); // before anything of the batch is logged
        }
        MlflowCaller caller = request.caller();
        logParams(caller, runId, paramValues);
        if (metricCount > 0) {
            MetricBatch.Builder batch = body.metrics().setRunId(runId);
            gateway.metrics(caller).batchLogMetrics(BatchLogMetricsRequest.newBuilder().setBatch(batch).build());
        }
        if (!tagValues.isEmpty()) {
            setTags(caller, runId, tagValues);
        }
        leases.wrote(caller, runId);
        return MlflowJsonMapper.object();
    }

    private void setTags(MlflowCaller caller, String runId, Map<String, String> tags) {
        String newName = tags.get(MlflowJsonMapper.RUN_NAME_TAG);
        if (newName != null && !newName.isEmpty()) {
            Run run = RunEndpoints.getRun(gateway, caller, runId);
            if (!newName.equals(MlflowJsonMapper.runName(run))) {
                RunEndpoints.rename(gateway, caller, run, newName);
            }
        }
        gateway.runs(caller).setRunTags(SetRunTagsRequest.newBuilder().setRunId(runId).putAllTags(tags).build());
    }

    private ObjectNode setTag(MlflowRequest request) {
        String runId = RunEndpoints.runId(request);
        String key = request.requiredString("key");
        String value = request.field("value").map(JsonNode::asText).orElse("");
        setTags(request.caller(), runId, Map.of(key, value));
        leases.wrote(request.caller(), runId);
        return MlflowJsonMapper.object();
    }

    private ObjectNode deleteTag(MlflowRequest request) {
        String runId = RunEndpoints.runId(request);
        String key = request.requiredString("key");
        Run run = RunEndpoints.getRun(gateway, request.caller(), runId);
        if (!run.getTagsMap().containsKey(key) || key.startsWith(MlflowJsonMapper.HIDDEN_TAG_PREFIX)) {
            throw new MlflowException(MlflowErrorCode.RESOURCE_DOES_NOT_EXIST,
                    "No tag with name: " + key + " in run with id " + runId);
        }
        gateway.runs(request.caller()).setRunTags(SetRunTagsRequest.newBuilder().setRunId(runId).addRemoveKeys(key).build());
        leases.wrote(request.caller(), runId);
        return MlflowJsonMapper.object();
    }

    /**
     * MLflow's dataset inputs, each kept as the hidden run tag {@code labbook.mlflow.input.<12 hex>}
     * (a digest of its name, digest and context, so logging it again replaces it) holding the
     * input's JSON, returned in the run's {@code inputs}. A Labbook tag holds 8 KiB: a larger
     * input is kept without its {@code profile}, then without its {@code schema}.
     */
    private ObjectNode logInputs(MlflowRequest request) {
        String runId = RunEndpoints.runId(request);
        JsonNode datasets = request.field("datasets").orElse(MlflowApi.JSON.createArrayNode());
        if (!datasets.isArray()) {
            throw MlflowException.invalid("Invalid value for parameter 'datasets': expected a list");
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (JsonNode input : datasets) {
            JsonNode dataset = input.get("dataset");
            if (dataset == null || !dataset.isObject()) {
                throw MlflowException.missing("datasets.dataset");
            }
            ObjectNode kept = ((ObjectNode) input).deepCopy();
            String context = "";
            for (JsonNode tag : input.path("tags")) {
                if ("mlflow.data.context".equals(tag.path("key").asText())) {
                    context = tag.path("value").asText();
                }
            }
            String identity = dataset.path("name").asText() + "\0" + dataset.path("digest").asText() + "\0" + context;
            String json = json(kept);
            for (String optional : List.of("profile", "schema")) {
                if (json.getBytes(StandardCharsets.UTF_8).length > MAX_TAG_VALUE_BYTES) {
                    ((ObjectNode) kept.get("dataset")).remove(optional);
                    json = json(kept);
                }
            }
            if (json.getBytes(StandardCharsets.UTF_8).length > MAX_TAG_VALUE_BYTES) {
                throw MlflowException.invalid("Dataset input '" + dataset.path("name").asText()
                        + "' is too large for Labbook's MLflow API: more than 8 KiB without its profile and schema");
            }
            tags.put(MlflowJsonMapper.INPUT_TAG_PREFIX + sha256(identity).substring(0, 12), json);
        }
        JsonNode models = request.field("models").orElse(MlflowApi.JSON.createArrayNode());
        if (!models.isArray()) {
            throw MlflowException.invalid("Invalid value for parameter 'models': expected a list");
        }
        if (!models.isEmpty()) {
            Run run = RunEndpoints.getRun(gateway, request.caller(), runId);
            tags.put(MlflowJsonMapper.MODEL_INPUTS_TAG, mergedModels(run, MlflowJsonMapper.MODEL_INPUTS_TAG, models, false));
        }
        if (!tags.isEmpty()) {
            gateway.runs(request.caller()).setRunTags(SetRunTagsRequest.newBuilder().setRunId(runId).putAllTags(tags).build());
            leases.wrote(request.caller(), runId);
        }
        return MlflowJsonMapper.object();
    }

    /** The run's models in a hidden tag (by model id) with these added, as the tag's JSON. */
    private static String mergedModels(Run run, String tag, JsonNode models, boolean withStep) {
        JsonNode existing = MlflowJsonMapper.parse(run.getTagsMap().getOrDefault(tag, ""));
        Map<String, JsonNode> byModel = new LinkedHashMap<>();
        if (existing != null && existing.isArray()) {
            existing.forEach(model -> byModel.put(model.path("model_id").asText(), model));
        }
        for (JsonNode model : models) {
            String modelId = model.path("model_id").asText();
            if (modelId.isEmpty()) {
                throw MlflowException.missing("models.model_id");
            }
            ObjectNode kept = MlflowJsonMapper.object();
            kept.put("model_id", modelId);
            if (withStep) {
                kept.put("step", model.path("step").asLong(0));
            }
            byModel.put(modelId, kept);
        }
        ArrayNode all = MlflowApi.JSON.createArrayNode();
        byModel.values().forEach(all::add);
        String json = json(all);
        if (json.getBytes(StandardCharsets.UTF_8).length > MAX_TAG_VALUE_BYTES) {
            throw MlflowException.invalid("Too many models for one run in Labbook's MLflow API (their ids exceed 8 KiB)");
        }
        return json;
    }

    /**
     * MLflow 3's run outputs (logged models with a step), like its model inputs: kept in the hidden run tag
     * {@code labbook.mlflow.outputs}, returned in the run's {@code outputs}.
     */
    private ObjectNode logOutputs(MlflowRequest request) {
        String runId = RunEndpoints.runId(request);
        JsonNode models = request.field("models").orElse(MlflowApi.JSON.createArrayNode());
        if (!models.isArray()) {
            throw MlflowException.invalid("Invalid value for parameter 'models': expected a list");
        }
        if (models.isEmpty()) {
            return MlflowJsonMapper.object();
        }
        Run run = RunEndpoints.getRun(gateway, request.caller(), runId);
        String json = mergedModels(run, MlflowJsonMapper.OUTPUTS_TAG, models, true);
        gateway.runs(request.caller()).setRunTags(SetRunTagsRequest.newBuilder().setRunId(runId)
                .putTags(MlflowJsonMapper.OUTPUTS_TAG, json).build());
        leases.wrote(request.caller(), runId);
        return MlflowJsonMapper.object();
    }

    private static String json(JsonNode node) {
        try {
            return MlflowApi.JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
