package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.testing.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Properties;
import java.util.Random;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;

/**
 * Queries run through {@link BinaryResults} are prepared on the server from their first
 * execution, which is how pgjdbc receives results in binary form (a {@code bytea} as its bytes,
 * not as hex text); without it pgjdbc waits for the fifth execution on a connection.
 */
class BinaryResultsIT {
    @Test
    void theFirstExecutionAlreadyReadsBinaryResultsAndTheBytesArriveIntact() throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("binary_results");
        byte[] payload = new byte[200_000];
        new Random(7).nextBytes(payload);
        try (Connection sql = IncrementalHousekeepingIT.connect(endpoint)) {
            try (Statement s = sql.createStatement()) {
                s.execute("CREATE TABLE blob (id int PRIMARY KEY, data bytea NOT NULL)");
            }
            DSLContext plain = DSL.using(sql, SQLDialect.POSTGRES);
            plain.execute("INSERT INTO blob VALUES (1, ?)", (Object) payload);

            byte[] text = plain.select(DSL.field("data", byte[].class)).from("blob").where("id = 1")
                    .fetchOne(0, byte[].class);
            assertThat(text).isEqualTo(payload);
            assertThat(serverPrepared(plain, "blob")).as("pgjdbc's default: not prepared on the first run").isZero();

            byte[] binary = BinaryResults.on(plain).select(DSL.field("data", byte[].class)).from("blob")
                    .where("id = 1").fetchOne(0, byte[].class);
            assertThat(binary).isEqualTo(payload);
            assertThat(serverPrepared(plain, "blob")).as("prepared at once, results binary").isEqualTo(1);
        }
    }

    @Test
    void aConnectionThatPreparesNothingOnTheServerIsLeftAlone() throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("binary_results_pgbouncer");
        // What a URL for PgBouncer in transaction mode says: no named statements on the server.
        Properties settings = new Properties();
        settings.setProperty("user", endpoint.user());
        settings.setProperty("password", endpoint.password());
        settings.setProperty("prepareThreshold", "0");
        try (Connection sql = DriverManager.getConnection(endpoint.jdbcUrl(), settings)) {
            DSLContext dsl = DSL.using(sql, SQLDialect.POSTGRES);
            dsl.execute("CREATE TABLE blob (id int PRIMARY KEY, data bytea NOT NULL)");
            dsl.execute("INSERT INTO blob VALUES (1, ?)", (Object) new byte[] {1, 2, 3});
            for (int i = 0; i < 6; i++) {
                assertThat(BinaryResults.on(dsl).select(DSL.field("data", byte[].class)).from("blob")
                        .where("id = 1").fetchOne(0, byte[].class)).containsExactly(1, 2, 3);
            }
            assertThat(serverPrepared(dsl, "blob")).isZero();
        }
    }

    /** Statements of this session prepared on the server whose text mentions {@code table}. */
    private static int serverPrepared(DSLContext dsl, String table) {
        return ((Number) dsl.fetchValue("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE ?",
                "%from " + table + "%")).intValue();
    }
}
