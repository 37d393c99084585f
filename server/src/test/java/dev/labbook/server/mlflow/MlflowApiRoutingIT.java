package dev.labbook.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The MLflow API's routes on the HTTP port: its prefixes, MLflow's error body, and the UI left alone. */
@ExtendWith(LabbookServerExtension.class)
class MlflowApiRoutingIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static HttpResponse<String> send(TestServer server, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.httpUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("content-type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void serverInfoAnswersUnderEveryPrefixAndBelowAProject(TestServer server) throws Exception {
        for (String path : new String[] {"/api/3.0/mlflow/server-info", "/ajax-api/3.0/mlflow/server-info",
                "/projects/vision/api/3.0/mlflow/server-info"}) {
            HttpResponse<String> response = send(server, "GET", path, null);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            assertThat(JSON.readTree(response.body()).get("multipart_uploads_enabled")).isNotNull();
        }
    }

    @Test
    void anEndpointItDoesNotHaveIsEndpointNotFoundNeverASilentSuccess(TestServer server) throws Exception {
        HttpResponse<String> response = send(server, "POST", "/api/2.0/mlflow/registered-models/create", "{\"name\": \"m\"}");
        assertThat(response.statusCode()).isEqualTo(501);
        JsonNode error = JSON.readTree(response.body());
        assertThat(error.get("error_code").asText()).isEqualTo("ENDPOINT_NOT_FOUND");
        assertThat(error.get("message").asText()).contains("registered-models/create", "docs/mlflow.md");
    }

    @Test
    void aBodyThatIsNotJsonIsInvalidParameterValue(TestServer server) throws Exception {
        HttpResponse<String> response = send(server, "GET", "/api/3.0/mlflow/server-info", "not json");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("error_code").asText()).isEqualTo("INVALID_PARAMETER_VALUE");
        // log-batch reads its body itself (in one pass), with the same answer
        HttpResponse<String> batch = send(server, "POST", "/api/2.0/mlflow/runs/log-batch", "{\"metrics\": [");
        assertThat(batch.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(batch.body()).get("message").asText()).startsWith("the request body is not JSON: ");
    }

    @Test
    void theWebUiKeepsItsOtherPaths(TestServer server) throws Exception {
        HttpResponse<String> page = send(server, "GET", "/projects/vision/experiments", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<div id=\"app\">");
    }
}
