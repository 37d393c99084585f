package dev.labbook.server.testing;

import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.config.ServerConfigLoader;
import dev.labbook.server.config.Setting;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * The configuration {@code labbook server} builds from its flags, for an in-process server on
 * 127.0.0.1 with free ports, a fresh database of {@link SharedPostgres}, artifacts under
 * {@code dir} and no compaction; {@code settings} add to or override these.
 */
public final class LocalServerConfig {
    private LocalServerConfig() {
    }

    public static ServerConfig load(String database, Path dir, Map<Setting, String> settings) {
        DatabaseEndpoint db = SharedPostgres.newDatabase(database);
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        flags.put(Setting.HOST, "127.0.0.1");
        flags.put(Setting.PORT, "0");
        flags.put(Setting.METRICS_PORT, "0");
        flags.put(Setting.DB_URL, db.jdbcUrl());
        flags.put(Setting.DB_USER, db.user());
        flags.put(Setting.DB_PASSWORD, db.password());
        flags.put(Setting.ARTIFACT_DIR, dir.resolve("artifacts").toString());
        flags.put(Setting.COMPACTION_INTERVAL, "0");
        flags.putAll(settings);
        return ServerConfigLoader.load(flags, Map.of(), null, dir);
    }
}
