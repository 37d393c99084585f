package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateTokenRequest;
import dev.labbook.api.v1.CreateTokenResponse;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListExperimentsResponse;
import dev.labbook.api.v1.RevokeTokenRequest;
import dev.labbook.api.v1.Role;
import dev.labbook.server.testing.AuthServerExtension;
import dev.labbook.server.testing.TestServer;
import dev.labbook.server.testing.TestTokens;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The web UI's session against a real server with access control on: its real token
 * authenticator behind {@code POST /api/session}, and its real access interceptor reading the
 * cookie the browser then sends with the UI's gRPC-Web and JSON calls.
 */
@ExtendWith(AuthServerExtension.class)
class SessionCookieAuthIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ADMIN = AuthServerExtension.BOOTSTRAP_TOKEN;

    private static CreateTokenResponse token(TestServer server, String project, Role role, long ttlSeconds) {
        return TestTokens.as(server.access(), ADMIN).createToken(CreateTokenRequest.newBuilder()
                .setName("ui-" + project).setProject(project).setRole(role).setTtlSeconds(ttlSeconds).build());
    }

    private static HttpResponse<String> signIn(TestServer server, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(server.httpUrl() + SessionRoutes.PATH))
                .header("content-type", "application/json").header("origin", server.httpUrl())
                .header("sec-fetch-site", "same-origin")
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + token + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code Cookie} header a browser sends back after the sign-in's {@code Set-Cookie}. */
    private static String cookie(HttpResponse<?> signIn) {
        String set = signIn.headers().firstValue("set-cookie").orElseThrow();
        return set.substring(0, set.indexOf(';'));
    }

    private static GrpcWebCall listExperiments(TestServer server, String project, String... headers) throws Exception {
        return GrpcWebCall.start(server.httpUrl(), "labbook.v1.ExperimentService/ListExperiments",
                ListExperimentsRequest.newBuilder().setProject(project).build(), false, headers);
    }

    private static String reason(GrpcWebCall call) throws Exception {
        for (Any detail : call.statusDetails().getDetailsList()) {
            if (detail.is(ErrorInfo.class)) {
                return detail.unpack(ErrorInfo.class).getReason();
            }
        }
        return "";
    }

    @Test
    void aSignedInBrowserCallsWithTheCookieAndGetsItsTokensRoles(TestServer server) throws Exception {
        TestTokens.as(server.experiments(), ADMIN).createExperiment(CreateExperimentRequest.newBuilder()
                .setProject("a").setName("in-a").build());
        TestTokens.as(server.experiments(), ADMIN).createExperiment(CreateExperimentRequest.newBuilder()
                .setProject("b").setName("in-b").build());
        String viewer = token(server, "a", Role.ROLE_VIEWER, 3600).getSecret();

        HttpResponse<String> signIn = signIn(server, viewer);
        assertThat(signIn.statusCode()).isEqualTo(200);
        JsonNode caller = JSON.readTree(signIn.body());
        assertThat(caller.get("principal").asText()).isEqualTo("token:ui-a");
        assertThat(caller.get("roles").get(0).get("project").asText()).isEqualTo("a");
        assertThat(caller.get("roles").get(0).get("role").asText()).isEqualTo("ROLE_VIEWER");
        // Until the token expires, an hour from now.
        String set = signIn.headers().firstValue("set-cookie").orElseThrow();
        long maxAge = Long.parseLong(set.replaceAll(".*Max-Age=(\\d+).*", "$1"));
        assertThat(maxAge).isBetween(3500L, 3600L);
        assertThat(set).contains("HttpOnly", "SameSite=Strict").doesNotContain("Secure");
        String cookie = cookie(signIn);
        assertThat(cookie).isEqualTo("labbook_session=" + viewer);

        // The UI's gRPC-Web calls carry the cookie: its own project is open to it...
        try (GrpcWebCall call = listExperiments(server, "a", "cookie", "theme=dark; " + cookie)) {
            List<ListExperimentsResponse> pages = call.drain(ListExperimentsResponse.parser());
            assertThat(call.grpcStatus()).isZero();
            assertThat(pages.get(0).getExperimentsList()).extracting(e -> e.getName()).containsExactly("in-a");
        }
        // ...another project is not, and says which.
        try (GrpcWebCall call = listExperiments(server, "b", "cookie", cookie)) {
            call.drain(ListExperimentsResponse.parser());
            assertThat(call.grpcStatus()).isEqualTo(Status.Code.PERMISSION_DENIED.value());
            assertThat(reason(call)).isEqualTo("ROLE_MISSING");
        }
        // Without the cookie the call is unauthenticated (what brings up the sign-in view).
        try (GrpcWebCall call = listExperiments(server, "a")) {
            call.drain(ListExperimentsResponse.parser());
            assertThat(call.grpcStatus()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
            assertThat(reason(call)).isEqualTo("CREDENTIALS_MISSING");
        }
        // An unframed JSON call with the cookie, as the header's GetCaller is over curl.
        HttpResponse<String> who = HTTP.send(HttpRequest.newBuilder(
                        URI.create(server.httpUrl() + "/labbook.v1.AccessService/GetCaller"))
                .header("content-type", "application/json").header("cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(who.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(who.body()).get("caller").get("principal").asText()).isEqualTo("token:ui-a");
        assertThat(JSON.readTree(who.body()).get("caller").get("authEnabled").asBoolean()).isTrue();
    }

    @Test
    void aWrongRevokedOrExpiredTokenOpensNoSession(TestServer server) throws Exception {
        HttpResponse<String> wrong = signIn(server, "lbk_ThisIsNoTokenOfThisServer00000000000000");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("set-cookie")).isEmpty();
        assertThat(JSON.readTree(wrong.body()).get("code").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(JSON.readTree(wrong.body()).get("reason").asText()).startsWith("CREDENTIALS_");
        assertThat(JSON.readTree(wrong.body()).get("message").asText()).isNotBlank();

        HttpResponse<String> garbage = signIn(server, "hunter2");
        assertThat(garbage.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(garbage.body()).get("reason").asText()).isEqualTo("CREDENTIALS_INVALID");

        // A session whose token is revoked ends with the next call.
        CreateTokenResponse editor = token(server, "a", Role.ROLE_EDITOR, 0);
        HttpResponse<String> signIn = signIn(server, editor.getSecret());
        assertThat(signIn.statusCode()).isEqualTo(200);
        assertThat(signIn.headers().firstValue("set-cookie").orElseThrow()).contains("Max-Age=2592000");
        TestTokens.as(server.access(), ADMIN).revokeToken(RevokeTokenRequest.newBuilder()
                .setTokenId(editor.getToken().getTokenId()).build());
        try (GrpcWebCall call = listExperiments(server, "a", "cookie", cookie(signIn))) {
            call.drain(ListExperimentsResponse.parser());
            assertThat(call.grpcStatus()).isEqualTo(Status.Code.UNAUTHENTICATED.value());
            assertThat(reason(call)).isEqualTo("TOKEN_REVOKED");
        }
        HttpResponse<String> revoked = signIn(server, editor.getSecret());
        assertThat(revoked.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(revoked.body()).get("reason").asText()).isEqualTo("TOKEN_REVOKED");

        String shortLived = token(server, "a", Role.ROLE_VIEWER, 1).getSecret();
        Thread.sleep(1100);
        HttpResponse<String> expired = signIn(server, shortLived);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(expired.body()).get("reason").asText()).isEqualTo("CREDENTIALS_EXPIRED");
    }
}
