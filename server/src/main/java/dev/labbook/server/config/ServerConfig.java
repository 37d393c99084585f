package dev.labbook.server.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

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
        Duration livePollInterval) {

    /** The default of {@link Setting#RUN_LEASE_SECONDS}. */
    public static final Duration DEFAULT_RUN_LEASE = Duration.ofSeconds(300);
    /** The default of {@link Setting#LIVE_POLL_INTERVAL_MS}. */
    public static final Duration DEFAULT_LIVE_POLL_INTERVAL = Duration.ofMillis(500);

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
                livePollInterval);
    }

    public ServerConfig withOperations(OperationsConfig newOperations) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, newOperations, http, auth, runLease,
                livePollInterval);
    }

    public ServerConfig withHttp(HttpConfig newHttp) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, newHttp, auth, runLease,
                livePollInterval);
    }

    public ServerConfig withAuth(AuthConfig newAuth) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, http, newAuth, runLease,
                livePollInterval);
    }

    public ServerConfig withRunLease(Duration newRunLease) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, http, auth, newRunLease,
                livePollInterval);
    }

    public ServerConfig withLivePollInterval(Duration newInterval) {
        return new ServerConfig(host, port, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts, operations, http, auth, runLease,
                newInterval);
    }
}
