package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.store.postgres.internal.generated.DefaultSchema;
import dev.labbook.server.testing.SharedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.jooq.Field;
import org.jooq.Table;
import org.junit.jupiter.api.Test;

/**
 * The migrations build the schema from an empty database, a second run is a no-op, and the
 * jOOQ classes (generated at build time from the same scripts by jOOQ's DDLDatabase) describe
 * exactly the tables, columns and nullability that PostgreSQL built.
 */
class DatabaseSchemaIT {

    @Test
    void migratesAnEmptyDatabaseOnceAndThenIsUpToDate() throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("labbook_migration_test");
        long scripts;
        try (Stream<Path> files = Files.list(Path.of("..", "migrations"))) {
            scripts = files.filter(p -> p.getFileName().toString().matches("V\\d+__.+\\.sql")).count();
        }

        try (PostgresDatabase database = PostgresDatabase.open(endpoint, 2)) {
            assertThat(database.migrate()).isEqualTo(scripts).isPositive();
            assertThat(database.migrate()).isZero();
        }
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(scripts);
        }
    }

    @Test
    void generatedJooqModelMatchesThePostgresSchema() throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("labbook_schema_test");
        try (PostgresDatabase database = PostgresDatabase.open(endpoint, 2)) {
            database.migrate();
        }
        Map<String, String> actual = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT table_name, column_name, is_nullable FROM "
                        + "information_schema.columns WHERE table_schema = 'public' "
                        + "AND table_name <> 'flyway_schema_history'")) {
            while (rs.next()) {
                actual.put(rs.getString(1) + "." + rs.getString(2), rs.getString(3).equals("YES") ? "null" : "not null");
            }
        }
        Map<String, String> generated = new TreeMap<>();
        for (Table<?> table : DefaultSchema.DEFAULT_SCHEMA.getTables()) {
            for (Field<?> field : table.fields()) {
                generated.put(table.getName() + "." + field.getName(),
                        field.getDataType().nullable() ? "null" : "not null");
            }
        }
        assertThat(generated).isEqualTo(actual);
        assertThat(new TreeSet<>(generated.keySet())).contains("run.status", "run_param.value_num");
    }
}
