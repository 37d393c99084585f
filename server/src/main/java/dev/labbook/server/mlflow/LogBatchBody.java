package dev.labbook.server.mlflow;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labbook.api.v1.MetricBatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A log-batch request read in one pass: its {@code metrics} (MLflow's ingest unit, up to 1,000
 * objects a call) go straight into a columnar {@link MetricBatch}; every other field (run_id,
 * params, tags) is kept as a tree for the usual checks. A tree of the 1,000 metric objects was
 * most of what a log-batch request cost the server (about 1.3 MB of garbage a call).
 *
 * <p>The checks are those of {@link RunDataEndpoints#addMetric} (which reads log-metric's single
 * metric), with the same messages: a metric value that is not a plain number, or an integer that
 * is not a plain one, is read as a tree node and converted (or refused) by the same code. A bad
 * metric does not fail the read: it is kept in {@link #metricError()}, so that log-batch can
 * first check what MLflow checks first (list shapes and sizes, params), and so that nothing of the
 * batch is logged when any part of it is bad.
 *
 * @param fields the body's fields but {@code metrics} (when that is a list)
 * @param metrics the metrics read, without run id; only the first {@link #MAX_METRICS} are kept
 * @param metricCount how many metric objects the list had
 * @param metricError the first bad metric's error, if any
 */
record LogBatchBody(ObjectNode fields, MetricBatch.Builder metrics, int metricCount,
        Optional<MlflowException> metricError) {
    static final int MAX_METRICS = RunDataEndpoints.MAX_METRICS_PER_BATCH;
    private static final String FIELD = "metrics.";

    /** The request's body, or (without one) its query parameters, read as a log-batch request. */
    static LogBatchBody of(MlflowRequest request) {
        try (JsonParser parser = request.jsonBody().isPresent()
                ? MlflowApi.JSON.createParser(request.jsonBody().get())
                : MlflowApi.JSON.treeAsTokens(request.queryFields())) {
            return read(parser);
        } catch (JsonProcessingException e) {
            throw MlflowRequest.notJson(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LogBatchBody read(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            throw MlflowRequest.notAnObject();
        }
        ObjectNode fields = MlflowApi.JSON.createObjectNode();
        MetricBatch.Builder metrics = MetricBatch.newBuilder();
        int count = 0;
        MlflowException error = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!"metrics".equals(name) || value != JsonToken.START_ARRAY) {
                // Anything else, and a metrics value that is no list (refused by log-batch's checks).
                fields.set(name, value == JsonToken.VALUE_NULL ? null : MlflowApi.JSON.readTree(parser));
                if ("metrics".equals(name)) {
                    metrics.clear();
                    count = 0;
                    error = null;
                }
                continue;
            }
            fields.remove(name);
            metrics.clear();
            count = 0;
            error = null;
            Map<String, Integer> keys = new HashMap<>();
            for (JsonToken element = parser.nextToken(); element != JsonToken.END_ARRAY && element != null;
                    element = parser.nextToken()) {
                count++;
                if (count > MAX_METRICS || error != null) {
                    parser.skipChildren(); // counted for the limit's message; the batch is refused
                    continue;
                }
                try {
                    readMetric(parser, metrics, keys); // reads the element whole, also when it is bad
                } catch (MlflowException e) {
                    error = e;
                }
            }
        }
        return new LogBatchBody(fields, metrics, count, Optional.ofNullable(error));
    }

    /**
     * One metric object (the parser at its first token) into the batch. The object is read to
     * its end whatever it holds; its problems are then reported in log-metric's order: key,
     * value, timestamp, step.
     */
    private static void readMetric(JsonParser parser, MetricBatch.Builder batch, Map<String, Integer> keys)
            throws IOException {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            RunDataEndpoints.addMetric(batch, keys, MlflowApi.JSON.readTree(parser), FIELD); // refuses it
            return;
        }
        String key = null;
        double value = 0;
        boolean hasValue = false;
        long timestamp = 0;
        boolean hasTimestamp = false;
        long step = 0;
        MlflowException[] bad = new MlflowException[3]; // value, timestamp, step
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            try {
                switch (name) {
                    case "key" -> key = token == JsonToken.VALUE_STRING ? parser.getText() : skip(parser);
                    case "value" -> {
                        hasValue = token != JsonToken.VALUE_NULL;
                        value = token == JsonToken.VALUE_NUMBER_FLOAT || token == JsonToken.VALUE_NUMBER_INT
                                ? parser.getDoubleValue()
                                : hasValue ? RunDataEndpoints.number(MlflowApi.JSON.readTree(parser), FIELD + "value") : 0;
                        bad[0] = null;
                    }
                    case "timestamp" -> {
                        hasTimestamp = token != JsonToken.VALUE_NULL;
                        timestamp = hasTimestamp ? integer(parser, token, FIELD + "timestamp") : 0;
                        bad[1] = null;
                    }
                    case "step" -> {
                        step = token == JsonToken.VALUE_NULL ? 0 : integer(parser, token, FIELD + "step");
                        bad[2] = null;
                    }
                    default -> parser.skipChildren();
                }
            } catch (MlflowException e) {
                // The value was read whole (as a tree) before it was refused: on with the object.
                bad[name.equals("value") ? 0 : name.equals("timestamp") ? 1 : 2] = e;
            }
        }
        if (key == null || key.isEmpty()) {
            throw MlflowException.missing(FIELD + "key");
        }
        if (!hasValue && bad[0] == null) {
            throw MlflowException.missing(FIELD + "value");
        }
        for (MlflowException e : bad) {
            if (e != null) {
                throw e;
            }
        }
        Integer index = keys.get(key);
        if (index == null) {
            index = keys.size();
            keys.put(key, index);
            batch.addKeys(key);
        }
        batch.addKeyIndex(index);
        batch.addValue(value);
        batch.addTimestampMs(hasTimestamp ? timestamp : System.currentTimeMillis());
        batch.addStep(step);
    }

    /** Past a value that is not what the field takes (a key that is no string). */
    private static String skip(JsonParser parser) throws IOException {
        parser.skipChildren();
        return null;
    }

    /** An integer field: a plain JSON integer at once, anything else (digit strings...) as log-metric reads it. */
    private static long integer(JsonParser parser, JsonToken token, String field) throws IOException {
        if (token == JsonToken.VALUE_NUMBER_INT && (parser.getNumberType() == JsonParser.NumberType.INT
                || parser.getNumberType() == JsonParser.NumberType.LONG)) {
            return parser.getLongValue();
        }
        JsonNode node = MlflowApi.JSON.readTree(parser);
        return MlflowRequest.longOf(node, field);
    }
}
