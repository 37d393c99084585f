package dev.labbook.server.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.HttpConfig;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.SelfSignedCertificate;
import dev.labbook.server.testing.SelfSignedCertificate.KeyEncoding;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.SharedPostgres;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC over TLS with a self-signed certificate whose key is PKCS#1 (as cert-manager writes it),
 * the plaintext health-only port the kubelet's gRPC probes use, and the HTTP port as HTTPS with
 * the same certificate.
 */
class TlsIT {
    @TempDir
    static Path tmp;

    private static SelfSignedCertificate certificate;
    private static LabbookServer server;
    private static int healthPort;

    @BeforeAll
    static void start() throws Exception {
        certificate = SelfSignedCertificate.create(tmp.resolve("tls"), KeyEncoding.RSA_PKCS1);
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_tls_it");
        healthPort = ServerProcess.freePort();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()),
                db.user(), db.password(), 2, 0, 16 * 1024 * 1024, 0, ArtifactConfig.local(tmp.resolve("artifacts")))
                .withOperations(OperationsConfig.minimal().withTls(
                        new OperationsConfig.Tls(certificate.cert(), certificate.key()), healthPort))
                .withHttp(HttpConfig.on(0));
        server = LabbookServer.start(config);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ManagedChannel tlsChannel() throws Exception {
        return Grpc.newChannelBuilderForAddress("localhost", server.port(),
                TlsChannelCredentials.newBuilder().trustManager(certificate.cert().toFile()).build()).build();
    }

    private static ManagedChannel plaintext(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Test
    void theApiIsServedOverTls() throws Exception {
        ManagedChannel channel = tlsChannel();
        try {
            String name = RunServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true).setExperimentName("tls").setName("r1").build())
                    .getRun().getName();
            assertThat(name).isEqualTo("r1");
            assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance())
                    .getStatus()).isEqualTo(ServingStatus.SERVING);
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void theApiPortRefusesPlaintext() {
        ManagedChannel channel = plaintext(server.port());
        try {
            assertThatThrownBy(() -> HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .check(HealthCheckRequest.getDefaultInstance()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void healthIsReachableInPlaintextOnTheHealthPortAndNothingElse() {
        assertThat(server.healthPort()).contains(healthPort);
        ManagedChannel channel = plaintext(healthPort);
        try {
            assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.getDefaultInstance())
                    .getStatus()).isEqualTo(ServingStatus.SERVING);
            assertThat(HealthGrpc.newBlockingStub(channel).check(HealthCheckRequest.newBuilder()
                    .setService("labbook.v1.RunService").build()).getStatus()).isEqualTo(ServingStatus.SERVING);
            assertThatThrownBy(() -> RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                    .setExperimentName("tls").setName("plain").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void theHttpPortServesHttpsWithTheSameCertificate() throws Exception {
        int port = server.httpPort().orElseThrow();
        assertThat(server.uiUrl()).contains("https://localhost:" + port);
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        try (InputStream in = Files.newInputStream(certificate.cert())) {
            trusted.setCertificateEntry("labbook", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, trust.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().sslContext(tls).build();
        HttpResponse<String> response = https.send(HttpRequest.newBuilder(
                URI.create("https://localhost:" + port + "/labbook.v1.ServerService/GetServerInfo"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("https://localhost:" + port);
        // Plain HTTP on the HTTPS port gets nowhere.
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isInstanceOf(java.io.IOException.class);
    }
}
