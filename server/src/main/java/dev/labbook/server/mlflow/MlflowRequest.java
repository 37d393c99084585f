package dev.labbook.server.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One MLflow API request: its fields (the JSON body of a POST or PATCH, the query parameters of a
 * GET or DELETE, as MLflow's client sends them) and the path parameters of its route. The body
 * is parsed into fields before the handler runs, except for a route whose handler reads it in
 * one pass ({@link MlflowRoutes#postReadingBody}: log-batch, {@link LogBatchBody}).
 */
public final class MlflowRequest {
    private final MlflowCaller caller;
    private final ObjectNode queryFields;
    private final byte[] jsonBody;
    private final Map<String, String> pathParams;
    private final String endpoint;
    private ObjectNode fields;

    /**
     * @param queryFields the query parameters (a repeated one as an array)
     * @param jsonBody the body of a POST, PATCH or PUT (or of any request that has one) when it
     *     is not blank; null otherwise. Its fields win over query parameters of the same name.
     */
    MlflowRequest(MlflowCaller caller, ObjectNode queryFields, byte[] jsonBody, Map<String, String> pathParams,
            String endpoint) {
        this.caller = caller;
        this.queryFields = queryFields;
        this.jsonBody = jsonBody;
        this.pathParams = pathParams;
        this.endpoint = endpoint;
    }

    /** The same request with these fields (e.g. those of a body read in one pass). */
    MlflowRequest withFields(ObjectNode fields) {
        MlflowRequest request = new MlflowRequest(caller, queryFields, null, pathParams, endpoint);
        request.fields = fields;
        return request;
    }

    /** The JSON body as sent, if the request has one. */
    Optional<byte[]> jsonBody() {
        return Optional.ofNullable(jsonBody);
    }

    /** The query parameters (repeated ones as arrays), without the body's fields. */
    ObjectNode queryFields() {
        return queryFields;
    }

    public MlflowCaller caller() {
        return caller;
    }

    /** The route, e.g. {@code POST runs/create}, for messages. */
    public String endpoint() {
        return endpoint;
    }

    /** All fields, for handlers that read nested objects (e.g. create's tags). */
    public ObjectNode fields() {
        if (fields == null) {
            fields = queryFields.deepCopy();
            if (jsonBody != null) {
                fields.setAll(bodyObject(jsonBody));
            }
        }
        return fields;
    }

    private static ObjectNode bodyObject(byte[] body) {
        JsonNode parsed;
        try {
            parsed = MlflowApi.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw notJson(e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!(parsed instanceof ObjectNode object)) {
            throw notAnObject();
        }
        return object;
    }

    static MlflowException notJson(JsonProcessingException e) {
        return MlflowException.invalid("the request body is not JSON: " + e.getOriginalMessage());
    }

    static MlflowException notAnObject() {
        return MlflowException.invalid("the request body must be a JSON object");
    }

    /** A path parameter of the route, e.g. {@code model_id} of {@code logged-models/{model_id}}. */
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw MlflowException.missing(name);
        }
        return value;
    }

    public Optional<JsonNode> field(String name) {
        JsonNode node = fields().get(name);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    /** A string field; an empty string counts as absent, as in MLflow's proto2 messages. */
    public Optional<String> string(String name) {
        return field(name).map(node -> {
            if (!node.isValueNode()) {
                throw MlflowException.invalid("Invalid value for parameter '" + name + "': expected a string");
            }
            return node.asText();
        }).filter(s -> !s.isEmpty());
    }

    public String requiredString(String name) {
        return string(name).orElseThrow(() -> MlflowException.missing(name));
    }

    /** The first of several names that is set (MLflow sends {@code run_id} and the older {@code run_uuid}). */
    public String requiredString(String name, String alias) {
        return string(name).or(() -> string(alias)).orElseThrow(() -> MlflowException.missing(name));
    }

    public Optional<Long> longValue(String name) {
        return field(name).map(node -> longOf(node, name));
    }

    /** An integer as MLflow's client sends one: a JSON number, or a string of digits (int64 in proto JSON). */
    static long longOf(JsonNode node, String field) {
        if (node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(node.asText().strip());
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        throw MlflowException.invalid("Invalid value " + node + " for parameter '" + field + "': expected an integer");
    }

    public Optional<Boolean> booleanValue(String name) {
        return field(name).map(node -> {
            if (node.isBoolean()) {
                return node.asBoolean();
            }
            if (node.isTextual() && (node.asText().equalsIgnoreCase("true") || node.asText().equalsIgnoreCase("false"))) {
                return Boolean.parseBoolean(node.asText());
            }
            throw MlflowException.invalid("Invalid value " + node + " for parameter '" + name + "': expected true or false");
        });
    }

    /** A list of strings: a JSON array, or a query parameter given once or several times. */
    public List<String> strings(String name) {
        Optional<JsonNode> node = field(name);
        List<String> values = new ArrayList<>();
        if (node.isEmpty()) {
            return values;
        }
        if (node.get().isArray()) {
            node.get().forEach(item -> values.add(item.asText()));
        } else {
            values.add(node.get().asText());
        }
        return values;
    }
}
