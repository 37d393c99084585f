package dev.labbook.server.mlflow;

import static dev.labbook.server.mlflow.MlflowArtifactsIT.HTTP;
import static dev.labbook.server.mlflow.MlflowArtifactsIT.JSON;
import static dev.labbook.server.mlflow.MlflowArtifactsIT.assertError;
import static dev.labbook.server.mlflow.MlflowArtifactsIT.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labbook.api.v1.Artifact;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.ListArtifactsRequest;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MLflow's proxied multipart upload over real HTTP: create, parts in any order, complete or abort. */
@ExtendWith(LabbookServerExtension.class)
class MlflowMultipartUploadIT {
    static final String MPU = "/api/2.0/mlflow-artifacts/mpu/";

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static HttpResponse<byte[]> post(String url, JsonNode body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (authorization != null) {
            request.header("authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** A part PUT as the MLflow client sends it: the credential's URL with the credential's headers only. */
    static HttpResponse<byte[]> putPart(JsonNode credential, byte[] bytes) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(credential.get("url").asText()))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes));
        credential.get("headers").fields().forEachRemaining(header -> request.header(header.getKey(),
                header.getValue().asText()));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static ObjectNode create(String name, int parts) {
        ObjectNode body = JSON.createObjectNode();
        body.put("path", name);
        body.put("num_parts", parts);
        return body;
    }

    static ObjectNode complete(String name, String uploadId, List<String> etags, List<String> urls) {
        ObjectNode body = JSON.createObjectNode();
        body.put("path", name);
        body.put("upload_id", uploadId);
        ArrayNode parts = body.putArray("parts");
        for (int i = 0; i < etags.size(); i++) {
            ObjectNode part = parts.addObject();
            part.put("part_number", i + 1);
            part.put("etag", etags.get(i));
            part.put("url", urls.get(i));
        }
        return body;
    }

