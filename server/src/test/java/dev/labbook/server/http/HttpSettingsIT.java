package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.GetServerInfoRequest;
import dev.labbook.api.v1.ServerInfo;
import dev.labbook.api.v1.ServerServiceGrpc;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.config.Setting;
import dev.labbook.server.testing.LocalServerConfig;
import dev.labbook.server.testing.PrometheusText;
import dev.labbook.server.testing.ServerProcess;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP port's settings, as `labbook server` reads them: on, off, taken, public URL. */
class HttpSettingsIT {
    @TempDir
    Path tmp;

    private ServerConfig config(String database, Map<Setting, String> settings) {
        return LocalServerConfig.load(database, tmp, settings);
    }

    private static ServerInfo info(LabbookServer server) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        try {
            return ServerServiceGrpc.newBlockingStub(channel).getServerInfo(GetServerInfoRequest.getDefaultInstance())
                    .getServerInfo();
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void httpPortZeroTurnsThePortOff() {
        ServerConfig config = config("labbook_http_off_it", Map.of(Setting.HTTP_PORT, "0"));
        assertThat(config.http().enabled()).isFalse();
        try (LabbookServer server = LabbookServer.start(config)) {
            assertThat(server.httpPort()).isEmpty();
            assertThat(server.uiUrl()).isEmpty();
            // No UI, so no links: SDKs see an empty public URL and return no portal URL.
            assertThat(info(server).getPublicUrl()).isEmpty();
            assertThat(info(server).getVersion()).isNotEmpty();
        }
    }

    @Test
    void theHttpPortListensWhereItIsToldAndCountsItsCallsLikeTheGrpcPort() throws Exception {
        int port = ServerProcess.freePort();
        int metricsPort = ServerProcess.freePort();
        ServerConfig config = config("labbook_http_on_it", Map.of(Setting.HTTP_PORT, Integer.toString(port),
                Setting.METRICS_PORT, Integer.toString(metricsPort)));
        try (LabbookServer server = LabbookServer.start(config)) {
            assertThat(server.httpPort()).contains(port);
            assertThat(server.uiUrl()).contains("http://localhost:" + port);
            assertThat(info(server).getPublicUrl()).isEqualTo("http://localhost:" + port);

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> listed = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/labbook.v1.ProjectService/ListProjects"))
                    .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(listed.statusCode()).isEqualTo(200);
            // The call-metrics interceptor sees calls on the HTTP port as on the gRPC port.
            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                    .header("Accept", "text/plain").build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(PrometheusText.parse(metrics).value("labbook_grpc_requests_total",
                    Map.of("method", "labbook.v1.ProjectService/ListProjects", "code", "OK"))).contains(1.0);
        }
        // Closed with the server.
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void aGivenPublicUrlIsWhatTheServerReports() {
        ServerConfig config = config("labbook_http_public_url_it", Map.of(Setting.HTTP_PORT,
                Integer.toString(ServerProcess.freePort()), Setting.PUBLIC_URL, "https://labbook.example.com:8443/"));
        try (LabbookServer server = LabbookServer.start(config)) {
            assertThat(server.uiUrl()).contains("https://labbook.example.com:8443");
            assertThat(info(server).getPublicUrl()).isEqualTo("https://labbook.example.com:8443");
        }
        // A UI served elsewhere (another replica, a proxy) still gives SDKs their links.
        ServerConfig elsewhere = config("labbook_http_public_url_off_it", Map.of(Setting.HTTP_PORT, "0",
                Setting.PUBLIC_URL, "https://labbook.example.com"));
        try (LabbookServer server = LabbookServer.start(elsewhere)) {
            assertThat(server.httpPort()).isEmpty();
            assertThat(info(server).getPublicUrl()).isEqualTo("https://labbook.example.com");
        }
    }

    @Test
    void aTakenHttpPortStopsTheStartWithAClearMessage() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            ServerConfig config = config("labbook_http_taken_it",
                    Map.of(Setting.HTTP_PORT, Integer.toString(taken.getLocalPort())));
            assertThatThrownBy(() -> LabbookServer.start(config)).isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageStartingWith("cannot listen for HTTP on 127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("--http-port (LABBOOK_HTTP_PORT)");
        }
    }
}
