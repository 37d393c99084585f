package dev.labbook.server.mlflow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labbook.api.v1.Artifact;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.ListArtifactsRequest;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MLflow's proxied-artifact API over real HTTP: upload, download, listing, deletion, paths and errors. */
@ExtendWith(LabbookServerExtension.class)
class MlflowArtifactsIT {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ROOT = "/api/2.0/mlflow-artifacts/artifacts";

    record Ids(String experiment, String run) {
        String dir() {
            return experiment + "/" + run + "/artifacts";
        }
    }

    private static Ids newRun(TestServer server) {
        String exp = server.experiments().createExperiment(CreateExperimentRequest.newBuilder()
                .setName("mlflow-art-" + UUID.randomUUID()).build()).getExperiment().getId();
        String run = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).build()).getRun().getId();
        return new Ids(exp, run);
    }

    static HttpResponse<byte[]> put(String url, byte[] body, String contentType) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("content-type", contentType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> send(String method, String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static JsonNode json(HttpResponse<byte[]> response) throws Exception {
        return JSON.readTree(response.body());
    }

    static void assertError(HttpResponse<byte[]> response, int status, String code) throws Exception {
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(status);
        assertThat(json(response).get("error_code").asText()).isEqualTo(code);
    }

    private static String list(TestServer server, String path) throws Exception {
        HttpResponse<byte[]> response = send("GET", server.httpUrl() + ROOT + "?path="
                + java.net.URLEncoder.encode(path, StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    private static List<Artifact> stored(TestServer server, String run) {
        return server.artifacts().listArtifacts(ListArtifactsRequest.newBuilder().setRunId(run).build()).getArtifactsList();
    }

    @Test
    void severalMibOfBinaryGoInAndComeOutByteForByteWithTheirSha256InLabbook(TestServer server) throws Exception {
        Ids ids = newRun(server);
        byte[] bytes = new byte[5 * 1024 * 1024 + 12345];
        new Random(16).nextBytes(bytes);
        String url = server.httpUrl() + ROOT + "/" + ids.dir() + "/models/m-1/model.pkl";

        HttpResponse<byte[]> stored = put(url, bytes, "application/octet-stream");
        assertThat(stored.statusCode()).isEqualTo(200);

        HttpResponse<byte[]> download = send("GET", url);
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(bytes);
        assertThat(download.headers().firstValue("content-type")).hasValue("application/octet-stream");
        assertThat(download.headers().firstValue("content-disposition")).hasValueSatisfying(
                value -> assertThat(value).startsWith("attachment").contains("model.pkl"));
        assertThat(download.headers().firstValueAsLong("content-length")).hasValue(bytes.length);
        assertThat(stored(server, ids.run())).singleElement().satisfies(artifact -> {
            assertThat(artifact.getPath()).isEqualTo("models/m-1/model.pkl");
            assertThat(artifact.getSizeBytes()).isEqualTo(bytes.length);
            assertThat(artifact.getSha256()).isEqualTo(
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
            assertThat(artifact.getMediaType()).isEqualTo("application/octet-stream");
        });
        // Replacing the file replaces it.
        assertThat(put(url, "v2".getBytes(StandardCharsets.UTF_8), "application/octet-stream").statusCode()).isEqualTo(200);
        assertThat(send("GET", url).body()).isEqualTo("v2".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anUploadWhoseBodyBreaksOffLeavesNoArtifact(TestServer server) throws Exception {
        Ids ids = newRun(server);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.httpPort())) {
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("PUT " + ROOT + "/" + ids.dir() + "/broken.bin HTTP/1.1\r\nHost: 127.0.0.1:" + server.httpPort()
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 30000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[10_000_000]);
            out.flush();
        }
        // The next upload to the same path works, and only it is there.
        String url = server.httpUrl() + ROOT + "/" + ids.dir() + "/broken.bin";
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!stored(server, ids.run()).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(stored(server, ids.run())).isEmpty();
        assertThat(put(url, "whole".getBytes(StandardCharsets.UTF_8), "application/octet-stream").statusCode()).isEqualTo(200);
        assertThat(stored(server, ids.run())).singleElement().extracting(Artifact::getSizeBytes).isEqualTo(5L);
    }

    @Test
    void listingsHaveMlflowsShapeOneLevelAtATime(TestServer server) throws Exception {
        Ids ids = newRun(server);
        String base = server.httpUrl() + ROOT + "/" + ids.dir();
        put(base + "/d.json", "{\"k\": 1}\n   ".getBytes(StandardCharsets.UTF_8), "text/plain");
        put(base + "/f.txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain");
        put(base + "/dir/f.txt", "y".getBytes(StandardCharsets.UTF_8), "text/plain");
        put(base + "/dir/sub/deep.bin", new byte[3], "application/octet-stream");
        put(base + "/notes/hello.txt", "hello".getBytes(StandardCharsets.UTF_8), "text/plain");
        put(base + "/dir.txt", "z".getBytes(StandardCharsets.UTF_8), "text/plain");

        assertThat(list(server, ids.dir())).isEqualTo("{\"files\":["
                + "{\"path\":\"d.json\",\"is_dir\":false,\"file_size\":12},"
                + "{\"path\":\"dir\",\"is_dir\":true},"
                + "{\"path\":\"dir.txt\",\"is_dir\":false,\"file_size\":1},"
                + "{\"path\":\"f.txt\",\"is_dir\":false,\"file_size\":1},"
                + "{\"path\":\"notes\",\"is_dir\":true}]}");
        assertThat(list(server, ids.dir() + "/dir")).isEqualTo("{\"files\":["
                + "{\"path\":\"f.txt\",\"is_dir\":false,\"file_size\":1},"
                + "{\"path\":\"sub\",\"is_dir\":true}]}");
        assertThat(list(server, ids.dir() + "/dir/")).isEqualTo(list(server, ids.dir() + "/dir"));
        assertThat(list(server, ids.dir() + "/dir/sub")).isEqualTo(
                "{\"files\":[{\"path\":\"deep.bin\",\"is_dir\":false,\"file_size\":3}]}");
        // A file, and a directory that has nothing: {} as MLflow's server answers.
        assertThat(list(server, ids.dir() + "/d.json")).isEqualTo("{}");
        assertThat(list(server, ids.dir() + "/nothing")).isEqualTo("{}");
        assertThat(list(server, newRun(server).dir())).isEqualTo("{}");

        HttpResponse<byte[]> json = send("GET", base + "/d.json");
        assertThat(json.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(send("GET", base + "/dir/sub/deep.bin").body()).isEqualTo(new byte[3]);
        assertThat(stored(server, ids.run())).filteredOn(a -> a.getPath().equals("f.txt")).singleElement()
                .extracting(Artifact::getMediaType).isEqualTo("text/plain");
    }

    @Test
    void theSameApiAnswersBelowAProjectAndUnderAjaxApi(TestServer server) throws Exception {
        Ids ids = newRun(server);
        String path = "/" + ids.dir() + "/a.txt";
        assertThat(put(server.httpUrl() + "/projects/default/api/2.0/mlflow-artifacts/artifacts" + path,
                "a".getBytes(StandardCharsets.UTF_8), "text/plain").statusCode()).isEqualTo(200);
        assertThat(send("GET", server.httpUrl() + "/ajax-api/2.0/mlflow-artifacts/artifacts" + path).body())
                .isEqualTo("a".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void pathsThatLeaveTheRunAreInvalidParameterValueAndStoreNothing(TestServer server) throws Exception {
        Ids ids = newRun(server);
        String base = server.httpUrl() + ROOT + "/" + ids.dir();
        for (String bad : List.of("/a%5Cb.txt", "/%2Fetc%2Fpasswd", "//etc/passwd", "/a//b.txt", "/a/./b.txt",
                "/a/b.txt/", "/~/x.txt", "/a/%2E/b.txt")) {
            assertError(put(base + bad, "x".getBytes(StandardCharsets.UTF_8), "text/plain"), 400, "INVALID_PARAMETER_VALUE");
            assertError(send("GET", base + bad), 400, "INVALID_PARAMETER_VALUE");
        }
        // '..' segments, also %-escaped ones: Armeria refuses the request line itself (400, its own text body),
        // before any service sees it. The MLflow client never sends them (urllib3 resolves dot segments).
        for (String bad : List.of("/%2E%2E/x.txt", "/a/%2E%2E/%2E%2E/%2E%2E/x.txt", "/..%2Fx.txt", "/a/../../../x.txt")) {
            HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + bad))
                    .PUT(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(response.statusCode()).as(bad).isEqualTo(400);
        }
        for (String bad : List.of(ids.dir() + "//etc", ids.dir() + "/./x", ids.dir() + "/a\\b", "/etc/passwd")) {
            assertError(send("GET", server.httpUrl() + ROOT + "?path=" + java.net.URLEncoder.encode(bad, StandardCharsets.UTF_8)),
                    400, "INVALID_PARAMETER_VALUE");
        }
        // Armeria refuses '..' in the query string too.
        assertThat(send("GET", server.httpUrl() + ROOT + "?path=" + java.net.URLEncoder.encode(ids.dir() + "/../..",
                StandardCharsets.UTF_8)).statusCode()).isEqualTo(400);
        assertThat(stored(server, ids.run())).isEmpty();
    }

    @Test
    void anUnknownRunOrARunOfAnotherExperimentDoesNotExist(TestServer server) throws Exception {
        Ids ids = newRun(server);
        Ids other = newRun(server);
        String unknown = ids.experiment() + "/" + UUID.randomUUID() + "/artifacts";
        String wrongExperiment = other.experiment() + "/" + ids.run() + "/artifacts";
        String notUuid = ids.experiment() + "/5cea7df31c1d4f72a5ff6e02b6ad47c9/artifacts";
        for (String dir : List.of(unknown, wrongExperiment, notUuid)) {
            assertError(put(server.httpUrl() + ROOT + "/" + dir + "/f.txt", new byte[1], "text/plain"),
                    404, "RESOURCE_DOES_NOT_EXIST");
            assertError(send("GET", server.httpUrl() + ROOT + "/" + dir + "/f.txt"), 404, "RESOURCE_DOES_NOT_EXIST");
            assertError(send("GET", server.httpUrl() + ROOT + "?path=" + dir), 404, "RESOURCE_DOES_NOT_EXIST");
        }
        assertError(send("GET", server.httpUrl() + ROOT + "/" + ids.dir() + "/missing.txt"), 404, "RESOURCE_DOES_NOT_EXIST");
        // MLflow's own layout for models without a run: not here, and the message says where files are.
        HttpResponse<byte[]> model = put(server.httpUrl() + ROOT + "/" + ids.experiment()
                + "/models/m-9bd79f3772854e5485313111ecd0ea43/artifacts/MLmodel", new byte[1], "text/plain");
        assertError(model, 404, "RESOURCE_DOES_NOT_EXIST");
        assertThat(json(model).get("message").asText()).contains("<run id>/artifacts/models/<model id>");
        assertError(put(server.httpUrl() + ROOT + "/" + ids.experiment() + "/x.txt", new byte[1], "text/plain"),
                400, "INVALID_PARAMETER_VALUE");
        assertThat(stored(server, ids.run())).isEmpty();
    }

    @Test
    void experimentZeroIsTheProjectsDefaultExperiment(TestServer server) throws Exception {
        String defaultExp = server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setName("Default")
                .build()).getExperiment().getId();
        String run = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(defaultExp).build()).getRun().getId();
        String other = newRun(server).run();
        assertThat(put(server.httpUrl() + ROOT + "/0/" + run + "/artifacts/z.txt", "z".getBytes(StandardCharsets.UTF_8),
                "text/plain").statusCode()).isEqualTo(200);
        assertThat(send("GET", server.httpUrl() + ROOT + "/" + defaultExp + "/" + run + "/artifacts/z.txt").body())
                .isEqualTo("z".getBytes(StandardCharsets.UTF_8));
        assertError(put(server.httpUrl() + ROOT + "/0/" + other + "/artifacts/z.txt", new byte[1], "text/plain"),
                404, "RESOURCE_DOES_NOT_EXIST");
    }

    @Test
    void deleteRemovesAFileOrEverythingBelowADirectory(TestServer server) throws Exception {
        Ids ids = newRun(server);
        String base = server.httpUrl() + ROOT + "/" + ids.dir();
        for (String path : List.of("keep.txt", "dir/a.txt", "dir/sub/b.txt", "dirx.txt")) {
            put(base + "/" + path, "1".getBytes(StandardCharsets.UTF_8), "text/plain");
        }
        assertThat(send("DELETE", base + "/keep.txt").statusCode()).isEqualTo(200);
        assertThat(send("DELETE", base + "/dir").statusCode()).isEqualTo(200);
        assertThat(send("DELETE", base + "/nothing-here").statusCode()).isEqualTo(200);
        assertThat(stored(server, ids.run())).extracting(Artifact::getPath).containsExactly("dirx.txt");
    }

    @Test
    void multipartUploadsAreNotOfferedSoTheClientUsesOnePut(TestServer server) throws Exception {
        Ids ids = newRun(server);
        HttpResponse<byte[]> create = HTTP.send(HttpRequest.newBuilder(URI.create(server.httpUrl()
                + "/api/2.0/mlflow-artifacts/mpu/create/" + ids.dir())).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"path\": \"big.bin\", \"num_parts\": 3}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertError(create, 501, "ENDPOINT_NOT_FOUND");
        HttpResponse<byte[]> info = send("GET", server.httpUrl() + "/api/3.0/mlflow/server-info");
        assertThat(json(info).get("multipart_uploads_enabled").asBoolean()).isFalse();
    }
}
