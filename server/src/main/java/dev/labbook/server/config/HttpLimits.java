package dev.labbook.server.config;

import java.time.Duration;

/**
 * What bounds the HTTP port's resources, as {@link LoadLimits} bounds the gRPC port's
 * (docs/operations.md, "Limits under load"). The API's own requests on this port are capped by
 * the message size, as on the gRPC port, and its streams (follows, watches, uploads) last as long
 * as they last; these limits cover everything else and the connections.
 *
 * @param maxConnections open connections the port accepts at once; more are closed on arrival
 * @param idleTimeout time a connection may stay without a request before it is closed; zero:
 *     never. Longer than the usual load balancer's 60 s, so the balancer closes first and never
 *     sends a request into a connection the server is closing.
 * @param maxRequestBytes largest request body outside the API (the UI's sign-in and files);
 *     larger ones are refused with 413
 * @param requestTimeout time a request outside the API's streams may take, body included,
 *     before it is answered 503 (a gRPC-Web or JSON call: DEADLINE_EXCEEDED); zero: no limit
 */
public record HttpLimits(int maxConnections, Duration idleTimeout, long maxRequestBytes, Duration requestTimeout) {
    public HttpLimits {
        if (maxConnections < 1 || maxRequestBytes < 1 || idleTimeout.isNegative() || requestTimeout.isNegative()) {
            throw new IllegalArgumentException("HTTP limits out of range: " + maxConnections + ", " + idleTimeout
                    + ", " + maxRequestBytes + ", " + requestTimeout);
        }
    }

    /** The defaults of the settings (see {@link Setting}). */
    public static HttpLimits defaults() {
        return new HttpLimits(1000, Duration.ofSeconds(75), 1024 * 1024, Duration.ofSeconds(60));
    }

    public HttpLimits withMaxRequestBytes(long bytes) {
        return new HttpLimits(maxConnections, idleTimeout, bytes, requestTimeout);
    }

    public HttpLimits withRequestTimeout(Duration timeout) {
        return new HttpLimits(maxConnections, idleTimeout, maxRequestBytes, timeout);
    }

    public HttpLimits withMaxConnections(int connections) {
        return new HttpLimits(connections, idleTimeout, maxRequestBytes, requestTimeout);
    }
}
