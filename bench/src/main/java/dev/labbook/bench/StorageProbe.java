package dev.labbook.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

/**
 * Reads the metric tables' on-disk size from the server's embedded PostgreSQL. Its JDBC URL is
 * not part of the API, so the port comes from {@code DATA_DIR/postgres/postmaster.pid} (line 4);
 * the embedded cluster admits only the role {@code labbook}, with the password the server keeps
 * in {@code DATA_DIR/postgres-password} (see docs/configuration.md).
 */
final class StorageProbe {
    static final String TABLES = "'metric_chunk', 'metric_series', 'run_writer'";

    /** Sizes of the metric tables, with TOAST and indexes, and the points they hold. */
    record Sizes(long totalBytes, long points, long chunks, long payloadBytes, String breakdown) {
        double bytesPerPoint() {
            return points == 0 ? Double.NaN : (double) totalBytes / points;
        }
    }

    private final String url;
    private final long postmasterPid;
    private final Path passwordFile;

    StorageProbe(Path dataDir) throws Exception {
        // postmaster.pid: line 1 pid, 2 data directory, 3 start time, 4 port, ...
        List<String> pid = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid"));
        this.postmasterPid = Long.parseLong(pid.get(0).trim());
        int port = Integer.parseInt(pid.get(3).trim());
        this.url = "jdbc:postgresql://127.0.0.1:" + port + "/labbook";
        this.passwordFile = dataDir.resolve("postgres-password");
    }

    long postmasterPid() {
        return postmasterPid;
    }

    Sizes measure() throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "labbook");
        props.setProperty("password", Files.readString(passwordFile).trim());
        try (Connection c = DriverManager.getConnection(url, props); Statement s = c.createStatement()) {
            StringBuilder breakdown = new StringBuilder();
            long total = 0;
            try (ResultSet rs = s.executeQuery("SELECT relname, pg_total_relation_size(oid), pg_relation_size(oid), "
                    + "pg_indexes_size(oid), coalesce(pg_total_relation_size(nullif(reltoastrelid, 0)), 0) "
                    + "FROM pg_class WHERE relkind = 'r' AND relname IN (" + TABLES + ") "
                    + "AND relnamespace = 'public'::regnamespace ORDER BY relname")) {
                while (rs.next()) {
                    total += rs.getLong(2);
                    breakdown.append(String.format("%s: total %.1f MB (heap %.1f MB, indexes %.1f MB, toast %.1f MB); ",
                            rs.getString(1), rs.getLong(2) / 1e6, rs.getLong(3) / 1e6, rs.getLong(4) / 1e6,
                            rs.getLong(5) / 1e6));
                }
            }
            long points;
            try (ResultSet rs = s.executeQuery("SELECT coalesce(sum(point_count), 0) FROM metric_series")) {
                rs.next();
                points = rs.getLong(1);
            }
            long chunks;
            long payload;
            try (ResultSet rs = s.executeQuery(
                    "SELECT count(*), coalesce(sum(pg_column_size(data)), 0) FROM metric_chunk")) {
                rs.next();
                chunks = rs.getLong(1);
                payload = rs.getLong(2);
            }
            return new Sizes(total, points, chunks, payload, breakdown.toString());
        }
    }
}
