package dev.labbook.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.access.Authenticator;
import dev.labbook.server.domain.access.Principal;
import dev.labbook.server.domain.access.UnauthenticatedException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web UI's sign-in, {@value #PATH} on the HTTP port. {@code POST} with {@code {"token":
 * "lbk_..."}} (or a form field {@code token}) verifies the token with the server's
 * {@link Authenticator}s and answers {@code {principal, method, roles, expireTimeMs}} with the
 * session cookie ({@link SessionCookie}); the UI's later calls (gRPC-Web, same origin) carry
 * it, and the access interceptor reads it like an {@code authorization} header. A token that is
 * refused is a 401 with {@code {code, reason, message}} and no cookie. {@code DELETE} clears
 * the cookie.
 *
 * <p>Both refuse cross-site requests (403): a page of another site must not sign the browser in
 * with the attacker's token (login CSRF) or out. Browsers send {@code Origin} on every POST and
 * DELETE, and {@code Sec-Fetch-Site}; when present they must say same-origin. Clients without
 * them (curl) are no browser and cannot be the vehicle of such an attack.
 */
public final class SessionRoutes implements HttpService {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    public static final String PATH = "/api/session";
    /** How long a session lasts at most, and for a token that never expires. */
    static final Duration MAX_AGE = Duration.ofDays(30);
    /** Longer than any API token or Kubernetes/OIDC JWT; browsers keep cookies up to 4 KiB. */
    private static final int MAX_CREDENTIAL_CHARS = 4000;
    private static final long MAX_BODY_BYTES = 16 * 1024;

    private final Authenticator authenticator;
    private final Optional<URI> publicUrl;
    private final Clock clock;
    private final AtomicBoolean warnedCleartext = new AtomicBoolean();

    /**
     * @param authenticator the server's chain of authenticators (API tokens, JWTs)
     * @param publicUrl the configured {@code --public-url}: an {@code https} one means the
     *     browser sees TLS (e.g. at an ingress) even when this port is plain HTTP
     */
    public SessionRoutes(Authenticator authenticator, Optional<String> publicUrl, Clock clock) {
        this.authenticator = authenticator;
        this.publicUrl = publicUrl.map(URI::create);
        this.clock = clock;
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        HttpMethod method = req.method();
        if (method != HttpMethod.POST && method != HttpMethod.DELETE) {
            return HttpResponse.of(ResponseHeaders.builder(HttpStatus.METHOD_NOT_ALLOWED)
                    .add(HttpHeaderNames.ALLOW, "POST, DELETE").contentType(MediaType.JSON_UTF_8).build(),
                    HttpData.ofUtf8(error("UNIMPLEMENTED", "METHOD_NOT_ALLOWED",
                            PATH + " takes POST (sign in) and DELETE (sign out)").toString()));
        }
        Optional<String> crossSite = crossSite(req.headers());
        if (crossSite.isPresent()) {
            return json(HttpStatus.FORBIDDEN, error("PERMISSION_DENIED", "CROSS_SITE_REQUEST", crossSite.get()),
                    null);
        }
        boolean secure = secure(ctx, req.headers());
        if (method == HttpMethod.DELETE) {
            return HttpResponse.of(ResponseHeaders.builder(HttpStatus.NO_CONTENT)
                    .add(HttpHeaderNames.SET_COOKIE, SessionCookie.clear(secure))
                    .add(HttpHeaderNames.CACHE_CONTROL, "no-store")
                    .build());
        }
        ctx.setMaxRequestLength(MAX_BODY_BYTES);
        // Verifying a token reads the database: off the event loop.
        return HttpResponse.of(req.aggregate().thenApplyAsync(body -> signIn(ctx, body, secure),
                ctx.blockingTaskExecutor()));
    }

    private HttpResponse signIn(ServiceRequestContext ctx, AggregatedHttpRequest body, boolean secure) {
        String credential;
        try {
            credential = credential(body);
        } catch (IllegalArgumentException e) {
            return json(HttpStatus.BAD_REQUEST, error("INVALID_ARGUMENT", ErrorReason.REQUEST_MALFORMED.name(),
                    e.getMessage()), null);
        }
        if (credential.isEmpty()) {
            return unauthenticated(ErrorReason.CREDENTIALS_MISSING, "token: missing; enter an API token (lbk_...)");
        }
        if (credential.length() > MAX_CREDENTIAL_CHARS) {
            return unauthenticated(ErrorReason.CREDENTIALS_INVALID, "token: " + credential.length()
                    + " characters, longer than any API token (lbk_...) or JWT (at most " + MAX_CREDENTIAL_CHARS + ")");
        }
        if (!SessionCookie.storable(credential)) {
            return unauthenticated(ErrorReason.CREDENTIALS_INVALID,
                    "token: not an API token (lbk_...) or a JWT: it has spaces or other characters no token has");
        }
        Principal principal;
        try {
            principal = authenticator.authenticate(credential).orElseThrow(() -> new UnauthenticatedException(
                    ErrorReason.CREDENTIALS_INVALID,
                    "token: not a Labbook API token (lbk_...) or a JWT of an issuer this server trusts"));
        } catch (UnauthenticatedException e) {
            return unauthenticated(e.reason(), e.getMessage());
        }
        warnIfCleartext(ctx, secure);
        Duration maxAge = principal.expiresAt()
                .map(expiry -> Duration.between(clock.instant(), expiry))
                .filter(untilExpiry -> untilExpiry.compareTo(MAX_AGE) < 0)
                .orElse(MAX_AGE);
        return json(HttpStatus.OK, describe(principal), SessionCookie.set(credential, maxAge, secure));
    }

