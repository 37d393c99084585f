package dev.labbook.server.grpc;

import dev.labbook.server.config.OperationsConfig;
import java.util.Optional;

/**
 * Where the API listens: {@code host:port}, over TLS when {@code tls} is given; with TLS a
 * plaintext health-only server listens on {@code healthPort} too (0: none).
 */
public record ApiEndpoint(String host, int port, Optional<OperationsConfig.Tls> tls, int healthPort) {
    public static ApiEndpoint plaintext(String host, int port) {
        return new ApiEndpoint(host, port, Optional.empty(), 0);
    }
}
