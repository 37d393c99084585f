package dev.labbook.server.mlflow;

import static dev.labbook.server.mlflow.MlflowArtifactsIT.HTTP;
import static dev.labbook.server.mlflow.MlflowArtifactsIT.ROOT;
import static dev.labbook.server.mlflow.MlflowArtifactsIT.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The artifact API with access control on: MLFLOW_TRACKING_TOKEN (bearer) or basic auth's password is the Labbook token. */
@ExtendWith(AuthServerExtension.class)
class MlflowArtifactsAuthIT {
    private static HttpResponse<byte[]> call(String method, String url, String authorization, byte[] body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void theCallersTokenIsForwardedAndNoneIsUnauthenticated(TestServer server) throws Exception {
        String admin = AuthServerExtension.BOOTSTRAP_TOKEN;
        String exp = TestTokens.as(server.experiments(), admin).createExperiment(CreateExperimentRequest.newBuilder()
                .setProject("vision").setName("mlflow-auth").build()).getExperiment().getId();
        String run = TestTokens.as(server.runs(), admin).createRun(CreateRunRequest.newBuilder().setExperimentId(exp)
                .build()).getRun().getId();
        String url = server.httpUrl() + ROOT + "/" + exp + "/" + run + "/artifacts/a.txt";
        String editor = TestTokens.create(server, "vision", Role.EDITOR);
        String viewer = TestTokens.create(server, "vision", Role.VIEWER);
        String stranger = TestTokens.create(server, "nlp", Role.EDITOR);
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);

        assertError(call("PUT", url, null, hello), 401, "UNAUTHENTICATED");
        assertError(call("GET", server.httpUrl() + ROOT + "?path=" + exp + "/" + run + "/artifacts", null, null),
                401, "UNAUTHENTICATED");
        assertError(call("PUT", url, "Bearer lbk_NotAToken", hello), 401, "UNAUTHENTICATED");
        assertError(call("PUT", url, "Bearer " + viewer, hello), 403, "PERMISSION_DENIED");
        assertError(call("PUT", url, "Bearer " + stranger, hello), 403, "PERMISSION_DENIED");

        assertThat(call("PUT", url, "Bearer " + editor, hello).statusCode()).isEqualTo(200);
        String basic = "Basic " + Base64.getEncoder().encodeToString(("me:" + viewer).getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> read = call("GET", url, basic, null);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo(hello);
        assertError(call("GET", url, null, null), 401, "UNAUTHENTICATED");
        assertError(call("DELETE", url, "Bearer " + viewer, null), 403, "PERMISSION_DENIED");
        assertThat(call("DELETE", url, "Bearer " + editor, null).statusCode()).isEqualTo(200);
    }
}
