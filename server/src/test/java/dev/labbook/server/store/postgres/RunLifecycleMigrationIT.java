package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.domain.RunStatusChange;
import dev.labbook.server.testing.SharedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * V6 (run lifecycle) on a database that already holds runs: an existing run's creation time is
 * its start time, it starts at revision 1 with no creator and no request id, its old history
 * (reason UPDATE) stays readable, and the new constraints hold (QUEUED allowed; a RUNNING run
 * needs a start time).
 */
class RunLifecycleMigrationIT {

    @Test
    void existingRunsGetTheirStartTimeAsCreationTime() throws Exception {
        DatabaseEndpoint endpoint = SharedPostgres.newDatabase("labbook_v6_migration_test");
        Flyway.configure().dataSource(endpoint.jdbcUrl(), endpoint.user(), endpoint.password())
                .locations(PostgresDatabase.MIGRATIONS_LOCATION).target("5").load().migrate();
        try (Connection c = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO experiment (id, project, name, name_key, created_at, updated_at) VALUES "
                    + "('0190f0c2-3b4a-7d5e-8f60-000000000001', 'default', 'e', 'e', now(), now())");
            s.execute("INSERT INTO run (id, experiment_id, name, name_key, status, start_time, end_time, updated_at) "
                    + "VALUES ('0190f0c2-3b4a-7d5e-8f60-000000000002', '0190f0c2-3b4a-7d5e-8f60-000000000001', "
                    + "'old', 'old', 'COMPLETED', '2024-05-01T10:00:00Z', '2024-05-01T11:00:00Z', now())");
            s.execute("INSERT INTO run_status_change (run_id, from_status, to_status, changed_at, reason) VALUES "
                    + "('0190f0c2-3b4a-7d5e-8f60-000000000002', 'RUNNING', 'COMPLETED', now(), 'UPDATE')");

            try (PostgresDatabase database = PostgresDatabase.open(endpoint, 2)) {
                assertThat(database.migrate()).isPositive();
                // History written before FinishRun existed stays readable.
                UUID old = UUID.fromString("0190f0c2-3b4a-7d5e-8f60-000000000002");
                List<RunStatusChange> history = database.trackingStore().inTransaction(
                        tx -> tx.runs().statusHistory(old));
                assertThat(history)
                        .extracting(RunStatusChange::reason).containsExactly(RunStatusChange.Reason.UPDATE);
                Instant created = database.trackingStore().inTransaction(tx -> tx.runs().findById(old, false))
                        .orElseThrow().createTime();
                assertThat(created)
                        .isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
            }

            try (ResultSet rs = s.executeQuery("SELECT create_time = start_time, revision, creator, request_id "
                    + "FROM run WHERE name = 'old'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).isTrue();
                assertThat(rs.getLong(2)).isEqualTo(1);
                assertThat(rs.getString(3)).isEmpty();
                assertThat(rs.getString(4)).isNull();
            }
            try (ResultSet rs = s.executeQuery("SELECT revision, creator FROM experiment")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1);
                assertThat(rs.getString(2)).isEmpty();
            }
            s.execute("INSERT INTO run (id, experiment_id, name, name_key, status, create_time, updated_at) VALUES "
                    + "('0190f0c2-3b4a-7d5e-8f60-000000000003', '0190f0c2-3b4a-7d5e-8f60-000000000001', "
                    + "'queued', 'queued', 'QUEUED', now(), now())");
            assertThatThrownBy(() -> s.execute("UPDATE run SET status = 'RUNNING' WHERE name = 'queued'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("run_started_ck");
        }
    }
}
