package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.sdk.internal.Calls;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fail fast and say where: a connection error names the target, where it came from and a hint,
 * within seconds; a TLS client to a plaintext server says so. A gRPC server without services on
 * a loopback port stands in for a Labbook server (it answers UNIMPLEMENTED: it is there).
 */
class ConnectionErrorsTest {
    private static final String RUN = "01a20a84-5459-7a28-8ee9-e332301dd0b5";
    private Server server;

    @BeforeEach
    void startServer() throws Exception {
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).build().start();
    }

    @AfterEach
    void stopServer() {
        server.shutdownNow();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aStoppedServerFailsTheFirstCallWithin5SecondsNamingTargetSourceAndHint() throws Exception {
        int port = freePort();
        long start = System.nanoTime();
        try (LabbookClient client = LabbookClient.connect(Target.parse("127.0.0.1:" + port), ClientOptions.DEFAULT,
                "env LABBOOK_TRACKING_URI")) {
            assertThatThrownBy(() -> client.runs().get(RUN)).isInstanceOf(UnavailableException.class)
                    .hasMessageStartingWith("cannot reach the Labbook server at 127.0.0.1:" + port
                            + " (target from env LABBOOK_TRACKING_URI): ")
                    .hasMessageContaining("Is the server running there?")
                    .hasMessageContaining("LABBOOK_TRACKING_URI");
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms to fail").isLessThan(5_000);
    }

    @Test
    void aTargetGivenInCodeSaysSo() throws Exception {
        int port = freePort();
        try (LabbookClient client = LabbookClient.connect("127.0.0.1:" + port)) {
            assertThat(client.targetSource()).isEqualTo("code");
            assertThatThrownBy(() -> client.runs().get(RUN))
                    .hasMessageContaining("at 127.0.0.1:" + port + " (target from code)");
        }
    }

    @Test
    void aTlsClientToAPlaintextServerSaysSo() {
        String plain = "127.0.0.1:" + server.getPort();
        long start = System.nanoTime();
        try (LabbookClient client = LabbookClient.connect("grpcs://" + plain)) {
            assertThatThrownBy(() -> client.runs().get(RUN)).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("at grpcs://" + plain)
                    .hasMessageContaining("probably does not use TLS")
                    .hasMessageContaining("grpc://" + plain);
        }
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms to fail").isLessThan(5_000);
    }

    @Test
    void aServerThatAnsweredIsReachedAndItsOwnErrorsAreNotRewritten() {
        try (LabbookClient client = LabbookClient.connect("127.0.0.1:" + server.getPort())) {
            assertThatThrownBy(() -> client.runs().get(RUN)).isInstanceOf(LabbookException.class)
                    .satisfies(e -> assertThat(((LabbookException) e).code()).isEqualTo("UNIMPLEMENTED"))
                    .message().doesNotContain("cannot reach");
        }
    }

    @Test
    void httpUrlsAndUnknownSchemesAreRefusedAtOnce() {
        assertThatThrownBy(() -> Target.parse("http://localhost:7800"))
                .hasMessageContaining("the SDKs speak gRPC")
                .hasMessageContaining("default 7800; 7880 is the web UI's HTTP port");
        assertThatThrownBy(() -> Target.parse("ftp://h")).hasMessageContaining("unknown scheme ftp://");
        assertThatThrownBy(() -> LabbookClient.parse("http://h", LabbookClient.SOURCE_ENV))
                .hasMessageEndingWith("(target from env LABBOOK_TRACKING_URI)");
    }

    @Test
    void theRetryWindowsAreDocumentedNumbers() {
        assertThat(Calls.RETRY_WINDOW_MS).isEqualTo(30_000);
        assertThat(Calls.CONNECT_WINDOW_MS).isEqualTo(3_000);
        assertThat(Backoff.DEFAULT).isEqualTo(new Backoff(java.time.Duration.ofMillis(100),
                java.time.Duration.ofSeconds(5)));
    }
}
