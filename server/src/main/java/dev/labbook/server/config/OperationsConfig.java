package dev.labbook.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How the server runs in production: metrics endpoint, log format, TLS with its plaintext health
 * port, and the stages of a graceful shutdown (see docs/operations.md).
 *
 * @param metricsPort HTTP port of the Prometheus endpoint; 0: none
 * @param healthPort plaintext health-only gRPC port used when TLS is on; 0: none
 * @param shutdownDrain how long the server reports NOT_SERVING before it stops accepting calls
 * @param shutdownGrace how long calls in flight get to finish once it stops accepting
 * @param readinessInterval how often readiness checks PostgreSQL and the artifact store; zero: never
 *     (always ready while running)
 * @param readinessTimeout how long each such check may take before it counts as failed
 * @param limits what bounds threads, connections, streams and the wait for a database connection
 */
public record OperationsConfig(int metricsPort, LogFormat logFormat, Optional<Tls> tls, int healthPort,
        Duration shutdownDrain, Duration shutdownGrace, Duration readinessInterval, Duration readinessTimeout,
        LoadLimits limits) {

    /** The defaults of {@link Setting#READINESS_INTERVAL_MS} and {@link Setting#READINESS_TIMEOUT_MS}. */
    public static final Duration DEFAULT_READINESS_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_READINESS_TIMEOUT = Duration.ofSeconds(1);

    /** With the default limits. */
    public OperationsConfig(int metricsPort, LogFormat logFormat, Optional<Tls> tls, int healthPort,
            Duration shutdownDrain, Duration shutdownGrace, Duration readinessInterval, Duration readinessTimeout) {
        this(metricsPort, logFormat, tls, healthPort, shutdownDrain, shutdownGrace, readinessInterval,
                readinessTimeout, LoadLimits.defaults());
    }

    /** With the default readiness checks and limits. */
    public OperationsConfig(int metricsPort, LogFormat logFormat, Optional<Tls> tls, int healthPort,
            Duration shutdownDrain, Duration shutdownGrace) {
        this(metricsPort, logFormat, tls, healthPort, shutdownDrain, shutdownGrace, DEFAULT_READINESS_INTERVAL,
                DEFAULT_READINESS_TIMEOUT);
    }

    /** Server certificate chain and private key, both PEM files. */
    public record Tls(Path certFile, Path keyFile) {
    }

    /** Text logs, plaintext, no metrics endpoint, no drain pause: what embedded test servers use. */
    public static OperationsConfig minimal() {
        return new OperationsConfig(0, LogFormat.TEXT, Optional.empty(), 0, Duration.ZERO, Duration.ofSeconds(10));
    }

    public OperationsConfig withMetricsPort(int port) {
        return new OperationsConfig(port, logFormat, tls, healthPort, shutdownDrain, shutdownGrace,
                readinessInterval, readinessTimeout, limits);
    }

    public OperationsConfig withTls(Tls newTls, int newHealthPort) {
        return new OperationsConfig(metricsPort, logFormat, Optional.of(newTls), newHealthPort, shutdownDrain,
                shutdownGrace, readinessInterval, readinessTimeout, limits);
    }

    public OperationsConfig withReadiness(Duration interval, Duration timeout) {
        return new OperationsConfig(metricsPort, logFormat, tls, healthPort, shutdownDrain, shutdownGrace,
                interval, timeout, limits);
    }

    public OperationsConfig withLimits(LoadLimits newLimits) {
        return new OperationsConfig(metricsPort, logFormat, tls, healthPort, shutdownDrain, shutdownGrace,
                readinessInterval, readinessTimeout, newLimits);
    }
}
