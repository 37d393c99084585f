package dev.labbook.server.mlflow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The MLflow endpoints by method and path below {@code /api/2.0/mlflow/} (or 3.0, or the
 * {@code /ajax-api/} twins, which MLflow serves alike): {@code runs/create},
 * {@code logged-models/{model_id}/tags/{key}}. A {@code {name}} segment matches one path
 * segment, given to the handler as a path parameter.
 */
public final class MlflowRoutes {
    private final List<Route> routes = new ArrayList<>();

    public MlflowRoutes get(String path, MlflowHandler handler) {
        return add("GET", path, handler, false);
    }

    public MlflowRoutes post(String path, MlflowHandler handler) {
        return add("POST", path, handler, false);
    }

    /**
     * A POST whose handler reads the JSON body itself, in one pass ({@link MlflowRequest#jsonBody()}):
     * the body is not parsed into fields first.
     */
    public MlflowRoutes postReadingBody(String path, MlflowHandler handler) {
        return add("POST", path, handler, true);
    }

    public MlflowRoutes patch(String path, MlflowHandler handler) {
        return add("PATCH", path, handler, false);
    }

    public MlflowRoutes delete(String path, MlflowHandler handler) {
        return add("DELETE", path, handler, false);
    }

    private MlflowRoutes add(String method, String path, MlflowHandler handler, boolean readsBody) {
        routes.add(new Route(method, path.split("/", -1), handler, readsBody));
        return this;
    }

    /** The handler for a request, with its path parameters; empty when no route matches. */
    Optional<Match> find(String method, String path) {
        String[] segments = path.split("/", -1);
        for (Route route : routes) {
            if (!route.method().equals(method) || route.segments().length != segments.length) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>();
            boolean matches = true;
            for (int i = 0; i < segments.length && matches; i++) {
                String pattern = route.segments()[i];
                if (pattern.startsWith("{") && pattern.endsWith("}")) {
                    matches = !segments[i].isEmpty();
                    params.put(pattern.substring(1, pattern.length() - 1), segments[i]);
                } else {
                    matches = pattern.equals(segments[i]);
                }
            }
            if (matches) {
                return Optional.of(new Match(route.handler(), params, method + " " + String.join("/", route.segments()),
                        route.readsBody()));
            }
        }
        return Optional.empty();
    }

    /** Whether some route has this path with another method (405 rather than 501). */
    boolean knowsPath(String path) {
        String[] segments = path.split("/", -1);
        return routes.stream().anyMatch(route -> {
            if (route.segments().length != segments.length) {
                return false;
            }
            for (int i = 0; i < segments.length; i++) {
                String pattern = route.segments()[i];
                if (!(pattern.startsWith("{") || pattern.equals(segments[i]))) {
                    return false;
                }
            }
            return true;
        });
    }

    /** @param readsBody whether the handler reads the JSON body itself */
    record Match(MlflowHandler handler, Map<String, String> pathParams, String endpoint, boolean readsBody) {
    }

    private record Route(String method, String[] segments, MlflowHandler handler, boolean readsBody) {
    }
}
