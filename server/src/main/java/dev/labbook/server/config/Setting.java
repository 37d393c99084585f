package dev.labbook.server.config;

import java.util.Locale;

/**
 * Every server setting, with its flag, environment variable and default. The same name is
 * used as the key in a configuration file ({@code --config FILE}, Java properties format).
 */
public enum Setting {
    HOST("host", "0.0.0.0", "Address to listen on."),
    PORT("port", "7800", "gRPC port."),
    DATA_DIR("data-dir", "~/.labbook", "Directory of the embedded default: PostgreSQL data under postgres/."),
    DB_URL("db-url", "", "JDBC URL of an external PostgreSQL (jdbc:postgresql://host:5432/db); "
            + "empty starts the embedded PostgreSQL."),
    DB_USER("db-user", "", "User for --db-url."),
    DB_PASSWORD("db-password", "", "Password for --db-url (prefer the environment variable)."),
    DB_POOL_SIZE("db-pool-size", "10", "Maximum connections in the database pool."),
    EMBEDDED_DB_PORT("embedded-db-port", "0", "Port of the embedded PostgreSQL on 127.0.0.1; 0 picks a free one."),
    MAX_MESSAGE_BYTES("max-message-bytes", "16777216", "Largest gRPC message the server accepts."),
    COMPACTION_INTERVAL("compaction-interval", "60",
            "Seconds between passes that merge small metric chunks; 0 turns compaction off.");

    private final String key;
    private final String defaultValue;
    private final String description;

    Setting(String key, String defaultValue, String description) {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /** Flag name without the leading "--"; also the key in a configuration file (e.g. data-dir). */
    public String key() {
        return key;
    }

    public String flag() {
        return "--" + key;
    }

    public String envVar() {
        return "LABBOOK_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public String defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }
}
