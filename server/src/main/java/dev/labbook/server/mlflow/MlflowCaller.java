package dev.labbook.server.mlflow;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.RequestHeaders;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * Who calls the MLflow API: the credential the labbook.v1 API will check, the address the audit
 * log records, and the Labbook project the call works in.
 *
 * @param authorization the {@code Authorization} value to forward: {@code Bearer <token>} as the
 *     MLflow client sends MLFLOW_TRACKING_TOKEN; HTTP basic auth (MLFLOW_TRACKING_USERNAME and
 *     _PASSWORD) becomes {@code Bearer <password>}, so a Labbook token works as the password too
 * @param project {@code X-Labbook-Project}, or the {@code /projects/<name>} prefix of the path,
 *     or {@code default}
 */
public record MlflowCaller(Optional<String> authorization, InetSocketAddress remote, String project) {
    public static final String PROJECT_HEADER = "x-labbook-project";
    public static final String DEFAULT_PROJECT = "default";

    static MlflowCaller of(RequestHeaders headers, InetSocketAddress remote, Optional<String> pathProject) {
        String project = pathProject.or(() -> Optional.ofNullable(headers.get(PROJECT_HEADER)).map(String::strip)
                .filter(p -> !p.isEmpty())).orElse(DEFAULT_PROJECT);
        return new MlflowCaller(authorization(headers.get(HttpHeaderNames.AUTHORIZATION)), remote, project);
    }

    static Optional<String> authorization(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String value = header.strip();
        if (value.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(value.substring(6).strip()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                return Optional.of("Bearer " + (colon < 0 ? decoded : decoded.substring(colon + 1)));
            } catch (IllegalArgumentException notBase64) {
                return Optional.of(value);
            }
        }
        return Optional.of(value);
    }
}
