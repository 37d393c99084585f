package dev.labbook.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.labbook.api.v1.GetServerInfoRequest;
import dev.labbook.api.v1.GetServerInfoResponse;
import dev.labbook.api.v1.ServerServiceGrpc;
import dev.labbook.server.config.OperationsConfig;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.ServerInfo;
import dev.labbook.server.domain.access.Authenticator;
import dev.labbook.server.domain.access.Principal;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.domain.access.UnauthenticatedException;
import dev.labbook.server.domain.access.AuditLog;
import dev.labbook.server.domain.access.AuthenticatorChain;
import dev.labbook.server.grpc.AccessInterceptor;
import dev.labbook.server.grpc.ApiServices;
import dev.labbook.server.grpc.RpcObserver;
import dev.labbook.server.grpc.ServerGrpcService;
import dev.labbook.server.testing.SelfSignedCertificate;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The web UI's sign-in on a real HTTP port (no database: a small {@link Authenticator} stands in
 * for the server's chain): the session cookie and its attributes, refused tokens, sign-out, the
 * cross-site guard, {@code Secure} over TLS and behind an https public URL, and what the UI's
 * calls hand the access interceptor: the {@code cookie} header in the gRPC {@link Metadata}, on
 * every form of call the HTTP port takes.
 */
class SessionRoutesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    /** Viewer of project {@code a}, expires in 2 hours. */
    static final String VIEWER = "lbk_viewer0000000000000000000000000000001";
    /** Admin of every project, never expires. */
    static final String ADMIN = "lbk_admin00000000000000000000000000000002";
    static final String EXPIRED = "lbk_expired000000000000000000000000000003";

    private static final Authenticator TOKENS = credential -> {
        if (!credential.startsWith("lbk_")) {
            return Optional.empty();
        }
        return switch (credential) {
            case VIEWER -> Optional.of(new Principal("token:viewer", "token", Map.of("a", Role.VIEWER),
                    Optional.of(NOW.plus(Duration.ofHours(2))), Optional.of("t1")));
            case ADMIN -> Optional.of(new Principal("token:admin", "token", Map.of("*", Role.ADMIN),
                    Optional.empty(), Optional.of("t2")));
            case EXPIRED -> throw new UnauthenticatedException(ErrorReason.CREDENTIALS_EXPIRED,
                    "the API token lbk_expi... expired at 2029-12-31T00:00:00Z");
            default -> throw new UnauthenticatedException(ErrorReason.CREDENTIALS_INVALID,
                    "the API token lbk_" + credential.substring(4, 8) + "... is not known to this server");
        };
    };

    /** The {@code cookie} values of the last call's gRPC metadata, as an interceptor sees them. */
    private static final AtomicReference<List<String>> COOKIES = new AtomicReference<>();

    @TempDir
    static Path tmp;

    private static HttpPort plain;
    private static HttpPort behindHttpsProxy;
    private static HttpPort tls;
    private static SelfSignedCertificate certificate;

    @BeforeAll
    static void start() throws Exception {
        plain = start(new HttpEndpoint("127.0.0.1", 0, Optional.empty()), Optional.empty());
        behindHttpsProxy = start(new HttpEndpoint("127.0.0.1", 0, Optional.empty()),
                Optional.of("https://labbook.example.com"));
        certificate = SelfSignedCertificate.create(tmp, SelfSignedCertificate.KeyEncoding.EC_SEC1);
        tls = start(new HttpEndpoint("127.0.0.1", 0, Optional.of(
                new OperationsConfig.Tls(certificate.cert(), certificate.key()))), Optional.empty());
    }

    private static HttpPort start(HttpEndpoint endpoint, Optional<String> publicUrl) {
        ServerInterceptor cookies = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                    ServerCallHandler<Q, R> next) {
                Iterable<String> values = headers.getAll(Metadata.Key.of("cookie", Metadata.ASCII_STRING_MARSHALLER));
                List<String> seen = new ArrayList<>();
                if (values != null) {
                    values.forEach(seen::add);
                }
                COOKIES.set(seen);
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call,
                        headers)) {
                };
            }
        };
        ServerGrpcService info = new ServerGrpcService(() -> new ServerInfo("test", "", false));
        // Access control off: this test looks at the metadata itself (SessionCookieAuthIT: the real check).
        AccessInterceptor off = new AccessInterceptor(false, new AuthenticatorChain(List.of()), null, AuditLog.NONE,
                RpcObserver.NONE, Clock.systemUTC());
        ApiServices api = ApiServices.of(RpcObserver.NONE, List.of(off),
                List.of(() -> ServerInterceptors.intercept(info, cookies)));
        return HttpPort.start(endpoint, 1024 * 1024, Duration.ofSeconds(1), api, WebApp.fromClassPath(),
                new SessionRoutes(TOKENS, publicUrl, Clock.fixed(NOW, ZoneOffset.UTC)));
    }

    @AfterAll
    static void stop() throws Exception {
        for (HttpPort port : new HttpPort[] {plain, behindHttpsProxy, tls}) {
            if (port != null) {
                port.close();
            }
        }
    }

    @BeforeEach
    void forget() {
        COOKIES.set(null);
    }

    private static String url(HttpPort port) {
        return port.scheme() + "://127.0.0.1:" + port.port();
    }

    private static HttpResponse<String> send(HttpClient client, HttpPort port, String method, String type, String body,
            String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(port) + SessionRoutes.PATH))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            request.header("content-type", type);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> signIn(HttpPort port, String token, String... headers) throws Exception {
        return send(HTTP, port, "POST", "application/json", JSON.createObjectNode().put("token", token).toString(),
                headers);
    }

    private static Optional<String> setCookie(HttpResponse<?> response) {
        return response.headers().firstValue("set-cookie");
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void aValidTokenOpensASessionCookieThatLastsUntilTheTokenExpires() throws Exception {
        // As the UI sends it: same origin, from a page of this server.
        HttpResponse<String> response = signIn(plain, VIEWER, "origin", url(plain), "sec-fetch-site", "same-origin");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("cache-control")).contains("no-store");
        JsonNode caller = json(response);
        assertThat(caller.get("principal").asText()).isEqualTo("token:viewer");
        assertThat(caller.get("method").asText()).isEqualTo("token");
        assertThat(caller.get("roles").get(0).get("project").asText()).isEqualTo("a");
        assertThat(caller.get("roles").get(0).get("role").asText()).isEqualTo("ROLE_VIEWER");
        assertThat(caller.get("expireTimeMs").asText()).isEqualTo(Long.toString(NOW.plusSeconds(7200).toEpochMilli()));
        // Plain HTTP on loopback: no Secure (see SessionRoutes#secure).
        assertThat(setCookie(response)).contains(
                "labbook_session=" + VIEWER + "; Path=/; Max-Age=7200; HttpOnly; SameSite=Strict");
        assertThat(response.body()).doesNotContain(VIEWER);
    }

    @Test
    void aTokenThatNeverExpiresGetsThirtyDaysAndAFormPostWorksToo() throws Exception {
        HttpResponse<String> response = send(HTTP, plain, "POST", "application/x-www-form-urlencoded",
                "token=" + ADMIN);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("principal").asText()).isEqualTo("token:admin");
        assertThat(json(response).get("expireTimeMs").asText()).isEqualTo("0");
        assertThat(setCookie(response)).contains(
                "labbook_session=" + ADMIN + "; Path=/; Max-Age=2592000; HttpOnly; SameSite=Strict");
    }

    @Test
    void aRefusedTokenIs401WithItsReasonAndNoCookie() throws Exception {
        record Case(String token, String reason, String message) {
        }
        for (Case c : List.of(
                new Case("lbk_wrong00000000000000000000000000000000", "CREDENTIALS_INVALID", "is not known"),
                new Case(EXPIRED, "CREDENTIALS_EXPIRED", "expired at"),
                // Of no authenticator's kind (the chain answers empty).
                new Case("eyJhbGciOiJSUzI1NiJ9.e30.c2ln", "CREDENTIALS_INVALID", "not a Labbook API token"),
                new Case("", "CREDENTIALS_MISSING", "token: missing"),
                new Case("lbk_with space", "CREDENTIALS_INVALID", "characters no token has"),
                new Case("x".repeat(5000), "CREDENTIALS_INVALID", "5000 characters, longer than any"))) {
            HttpResponse<String> response = signIn(plain, c.token());
            assertThat(response.statusCode()).as(c.reason()).isEqualTo(401);
            assertThat(setCookie(response)).as(c.reason()).isEmpty();
            JsonNode error = json(response);
            assertThat(error.get("code").asText()).isEqualTo("UNAUTHENTICATED");
            assertThat(error.get("reason").asText()).as(c.token()).isEqualTo(c.reason());
            assertThat(error.get("message").asText()).as(c.token()).contains(c.message());
        }
        HttpResponse<String> noToken = send(HTTP, plain, "POST", "application/json", "{}");
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(json(noToken).get("reason").asText()).isEqualTo("CREDENTIALS_MISSING");
    }

    @Test
    void aBodyThatIsNoTokenIsABadRequest() throws Exception {
        for (String[] bad : new String[][] {{"application/json", "{token: "}, {"application/json", "[1]"},
                {"application/json", "{\"token\": 42}"}, {"text/plain", ADMIN}}) {
            HttpResponse<String> response = send(HTTP, plain, "POST", bad[0], bad[1]);
            assertThat(response.statusCode()).as(bad[1]).isEqualTo(400);
            assertThat(json(response).get("code").asText()).isEqualTo("INVALID_ARGUMENT");
            assertThat(json(response).get("reason").asText()).isEqualTo("REQUEST_MALFORMED");
            assertThat(setCookie(response)).isEmpty();
        }
    }

    @Test
    void signingOutClearsTheCookie() throws Exception {
        HttpResponse<String> response = send(HTTP, plain, "DELETE", null, null, "origin", url(plain));
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(setCookie(response)).contains("labbook_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    }

    @Test
    void anotherSiteCanNeitherSignInNorOut() throws Exception {
        List<String[]> crossSite = List.of(
                new String[] {"origin", "https://evil.example"},
                new String[] {"origin", "http://127.0.0.1:1"},
                new String[] {"origin", "null"},
                new String[] {"origin", "http://127.0.0.1." + plain.port()},
                new String[] {"sec-fetch-site", "cross-site"},
                new String[] {"sec-fetch-site", "same-site"},
                new String[] {"sec-fetch-site", "none"});
        for (String[] headers : crossSite) {
            HttpResponse<String> in = signIn(plain, ADMIN, headers);
            assertThat(in.statusCode()).as(String.join(": ", headers)).isEqualTo(403);
            assertThat(setCookie(in)).isEmpty();
            assertThat(json(in).get("reason").asText()).isEqualTo("CROSS_SITE_REQUEST");
            assertThat(json(in).get("message").asText()).contains(headers[1]);
            HttpResponse<String> out = send(HTTP, plain, "DELETE", null, null, headers);
            assertThat(out.statusCode()).as(String.join(": ", headers)).isEqualTo(403);
            assertThat(setCookie(out)).isEmpty();
        }
        // The same origin however it is spelled (scheme in capitals).
        assertThat(signIn(plain, ADMIN, "origin", "HTTP://127.0.0.1:" + plain.port()).statusCode()).isEqualTo(200);
    }

    @Test
    void otherMethodsAreNotAllowedAndNeverTheAppsIndex() throws Exception {
        HttpResponse<String> get = send(HTTP, plain, "GET", null, null);
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("allow")).contains("POST, DELETE");
        assertThat(get.body()).doesNotContain("<div id=\"app\">");
    }

    @Test
    void theCookieIsSecureWhenTheBrowserSeesHttps() throws Exception {
        // Behind a TLS-terminating ingress: the public URL is https, the page's origin too.
        HttpResponse<String> proxied = signIn(behindHttpsProxy, ADMIN, "origin", "https://labbook.example.com");
        assertThat(proxied.statusCode()).isEqualTo(200);
        assertThat(setCookie(proxied)).hasValueSatisfying(c -> assertThat(c).endsWith("; Secure"));
        assertThat(setCookie(send(HTTP, behindHttpsProxy, "DELETE", null, null)))
                .hasValueSatisfying(c -> assertThat(c).contains("Max-Age=0").endsWith("; Secure"));
        // A proxy that says so.
        assertThat(setCookie(signIn(plain, ADMIN, "x-forwarded-proto", "https")))
                .hasValueSatisfying(c -> assertThat(c).endsWith("; Secure"));

        // The HTTP port itself over TLS.
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream pem = Files.newInputStream(certificate.cert())) {
            trust.setCertificateEntry("labbook", CertificateFactory.getInstance("X.509").generateCertificate(pem));
        }
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trustManagers.getTrustManagers(), null);
        HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl).build();
        HttpResponse<String> response = https.send(HttpRequest.newBuilder(
                        URI.create("https://localhost:" + tls.port() + SessionRoutes.PATH))
                .header("content-type", "application/json").header("origin", "https://localhost:" + tls.port())
                .POST(HttpRequest.BodyPublishers.ofString("{\"token\": \"" + VIEWER + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(setCookie(response)).contains(
                "labbook_session=" + VIEWER + "; Path=/; Max-Age=7200; HttpOnly; SameSite=Strict; Secure");
    }

    /**
     * What the access interceptor relies on: a browser's call on the HTTP port carries the
     * session cookie as the {@code cookie} header, and Armeria hands it to gRPC interceptors as
     * {@code cookie} metadata, on gRPC-Web (binary and text, as the UI calls), on unframed JSON
     * (curl) and on native gRPC.
     */
    @Test
    void theSessionCookieReachesGrpcInterceptorsAsCookieMetadata() throws Exception {
        String cookie = "theme=dark; labbook_session=" + VIEWER;
        for (boolean text : new boolean[] {false, true}) {
            try (GrpcWebCall call = GrpcWebCall.start(url(plain), "labbook.v1.ServerService/GetServerInfo",
                    GetServerInfoRequest.getDefaultInstance(), text, "cookie", cookie)) {
                assertThat(call.next(GetServerInfoResponse.parser())).isPresent();
                call.drain(GetServerInfoResponse.parser());
                assertThat(call.grpcStatus()).isZero();
            }
            assertThat(COOKIES.get()).as(text ? "grpc-web-text" : "grpc-web").containsExactly(cookie);
            assertThat(SessionCookie.credential(COOKIES.get())).contains(VIEWER);
        }

        COOKIES.set(null);
        HttpResponse<String> unframed = HTTP.send(HttpRequest.newBuilder(
                        URI.create(url(plain) + "/labbook.v1.ServerService/GetServerInfo"))
                .header("content-type", "application/json").header("cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unframed.statusCode()).isEqualTo(200);
        assertThat(COOKIES.get()).as("unframed JSON").containsExactly(cookie);

        // Two cookie headers (HTTP/2 clients may split them): each arrives, in order.
        COOKIES.set(null);
        try (GrpcWebCall call = GrpcWebCall.start(url(plain), "labbook.v1.ServerService/GetServerInfo",
                GetServerInfoRequest.getDefaultInstance(), false, "cookie", "theme=dark", "cookie",
                "labbook_session=" + ADMIN)) {
            call.drain(GetServerInfoResponse.parser());
            assertThat(call.grpcStatus()).isZero();
        }
        assertThat(String.join("; ", COOKIES.get())).isEqualTo("theme=dark; labbook_session=" + ADMIN);
        assertThat(SessionCookie.credential(COOKIES.get())).contains(ADMIN);

        // Native gRPC on the HTTP port (HTTP/2): a client's own cookie metadata arrives too.
        COOKIES.set(null);
        Metadata metadata = new Metadata();
        metadata.put(Metadata.Key.of("cookie", Metadata.ASCII_STRING_MARSHALLER), "labbook_session=" + ADMIN);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", plain.port()).usePlaintext().build();
        try {
            ServerServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata))
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getServerInfo(GetServerInfoRequest.getDefaultInstance());
        } finally {
            channel.shutdownNow();
        }
        assertThat(SessionCookie.credential(COOKIES.get())).as("native gRPC").contains(ADMIN);

        // Without a cookie there is none (no stale value from the last call).
        COOKIES.set(null);
        try (GrpcWebCall call = GrpcWebCall.start(url(plain), "labbook.v1.ServerService/GetServerInfo",
                GetServerInfoRequest.getDefaultInstance(), false)) {
            call.drain(GetServerInfoResponse.parser());
        }
        assertThat(COOKIES.get()).isEmpty();
    }
}
