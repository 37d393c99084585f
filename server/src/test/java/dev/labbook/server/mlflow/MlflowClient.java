package dev.labbook.server.mlflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labbook.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;

/** The MLflow REST API of a test server as MLflow's client calls it (JSON over HTTP/1.1). */
final class MlflowClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String base;
    private final Optional<String> authorization;

    MlflowClient(TestServer server) {
        this(server.httpUrl() + "/api/2.0/mlflow/", Optional.empty());
    }

    private MlflowClient(String base, Optional<String> authorization) {
        this.base = base;
        this.authorization = authorization;
    }

    /** The same client sending this {@code Authorization} header. */
    MlflowClient as(String authorizationHeader) {
        return new MlflowClient(base, Optional.of(authorizationHeader));
    }

    record Answer(int status, JsonNode body) {
        String errorCode() {
            return body.path("error_code").asText();
        }

        String message() {
            return body.path("message").asText();
        }
    }

    private static final ObjectMapper LENIENT = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_SINGLE_QUOTES).build();

    /** JSON written with single quotes where convenient: {@code {'key': 'v', 'f': "a = 'b'"}}. */
    static ObjectNode json(String text) {
        try {
            return (ObjectNode) LENIENT.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    Answer post(String endpoint, JsonNode body) {
        return send("POST", endpoint, body.toString());
    }

    Answer patch(String endpoint, JsonNode body) {
        return send("PATCH", endpoint, body.toString());
    }

    Answer get(String endpointWithQuery) {
        return send("GET", endpointWithQuery, null);
    }

    Answer delete(String endpoint) {
        return send("DELETE", endpoint, null);
    }

    Answer send(String method, String endpoint, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + endpoint))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("content-type", "application/json");
        }
        authorization.ifPresent(value -> request.header("authorization", value));
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** 200 or an AssertionError with the answer. */
    JsonNode ok(Answer answer) {
        if (answer.status() != 200) {
            throw new AssertionError("expected 200, got " + answer.status() + ": " + answer.body());
        }
        return answer.body();
    }

    JsonNode okPost(String endpoint, JsonNode body) {
        return ok(post(endpoint, body));
    }

    JsonNode okGet(String endpoint) {
        return ok(get(endpoint));
    }
}
