package dev.labbook.server.http;

import dev.labbook.server.config.OperationsConfig;
import java.util.Optional;

/**
 * Where the HTTP port listens: {@code host:port} (0: a free port), over TLS with the gRPC port's
 * certificate when {@code tls} is given.
 */
public record HttpEndpoint(String host, int port, Optional<OperationsConfig.Tls> tls) {
    public String scheme() {
        return tls.isPresent() ? "https" : "http";
    }
}
