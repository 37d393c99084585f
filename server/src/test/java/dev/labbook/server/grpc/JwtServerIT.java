package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.AccessServiceGrpc;
import dev.labbook.api.v1.Caller;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.Experiment;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.GetCallerRequest;
import dev.labbook.api.v1.Role;
import dev.labbook.api.v1.RoleBinding;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.AuthConfig;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.testing.GrpcAssertions;
import dev.labbook.server.testing.JwtTestIssuer;
import dev.labbook.server.testing.PrometheusText;
import dev.labbook.server.testing.ServerProcess;
import dev.labbook.server.testing.SharedPostgres;
import dev.labbook.server.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server configured for Kubernetes workload identity: a pod's projected ServiceAccount token
 * (a JWT of the cluster's issuer, audience labbook) works as credentials without any copied
 * secret, with the roles the server's --jwt-roles give its namespace/serviceaccount.
 */
class JwtServerIT {
    private static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    private static JwtTestIssuer cluster;
    private static LabbookServer server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        cluster = new JwtTestIssuer(ISSUER);
        Path jwks = cluster.writeJwks(dir.resolve("jwks.json"));
        DatabaseEndpoint db = SharedPostgres.newDatabase("labbook_jwt_it");
        AuthConfig auth = AuthConfig.tokens(Optional.empty()).withJwt(
                List.of(new AuthConfig.JwtIssuer(ISSUER, Optional.of(jwks.toString()))), "labbook",
                List.of(new AuthConfig.JwtRoleBinding("ml/trainer", "vision", "editor"),
                        new AuthConfig.JwtRoleBinding("ml/*", "vision", "viewer")));
        server = LabbookServer.start(new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()),
                db.user(), db.password(), 4, 0, 16 * 1024 * 1024, 0,
                new ArtifactConfig(Files.createDirectories(dir.resolve("artifacts")), Optional.empty(), 1L << 30, 0))
                .withOperations(OperationsConfig.minimal().withMetricsPort(ServerProcess.freePort()))
                .withAuth(auth));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    private static ExperimentServiceGrpc.ExperimentServiceBlockingStub experimentsAs(String jwt) {
        return TestTokens.as(ExperimentServiceGrpc.newBlockingStub(channel), jwt);
    }

    private static CreateExperimentRequest experiment(String project, String name) {
        return CreateExperimentRequest.newBuilder().setProject(project).setName(name).build();
    }

    @Test
    void aServiceAccountTokenActsWithTheRolesBoundToItsNamespaceAndName() {
        String trainer = cluster.rs256(cluster.serviceAccount("ml", "trainer", Instant.now()));
        Experiment created = experimentsAs(trainer).createExperiment(experiment("vision", "resnet")).getExperiment();
        assertThat(created.getCreator()).isEqualTo("ml/trainer");

        Caller caller = TestTokens.as(AccessServiceGrpc.newBlockingStub(channel), trainer)
                .getCaller(GetCallerRequest.getDefaultInstance()).getCaller();
        assertThat(caller.getPrincipal()).isEqualTo("ml/trainer");
        assertThat(caller.getMethod()).isEqualTo("jwt");
        assertThat(caller.getRolesList()).contains(RoleBinding.newBuilder().setProject("vision")
                .setRole(Role.ROLE_EDITOR).build());

        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING",
                () -> experimentsAs(trainer).createExperiment(experiment("finance", "x")));
    }

    @Test
    void aWildcardBindingGivesEveryServiceAccountOfTheNamespaceItsRoleAndNoMore() {
        String notebook = cluster.es256(cluster.serviceAccount("ml", "notebook", Instant.now()));
        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING",
                () -> experimentsAs(notebook).createExperiment(experiment("vision", "nope")));
        String stranger = cluster.rs256(cluster.serviceAccount("web", "frontend", Instant.now()));
        GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING",
                () -> experimentsAs(stranger).createExperiment(experiment("vision", "nope")));
    }

    @Test
    void expiredForeignOrWronglyAddressedTokensAreRefusedAsUnauthenticated() {
        Instant twoHoursAgo = Instant.now().minus(Duration.ofHours(2));
        String expired = cluster.rs256(cluster.serviceAccount("ml", "trainer", twoHoursAgo));
        GrpcAssertions.assertReason(Status.Code.UNAUTHENTICATED, "CREDENTIALS_EXPIRED",
                () -> experimentsAs(expired).createExperiment(experiment("vision", "late")));

        JwtTestIssuer impostor = new JwtTestIssuer(ISSUER);
        String forged = impostor.rs256(impostor.serviceAccount("ml", "trainer", Instant.now()));
        GrpcAssertions.assertReason(Status.Code.UNAUTHENTICATED, "CREDENTIALS_INVALID",
                () -> experimentsAs(forged).createExperiment(experiment("vision", "forged")));

        String otherAudience = cluster.rs256(cluster.serviceAccount("ml", "trainer", Instant.now())
                .audience("https://kubernetes.default.svc").expirationTime(Date.from(Instant.now().plusSeconds(600))));
        GrpcAssertions.assertReason(Status.Code.UNAUTHENTICATED, "CREDENTIALS_INVALID",
                () -> experimentsAs(otherAudience).createExperiment(experiment("vision", "aud")));
    }

    @Test
    void refusalsAreCountedByMethodCodeAndReason() throws Exception {
        String method = "labbook.v1.ExperimentService/CreateExperiment";
        Map<String, String> noToken = Map.of("method", method, "code", "UNAUTHENTICATED",
                "reason", "CREDENTIALS_MISSING");
        Map<String, String> noRole = Map.of("method", method, "code", "PERMISSION_DENIED", "reason", "ROLE_MISSING");
        PrometheusText before = scrape();
        GrpcAssertions.assertReason(Status.Code.UNAUTHENTICATED, "CREDENTIALS_MISSING",
                () -> ExperimentServiceGrpc.newBlockingStub(channel).createExperiment(experiment("vision", "anon")));
        String stranger = cluster.rs256(cluster.serviceAccount("web", "frontend", Instant.now()));
        for (int i = 0; i < 2; i++) {
            GrpcAssertions.assertReason(Status.Code.PERMISSION_DENIED, "ROLE_MISSING",
                    () -> experimentsAs(stranger).createExperiment(experiment("vision", "nope")));
        }
        PrometheusText after = scrape();
        String counter = "labbook_access_denied_total";
        assertThat(after.value(counter, noToken).orElse(0.0) - before.value(counter, noToken).orElse(0.0))
                .isEqualTo(1.0);
        assertThat(after.value(counter, noRole).orElse(0.0) - before.value(counter, noRole).orElse(0.0))
                .isEqualTo(2.0);
    }

    private static PrometheusText scrape() throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + server.metricsPort().orElseThrow() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return PrometheusText.parse(response.body());
    }
}
