package dev.labbook.server.ops;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The HTTP server of {@code GET /metrics} (Prometheus text and OpenMetrics formats). */
public final class MetricsEndpoint implements AutoCloseable {
    private final HTTPServer server;

    private MetricsEndpoint(HTTPServer server) {
        this.server = server;
    }

    public static MetricsEndpoint start(String host, int port, PrometheusRegistry registry) {
        try {
            return new MetricsEndpoint(HTTPServer.builder().hostname(host).port(port).registry(registry)
                    .buildAndStart());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on " + host + ":" + port + " (" + e.getMessage()
                    + "); choose another --metrics-port (LABBOOK_METRICS_PORT) or 0 to turn it off", e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
