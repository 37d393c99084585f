package dev.labbook.server.domain.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The audit log in PostgreSQL: written in batches, flushed on close, listed to the admins of each project. */
@ExtendWith(LabbookServerExtension.class)
class AuditServiceIT {
    private static final Principal ROOT = Principals.of("root", "*", Role.ADMIN);
    private static final Principal P1_ADMIN = Principals.of("p1-admin", Map.of("p1", Role.ADMIN, "p2", Role.VIEWER));
    private static final Principal STAR_EDITOR = Principals.of("star-editor", Map.of("*", Role.EDITOR, "p2", Role.ADMIN));

    private static AuditEntry entry(String principal, String project, String target) {
        return new AuditEntry(Instant.now(), principal, "labbook.v1.RunService/PurgeRun", project, target, "OK",
                "127.0.0.1:1");
    }

    private static List<String> targets(dev.labbook.server.domain.Page<AuditEvent> page) {
        return page.items().stream().map(e -> e.entry().target()).toList();
    }

    @Test
    void writerFlushesOnCloseWithOneInsertPerBatch(TestServer server) throws Exception {
        try (PostgresDatabase database = PostgresDatabase.open(server.database(), 2)) {
            AuditWriter writer = new AuditWriter(database.accessStore());
            for (int i = 0; i < 1234; i++) {
                writer.record(entry("w", "p1", "run_id=" + i));
            }
            writer.close();
            assertThat(writer.written()).isEqualTo(1234);
        }
        try (Connection c = server.jdbc(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT target) FROM audit_event")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1234);
            assertThat(rs.getLong(2)).isEqualTo(1234);
        }
    }

    @Test
    void retentionDeletesOnlyEventsOlderThanTheCutoffInBatches(TestServer server) throws Exception {
        Instant now = Instant.now();
        AuditWriter writer = server.server().auditWriter();
        for (int i = 0; i < 10_005; i++) {
            writer.record(new AuditEntry(now.minus(Duration.ofDays(400)), "old", "m", "p1", "old-" + i, "OK", ""));
        }
        writer.record(new AuditEntry(now.minus(Duration.ofDays(10)), "recent", "m", "p1", "recent", "OK", ""));
        assertThat(writer.flush(Duration.ofSeconds(30))).isTrue();
        try (PostgresDatabase database = PostgresDatabase.open(server.database(), 2)) {
            AuditService audit = new AuditService(database.accessStore());
            assertThat(audit.deleteOlderThan(now.minus(Duration.ofDays(365)))).isEqualTo(10_005);
            assertThat(audit.deleteOlderThan(now.minus(Duration.ofDays(365)))).isZero();
            assertThat(targets(audit.list(ROOT, "", "", 0, ""))).containsExactly("recent");
        }
    }

    @Test
    void eachAdminSeesTheEventsOfItsProjectsAndOnlyAdminsOfEveryProjectSeeTheRest(TestServer server)
            throws Exception {
        AuditWriter writer = server.server().auditWriter();
        writer.record(entry("a", "p1", "t1"));
        writer.record(entry("b", "p2", "t2"));
        writer.record(entry("a", "", "t3"));
        writer.record(entry("b", "*", "t4"));
        writer.record(entry("b", "p1", "t5"));
        assertThat(writer.flush(Duration.ofSeconds(10))).isTrue();
        try (PostgresDatabase database = PostgresDatabase.open(server.database(), 2)) {
            listsByRole(new AuditService(database.accessStore()));
        }
    }

    private static void listsByRole(AuditService audit) {
        assertThat(targets(audit.list(ROOT, "", "", 0, ""))).containsExactly("t5", "t4", "t3", "t2", "t1");
        assertThat(targets(audit.list(ROOT, "*", "", 0, ""))).containsExactly("t4");
        assertThat(targets(audit.list(P1_ADMIN, "", "", 0, ""))).containsExactly("t5", "t1");
        assertThat(targets(audit.list(P1_ADMIN, "", "b", 0, ""))).containsExactly("t5");
        assertThat(targets(audit.list(STAR_EDITOR, "", "", 0, ""))).containsExactly("t2");
        assertThat(targets(audit.list(STAR_EDITOR, "p2", "b", 0, ""))).containsExactly("t2");

        assertThatThrownBy(() -> audit.list(P1_ADMIN, "p2", "", 0, "")).isInstanceOf(PermissionDeniedException.class)
                .hasMessageContaining("audit events").hasMessageContaining("'p2'");
        assertThatThrownBy(() -> audit.list(STAR_EDITOR, "*", "", 0, "")).isInstanceOf(PermissionDeniedException.class);
        assertThatThrownBy(() -> audit.list(P1_ADMIN, "", "x".repeat(257), 0, ""))
                .isInstanceOf(dev.labbook.server.domain.InvalidArgumentException.class).hasMessageStartingWith("principal: ");
    }
}
