package dev.labbook.server.config;

import java.nio.file.Path;
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
        ArtifactConfig artifacts) {

    public boolean embeddedDatabase() {
        return dbUrl.isEmpty();
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, dataDir, dbUrl, dbUser, dbPassword, dbPoolSize, embeddedDbPort,
                maxMessageBytes, compactionIntervalSeconds, artifacts);
    }
}
