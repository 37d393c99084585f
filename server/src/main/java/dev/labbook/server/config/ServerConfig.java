package dev.labbook.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import dev.labbook.server.domain.submit.ComputeTarget;

/** The server's settings, resolved once at start (see {@link ServerConfigLoader}). */
public record ServerConfig(
        String host,
        int port,
        Path dataDir,
        Optional<String> dbUrl,
        String dbUser,
        String dbPassword,
        int dbPoolSize,
        int embeddedDbPort,
        int maxMessageBytes,
        int compactionIntervalSeconds,
        ArtifactConfig artifacts,
        OperationsConfig operations,
        HttpConfig http,
        AuthConfig auth,
        Duration runLease,
        Duration livePollInterval,
        List<ComputeTarget> computeTargets) {

    /** The default of {@link Setting#RUN_LEASE_SECONDS}. */
    public static final Duration DEFAULT_RUN_LEASE = Duration.ofSeconds(300);
    /** The default of {@link Setting#LIVE_POLL_INTERVAL_MS}. */
    public static final Duration DEFAULT_LIVE_POLL_INTERVAL = Duration.ofMillis(500);

    public ServerConfig {
        computeTargets = List.copyOf(computeTargets);
    }

    /** A server without compute targets (no submissions). */
    public ServerConfig(String host, int port, Path dataDir, Optional<String> dbUrl, String dbUser, String dbPassword,
            int dbPoolSize, int embeddedDbPort, int maxMessageBytes, int compactionIntervalSeconds,
            ArtifactConfig artifacts, OperationsConfig operations, HttpConfig http, AuthConfig auth,
            Duration runLease, Duration livePollInterval) {
        this(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort, maxMessageBytes,
                compactionIntervalSeconds, artifacts, operations, http, auth, runLease, livePollInterval, List.of());
    }

    /** A server with the default fallback poll of log follows and WatchRun. */
    public ServerConfig(String host, int port, Path dataDir, Optional<String> dbUrl, String dbUser, String dbPassword,
            int dbPoolSize, int embeddedDbPort, int maxMessageBytes, int compactionIntervalSeconds,
            ArtifactConfig artifacts, OperationsConfig operations, HttpConfig http, AuthConfig auth,
            Duration runLease) {
        this(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort, maxMessageBytes,
                compactionIntervalSeconds, artifacts, operations, http, auth, runLease, DEFAULT_LIVE_POLL_INTERVAL);
    }

    /** A server with the default run lease. */
    public ServerConfig(String host, int port, Path dataDir, Optional<String> dbUrl, String dbUser, String dbPassword,
            int dbPoolSize, int embeddedDbPort, int maxMessageBytes, int compactionIntervalSeconds,
            ArtifactConfig artifacts, OperationsConfig operations, HttpConfig http, AuthConfig auth) {
        this(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort, maxMessageBytes,
                compactionIntervalSeconds, artifacts, operations, http, auth, DEFAULT_RUN_LEASE);
    }

    /** A server with access control off, as tests embed it unless they ask for it. */
    public ServerConfig(String host, int port, Path dataDir, Optional<String> dbUrl, String dbUser, String dbPassword,
            int dbPoolSize, int embeddedDbPort, int maxMessageBytes, int compactionIntervalSeconds,
            ArtifactConfig artifacts, OperationsConfig operations, HttpConfig http) {
        this(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort, maxMessageBytes,
                compactionIntervalSeconds, artifacts, operations, http, AuthConfig.off());
    }

    /** A server without the HTTP port, as tests embed it unless they ask for it. */
    public ServerConfig(String host, int port, Path dataDir, Optional<String> dbUrl, String dbUser, String dbPassword,
            int dbPoolSize, int embeddedDbPort, int maxMessageBytes, int compactionIntervalSeconds,
            ArtifactConfig artifacts, OperationsConfig operations) {
        this(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort, maxMessageBytes,
                compactionIntervalSeconds, artifacts, operations, HttpConfig.off());
    }

    /** A server with {@link OperationsConfig#minimal()} operations settings, as tests embed it. */
    public ServerConfig(String host, int port, Path dataDir, Optional<String> dbUrl, String dbUser, String dbPassword,
            int dbPoolSize, int embeddedDbPort, int maxMessageBytes, int compactionIntervalSeconds,
            ArtifactConfig artifacts) {
        this(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort, maxMessageBytes,
                compactionIntervalSeconds, artifacts, OperationsConfig.minimal());
    }

    public boolean embeddedDatabase() {
        return dbUrl.isEmpty();
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, http, auth, runLease,
                livePollInterval, computeTargets);
    }

    public ServerConfig withOperations(OperationsConfig newOperations) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, newOperations, http, auth, runLease,
                livePollInterval, computeTargets);
    }

    public ServerConfig withHttp(HttpConfig newHttp) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, newHttp, auth, runLease,
                livePollInterval, computeTargets);
    }

    public ServerConfig withAuth(AuthConfig newAuth) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, http, newAuth, runLease,
                livePollInterval, computeTargets);
    }

    public ServerConfig withRunLease(Duration newRunLease) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, http, auth, newRunLease,
                livePollInterval, computeTargets);
    }

    public ServerConfig withLivePollInterval(Duration newInterval) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, http, auth, runLease,
                newInterval, computeTargets);
    }

    public ServerConfig withComputeTargets(List<ComputeTarget> targets) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, http, auth, runLease,
                livePollInterval, targets);
    }
}