    /** The token of a JSON body {@code {"token": ...}} or a form post {@code token=...}. */
    private static String credential(AggregatedHttpRequest body) {
        MediaType type = body.contentType();
        String text = body.contentUtf8();
        if (type != null && type.is(MediaType.FORM_DATA)) {
            String token = QueryParams.fromQueryString(text).get("token");
            return token == null ? "" : token.strip();
        }
        if (type != null && !type.isJson()) {
            throw new IllegalArgumentException("the body must be JSON {\"token\": \"lbk_...\"} or a form with a "
                    + "field token, not " + type.withoutParameters());
        }
        JsonNode tree;
        try {
            tree = JSON.readTree(text.isBlank() ? "{}" : text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the body is no JSON object: expected {\"token\": \"lbk_...\"}");
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("the body is no JSON object: expected {\"token\": \"lbk_...\"}");
        }
        JsonNode token = tree.get("token");
        if (token != null && !token.isNull() && !token.isTextual()) {
            throw new IllegalArgumentException("token: must be a string");
        }
        return token == null || token.isNull() ? "" : token.asText().strip();
    }

    /**
     * Why the request is cross-site, if it is. {@code Origin} must name this server as the
     * browser reached it (the {@code Host} it sent) or the configured public URL (a proxy may
     * rewrite {@code Host}); {@code Sec-Fetch-Site} must be {@code same-origin}.
     */
    private Optional<String> crossSite(RequestHeaders headers) {
        String site = headers.get("sec-fetch-site");
        if (site != null && !site.equalsIgnoreCase("same-origin")) {
            return Optional.of("sign-in and sign-out are refused from another site (Sec-Fetch-Site: " + site
                    + "): open the Labbook UI itself");
        }
        String origin = headers.get(HttpHeaderNames.ORIGIN);
        if (origin != null && !sameOrigin(origin, headers.authority())) {
            return Optional.of("sign-in and sign-out are refused from another origin (" + origin
                    + "): open the Labbook UI itself");
        }
        return Optional.empty();
    }

    private boolean sameOrigin(String origin, String host) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return false; // also "null", the opaque origin of sandboxed frames and file: pages
        }
        String scheme = uri.getScheme();
        if (scheme == null || uri.getHost() == null) {
            return false;
        }
        if (publicUrl.isPresent() && sameOrigin(uri, publicUrl.get())) {
            return true;
        }
        if (host == null) {
            return false;
        }
        URI reached;
        try {
            reached = new URI(scheme + "://" + host);
        } catch (URISyntaxException e) {
            return false;
        }
        // The scheme cannot be compared: behind a TLS-terminating proxy the browser's https is
        // plain http here. Host and port say which server the page came from.
        return sameOrigin(uri, reached);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost() != null && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /**
     * Whether the cookie gets {@code Secure}: when the browser reached the server over TLS, on
     * this port or at a proxy (an https public URL, or {@code X-Forwarded-Proto: https}).
     *
     * <p>Never on plain HTTP: a browser drops a {@code Secure} cookie set over http:// to any
     * host but localhost, and even there not all do (Chrome and Firefox treat http://localhost
     * as secure, Safari does not). On loopback the token never leaves the machine, so
     * {@code Secure} would buy nothing there. Over plain HTTP to another host the cookie works
     * but the token crosses the network in clear text, with every call: TLS is the fix
     * ({@code --tls-cert-file}/{@code --tls-key-file}, or an https ingress and {@code --public-url
     * https://...}), and the server warns once.
     */
    private boolean secure(ServiceRequestContext ctx, RequestHeaders headers) {
        return ctx.sessionProtocol().isTls()
                || publicUrl.map(url -> "https".equalsIgnoreCase(url.getScheme())).orElse(false)
                || "https".equalsIgnoreCase(headers.get("x-forwarded-proto", "").strip());
    }

    private void warnIfCleartext(ServiceRequestContext ctx, boolean secure) {
        InetSocketAddress local = ctx.localAddress();
        if (secure || local.getAddress() == null || local.getAddress().isLoopbackAddress()) {
            return;
        }
        if (warnedCleartext.compareAndSet(false, true)) {
            LOG.warn("A web UI session was opened over plain HTTP on {}: its API token crosses the network in "
                    + "clear text with every call. Serve the HTTP port with TLS (--tls-cert-file, --tls-key-file) "
                    + "or behind an https ingress with --public-url https://...", local);
        }
    }

    private static ObjectNode describe(Principal principal) {
        ObjectNode out = JSON.createObjectNode();
        out.put("principal", principal.name());
        out.put("method", principal.method());
        ArrayNode roles = out.putArray("roles");
        principal.roles().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(role -> roles.addObject().put("project", role.getKey())
                        .put("role", "ROLE_" + role.getValue().name()));
        // As in the proto3 JSON mapping of Caller.expire_time_ms: a decimal string, 0 for never.
        out.put("expireTimeMs", Long.toString(principal.expiresAt().map(Instant::toEpochMilli).orElse(0L)));
        return out;
    }

    private static ObjectNode error(String code, String reason, String message) {
        ObjectNode out = JSON.createObjectNode();
        out.put("code", code);
        out.put("reason", reason);
        out.put("message", message);
        return out;
    }

    private static HttpResponse unauthenticated(ErrorReason reason, String message) {
        return json(HttpStatus.UNAUTHORIZED, error("UNAUTHENTICATED", reason.name(), message), null);
    }

    private static HttpResponse json(HttpStatus status, ObjectNode body, String setCookie) {
        ResponseHeadersBuilder headers = ResponseHeaders.builder(status)
                .contentType(MediaType.JSON_UTF_8)
                .add(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (setCookie != null) {
            headers.add(HttpHeaderNames.SET_COOKIE, setCookie);
        }
        return HttpResponse.of(headers.build(), HttpData.ofUtf8(body.toString()));
    }
}