    private static String[] newRun(TestServer server) {
        String exp = server.experiments().createExperiment(CreateExperimentRequest.newBuilder()
                .setName("mlflow-mpu-" + UUID.randomUUID()).build()).getExperiment().getId();
        String run = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).build()).getRun().getId();
        return new String[] {exp, run};
    }

    private static List<Artifact> stored(TestServer server, String run) {
        return server.artifacts().listArtifacts(ListArtifactsRequest.newBuilder().setRunId(run).build()).getArtifactsList();
    }

    private static byte[][] split(byte[] bytes, int parts) {
        byte[][] pieces = new byte[parts][];
        int size = (bytes.length + parts - 1) / parts;
        for (int i = 0; i < parts; i++) {
            pieces[i] = Arrays.copyOfRange(bytes, Math.min(bytes.length, i * size), Math.min(bytes.length, (i + 1) * size));
        }
        return pieces;
    }

    @Test
    void partsPutOutOfOrderCompleteIntoOneFileAndTheStagingPartsGo(TestServer server) throws Exception {
        String[] ids = newRun(server);
        byte[] bytes = new byte[3 * 1024 * 1024 + 4321];
        new Random(16).nextBytes(bytes);
        byte[][] pieces = split(bytes, 3);
        String dir = ids[0] + "/" + ids[1] + "/artifacts/models/m-1";

        HttpResponse<byte[]> created = post(server.httpUrl() + MPU + "create/" + dir, create("model.pkl", 3), null);
        assertThat(created.statusCode()).as(new String(created.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        JsonNode answer = json(created);
        String uploadId = answer.get("upload_id").asText();
        assertThat(answer.get("credentials")).hasSize(3);
        JsonNode first = answer.get("credentials").get(0);
        assertThat(first.get("part_number").asInt()).isEqualTo(1);
        assertThat(first.get("url").asText()).isEqualTo(server.httpUrl() + MPU + "part/" + ids[0] + "/" + ids[1] + "/"
                + uploadId + "/1");

        String[] etags = new String[3];
        String[] urls = new String[3];
        for (int i : new int[] {2, 0, 1}) {
            JsonNode credential = answer.get("credentials").get(i);
            HttpResponse<byte[]> part = putPart(credential, pieces[i]);
            assertThat(part.statusCode()).as(new String(part.body(), StandardCharsets.UTF_8)).isEqualTo(200);
            etags[i] = part.headers().firstValue("etag").orElseThrow();
            assertThat(etags[i]).isEqualTo("\"" + sha256(pieces[i]) + "\"");
            urls[i] = credential.get("url").asText();
        }
        // In flight: Labbook shows the parts, MLflow's listing does not.
        assertThat(stored(server, ids[1])).hasSize(3).allSatisfy(a -> assertThat(a.getPath()).startsWith(".mlflow-mpu/"));
        HttpResponse<byte[]> listing = MlflowArtifactsIT.send("GET", server.httpUrl()
                + "/api/2.0/mlflow-artifacts/artifacts?path=" + ids[0] + "/" + ids[1] + "/artifacts");
        assertThat(new String(listing.body(), StandardCharsets.UTF_8)).isEqualTo("{}");

        HttpResponse<byte[]> done = post(server.httpUrl() + MPU + "complete/" + dir,
                complete("model.pkl", uploadId, List.of(etags), List.of(urls)), null);
        assertThat(done.statusCode()).as(new String(done.body(), StandardCharsets.UTF_8)).isEqualTo(200);

        assertThat(stored(server, ids[1])).singleElement().satisfies(artifact -> {
            assertThat(artifact.getPath()).isEqualTo("models/m-1/model.pkl");
            assertThat(artifact.getSizeBytes()).isEqualTo(bytes.length);
            assertThat(artifact.getSha256()).isEqualTo(sha256(bytes));
        });
        HttpResponse<byte[]> download = MlflowArtifactsIT.send("GET", server.httpUrl()
                + "/api/2.0/mlflow-artifacts/artifacts/" + dir + "/model.pkl");
        assertThat(download.body()).isEqualTo(bytes);
        // Completing twice: the parts are gone.
        assertError(post(server.httpUrl() + MPU + "complete/" + dir,
                complete("model.pkl", uploadId, List.of(etags), List.of(urls)), null), 400, "INVALID_PARAMETER_VALUE");
    }

    @Test
    void aMissingPartOrAWrongEtagIsRefusedAndNothingIsStoredAtThePath(TestServer server) throws Exception {
        String[] ids = newRun(server);
        String dir = ids[0] + "/" + ids[1] + "/artifacts";
        JsonNode answer = json(post(server.httpUrl() + MPU + "create/" + dir, create("f.bin", 2), null));
        String uploadId = answer.get("upload_id").asText();
        JsonNode credential = answer.get("credentials").get(0);
        String etag = putPart(credential, "one".getBytes(StandardCharsets.UTF_8)).headers().firstValue("etag").orElseThrow();
        String url1 = credential.get("url").asText();
        String url2 = answer.get("credentials").get(1).get("url").asText();

        // Part 2 never came.
        HttpResponse<byte[]> missing = post(server.httpUrl() + MPU + "complete/" + dir,
                complete("f.bin", uploadId, List.of(etag, "\"" + sha256(new byte[0]) + "\""), List.of(url1, url2)), null);
        assertError(missing, 400, "INVALID_PARAMETER_VALUE");
        assertThat(json(missing).get("message").asText()).contains("part 2");
        // Part 2 came, but the ETag given is another one.
        putPart(answer.get("credentials").get(1), "two".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> wrong = post(server.httpUrl() + MPU + "complete/" + dir,
                complete("f.bin", uploadId, List.of(etag, "\"" + sha256(new byte[1]) + "\""), List.of(url1, url2)), null);
        assertError(wrong, 400, "INVALID_PARAMETER_VALUE");
        assertThat(json(wrong).get("message").asText()).contains("ETag");
        assertThat(stored(server, ids[1])).extracting(Artifact::getPath).noneMatch(p -> p.equals("f.bin"));

        // Abort removes the parts.
        ObjectNode abort = JSON.createObjectNode().put("path", "f.bin").put("upload_id", uploadId);
        assertThat(post(server.httpUrl() + MPU + "abort/" + dir, abort, null).statusCode()).isEqualTo(200);
        assertThat(stored(server, ids[1])).isEmpty();
    }

    @Test
    void badRequestsAreRefused(TestServer server) throws Exception {
        String[] ids = newRun(server);
        String dir = ids[0] + "/" + ids[1] + "/artifacts";
        assertError(post(server.httpUrl() + MPU + "create/" + dir, create("f.bin", 10_001), null), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(post(server.httpUrl() + MPU + "create/" + dir, create("f.bin", 0), null), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(post(server.httpUrl() + MPU + "create/" + dir, JSON.createObjectNode().put("num_parts", 1), null), 400,
                "INVALID_PARAMETER_VALUE");
        assertError(post(server.httpUrl() + MPU + "create/" + ids[0] + "/" + UUID.randomUUID() + "/artifacts",
                create("f.bin", 1), null), 404, "RESOURCE_DOES_NOT_EXIST");
        ObjectNode abort = JSON.createObjectNode().put("path", "f.bin").put("upload_id", "../../x");
        assertError(post(server.httpUrl() + MPU + "abort/" + dir, abort, null), 400, "INVALID_PARAMETER_VALUE");
        HttpResponse<byte[]> info = MlflowArtifactsIT.send("GET", server.httpUrl() + "/api/3.0/mlflow/server-info");
        assertThat(json(info).get("multipart_uploads_enabled").asBoolean()).isFalse();
    }

    @Test
    void aProjectPrefixAndForwardedHostAreKeptInThePartUrls(TestServer server) throws Exception {
        String[] ids = newRun(server);
        String dir = ids[0] + "/" + ids[1] + "/artifacts";
        HttpResponse<byte[]> created = HTTP.send(HttpRequest.newBuilder(URI.create(server.httpUrl()
                + "/projects/default" + MPU + "create/" + dir)).header("x-forwarded-proto", "https")
                .header("x-forwarded-host", "labbook.example.org").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(create("f.bin", 1).toString())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(created.statusCode()).as(new String(created.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(json(created).get("credentials").get(0).get("url").asText()).isEqualTo("https://labbook.example.org"
                + "/projects/default" + MPU + "part/" + ids[0] + "/" + ids[1] + "/" + json(created).get("upload_id").asText()
                + "/1");
    }
}
