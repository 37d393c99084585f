package dev.labbook.server.mlflow;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.QueryParams;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.ServiceRequestContext;
import io.grpc.StatusRuntimeException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLflow's tracking REST API on the HTTP port, so that unmodified MLflow clients log to Labbook
 * ({@code MLFLOW_TRACKING_URI=http://labbook:7880}): {@code /api/2.0/mlflow/...},
 * {@code /ajax-api/2.0/mlflow/...}, {@code /api/3.0/mlflow/...} and the proxied-artifact API
 * {@code /api/2.0/mlflow-artifacts/...}, each also below {@code /projects/<project>} (the client
 * appends the API's path to the tracking URI, so the URI picks the Labbook project).
 *
 * <p>Each request runs on Armeria's blocking-task executor and calls the labbook.v1 API through
 * {@link LabbookGateway}. Errors are MLflow's JSON ({@code error_code}, {@code message}) with the
 * status MLflow gives them; an endpoint this API does not have answers 501
 * {@code ENDPOINT_NOT_FOUND}, never a silent success. See docs/mlflow.md.
 */
public final class MlflowApi implements HttpService {
    private static final Logger LOG = LoggerFactory.getLogger(MlflowApi.class);
    /** MLflow's client may send NaN and the infinities as bare tokens; written back as strings ("NaN"). */
    static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // metric values: log-batch's 1,000 doubles a call (JDK parsing went through BigInteger arithmetic)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();
    private static final List<String> API_PREFIXES = List.of("/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/",
            "/api/3.0/mlflow/", "/ajax-api/3.0/mlflow/");
    private static final List<String> ARTIFACT_PREFIXES = List.of("/api/2.0/mlflow-artifacts/",
            "/ajax-api/2.0/mlflow-artifacts/");
    private static final String PROJECTS = "/projects/";

    private final MlflowRoutes routes = new MlflowRoutes();
    private final MlflowArtifactRequests artifacts;

    public MlflowApi(List<MlflowEndpoints> endpoints, MlflowArtifactRequests artifacts) {
        endpoints.forEach(group -> group.register(routes));
        this.artifacts = artifacts;
    }

    /**
     * Adds the API's routes, before the web UI's catch-all. Artifact routes take bodies of any
     * length and time (the artifact requests check sizes themselves); JSON routes keep the
     * port's caps.
     */
    public void addTo(ServerBuilder server) {
        for (String root : List.of("/api/", "/ajax-api/")) {
            server.serviceUnder(root, this);
        }
        for (String prefix : ARTIFACT_PREFIXES) {
            server.route().pathPrefix(prefix).maxRequestLength(0).requestTimeout(Duration.ZERO).build(this);
        }
        // Only the API below a project: the rest of /projects/ stays the web UI's.
        server.service("glob:/projects/*/api/**", this);
        server.service("glob:/projects/*/ajax-api/**", this);
    }

    @Override
    public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
        String path = ctx.path();
        Optional<String> project = Optional.empty();
        if (path.startsWith(PROJECTS)) {
            int end = path.indexOf('/', PROJECTS.length());
            if (end < 0) {
                return notFound(path);
            }
            project = Optional.of(URLDecoder.decode(path.substring(PROJECTS.length(), end), StandardCharsets.UTF_8));
            path = path.substring(end);
            if (ARTIFACT_PREFIXES.stream().anyMatch(path::startsWith)) {
                // The port's caps hold for routes under /projects/: lift them for files.
                ctx.setMaxRequestLength(0);
                ctx.clearRequestTimeout();
            }
        }
        MlflowCaller caller = MlflowCaller.of(req.headers(), ctx.remoteAddress(), project);
        for (String prefix : ARTIFACT_PREFIXES) {
            if (path.startsWith(prefix)) {
                return artifacts.serve(ctx, req, caller, path.substring(prefix.length()));
            }
        }
        for (String prefix : API_PREFIXES) {
            if (path.startsWith(prefix)) {
                String endpoint = path.substring(prefix.length());
                return HttpResponse.of(req.aggregate().thenApplyAsync(
                        aggregated -> answer(ctx, aggregated, caller, endpoint), ctx.blockingTaskExecutor()));
            }
        }
        return notFound(path);
    }

    private HttpResponse answer(ServiceRequestContext ctx, AggregatedHttpRequest req, MlflowCaller caller, String endpoint) {
        String method = req.method().name();
        try {
            Optional<MlflowRoutes.Match> match = routes.find(method, endpoint);
            if (match.isEmpty()) {
                throw new MlflowException(MlflowErrorCode.ENDPOINT_NOT_FOUND, routes.knowsPath(endpoint)
                        ? "Labbook's MLflow API does not answer " + method + " on " + endpoint
                        : "Labbook's MLflow API does not implement " + method + " " + endpoint
                                + " (see docs/mlflow.md for the endpoints it has)");
            }
            MlflowRequest request = request(ctx, req, caller, match.get());
            if (!match.get().readsBody()) {
                request.fields(); // refuses a body that is not a JSON object, whatever the endpoint reads
            }
            JsonNode answer = match.get().handler().handle(request);
            return json(HttpStatus.OK, answer == null ? JSON.createObjectNode() : answer);
        } catch (MlflowException e) {
            return error(e);
        } catch (StatusRuntimeException e) {
            return error(MlflowErrors.from(e));
        } catch (RuntimeException e) {
            LOG.error("MLflow API {} {} failed", method, endpoint, e);
            return error(new MlflowException(MlflowErrorCode.INTERNAL_ERROR,
                    "internal error in " + method + " " + endpoint + ": " + e));
        }
    }

    /** The request's query parameters as fields (repeated ones as arrays) and its JSON body, parsed when asked. */
    private static MlflowRequest request(ServiceRequestContext ctx, AggregatedHttpRequest req, MlflowCaller caller,
            MlflowRoutes.Match match) {
        ObjectNode query = JSON.createObjectNode();
        QueryParams params = ctx.queryParams();
        for (String name : params.names()) {
            List<String> values = params.getAll(name);
            if (values.size() == 1) {
                query.put(name, values.get(0));
            } else {
                ArrayNode array = query.putArray(name);
                values.forEach(array::add);
            }
        }
        byte[] body = null;
        if (req.method() == HttpMethod.POST || req.method() == HttpMethod.PATCH || req.method() == HttpMethod.PUT
                || !req.content().isEmpty()) {
            byte[] content = req.content().array();
            if (!isBlank(content)) {
                body = content;
            }
        }
        return new MlflowRequest(caller, query, body, match.pathParams(), match.endpoint());
    }

    /** Only JSON's whitespace (or nothing): no body. */
    private static boolean isBlank(byte[] content) {
        for (byte b : content) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    static HttpResponse json(HttpStatus status, JsonNode body) {
        try {
            return HttpResponse.of(status, MediaType.JSON_UTF_8, JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** MLflow's error body, with its code's HTTP status. */
    public static HttpResponse error(MlflowException e) {
        ObjectNode body = JSON.createObjectNode();
        body.put("error_code", e.code().name());
        body.put("message", e.getMessage());
        return json(HttpStatus.valueOf(e.code().httpStatus()), body);
    }

    private static HttpResponse notFound(String path) {
        return error(new MlflowException(MlflowErrorCode.ENDPOINT_NOT_FOUND, "no MLflow endpoint at " + path));
    }
}
