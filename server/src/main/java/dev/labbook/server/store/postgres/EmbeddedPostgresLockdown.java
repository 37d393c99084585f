package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.EmbeddedPostgresDatabase.DATABASE;
import static dev.labbook.server.store.postgres.EmbeddedPostgresDatabase.ROLE;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-time setup that locks the embedded PostgreSQL down, run as the superuser over the Unix
 * socket the setup {@code pg_hba.conf} admits it on (see {@link PgHba#setup}), when a cluster is
 * new, comes from a version before the lockdown, lost its password file or had pg_hba edited:
 * <ol>
 *   <li>the role {@code labbook}: LOGIN, no SUPERUSER, CREATEDB, CREATEROLE, REPLICATION or
 *       BYPASSRLS, with the password of {@code DATA_DIR/postgres-password} (already on disk);
 *   <li>the database {@code labbook}, created or handed over to that role, and every schema,
 *       table, view, sequence, type and routine in it (Flyway's history too);
 *   <li>the superuser's password removed: no password lets it in, and the locked-down pg_hba has no
 *       line for it anyway;
 *   <li>the locked-down {@code pg_hba.conf}, reloaded; once a new superuser login over the socket
 *       is refused (the postmaster reloads asynchronously), every other client session is
 *       terminated, so none opened under the setup pg_hba outlives it. Ending them before the
 *       switch would leave a gap until the reload takes effect; after it, nothing is left open.
 * </ol>
 * Every step is idempotent and the hand-over is one transaction, so a crash anywhere leaves a
 * cluster the next start sets up again (pg_hba is switched last): never one nobody can log in to.
 */
final class EmbeddedPostgresLockdown {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresLockdown.class);

    /**
     * Hands every object of the database's own schemas (not pg_catalog, information_schema,
     * pg_toast) to the role. Indexes, TOAST tables, row types and sequences owned by a column
     * (serial, identity) follow their table; arrays and multiranges follow their element type.
     */
    private static final String TRANSFER_OWNERSHIP = """
            DO $$
            DECLARE
                r record;
                target regrole := '%1$s'::regrole;
            BEGIN
                FOR r IN SELECT nspname FROM pg_namespace
                         WHERE nspname !~ '^pg_' AND nspname <> 'information_schema' AND nspowner <> target LOOP
                    EXECUTE format('ALTER SCHEMA %%I OWNER TO %%I', r.nspname, target);
                END LOOP;
                FOR r IN SELECT c.oid, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
                           AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND c.relowner <> target
                         ORDER BY c.relkind = 'S' LOOP
                    -- A sequence owned by a column moved with its table just now.
                    CONTINUE WHEN (SELECT relowner FROM pg_class WHERE oid = r.oid) = target;
                    EXECUTE format('ALTER %%s %%s OWNER TO %%I', CASE r.relkind WHEN 'v' THEN 'VIEW'
                        WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE'
                        ELSE 'TABLE' END, r.oid::regclass, target);
                END LOOP;
                FOR r IN SELECT t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                         LEFT JOIN pg_class c ON c.oid = t.typrelid
                         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND t.typowner <> target
                           AND (t.typrelid = 0 OR c.relkind = 'c') AND t.typtype <> 'm'
                           AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid) LOOP
                    EXECUTE format('ALTER TYPE %%s OWNER TO %%I', r.oid::regtype, target);
                END LOOP;
                FOR r IN SELECT p.oid, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' AND p.proowner <> target LOOP
                    EXECUTE format('ALTER %%s %%s OWNER TO %%I', CASE r.prokind WHEN 'a' THEN 'AGGREGATE'
                        WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END, r.oid::regprocedure, target);
                END LOOP;
            END
            $$""".formatted(ROLE);

    /** How long the postmaster may take to load the locked-down pg_hba after the reload signal. */
    private static final Duration RELOAD_WAIT = Duration.ofSeconds(10);

    private EmbeddedPostgresLockdown() {
    }

    /**
     * @param postgres started with the setup pg_hba, connecting as the superuser over its Unix socket
     * @param pgData its data directory
     * @param rolePassword the role's password, already in its file
     */
    static void apply(EmbeddedPostgres postgres, Path pgData, String rolePassword) throws SQLException, IOException {
        LOG.info("locking the embedded PostgreSQL down: role {} owns database {}, password authentication only",
                ROLE, DATABASE);
        try (Connection admin = postgres.getDatabase("postgres", "postgres").getConnection()) {
            ensureRole(admin, rolePassword);
            ensureDatabase(admin);
            try (Connection database = postgres.getDatabase("postgres", DATABASE).getConnection();
                    Statement s = database.createStatement()) {
                s.execute(TRANSFER_OWNERSHIP);
            }
            try (Statement s = admin.createStatement()) {
                // The superuser is only ever needed for this setup, which a later start redoes over
                // the setup pg_hba's socket; without a password SCRAM cannot authenticate it at all.
                s.execute("ALTER ROLE postgres PASSWORD NULL");
            }
            PgHba.write(pgData, PgHba.lockedDown());
            try (Statement s = admin.createStatement()) {
                s.execute("SELECT pg_reload_conf()");
            }
            awaitLockedDown(postgres);
            terminateOtherSessions(admin);
        }
    }

    /** Waits until the postmaster has loaded the locked-down pg_hba: the superuser's login is refused. */
    private static void awaitLockedDown(EmbeddedPostgres postgres) throws SQLException {
        long deadline = System.nanoTime() + RELOAD_WAIT.toNanos();
        while (true) {
            try (Connection ignored = postgres.getDatabase("postgres", "postgres").getConnection()) {
                if (System.nanoTime() > deadline) {
                    throw new SQLException("the embedded PostgreSQL did not load the locked-down pg_hba.conf "
                            + "within " + RELOAD_WAIT.toSeconds() + " s");
                }
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("28")) {
                    return; // no pg_hba.conf entry: the setup line is gone
                }
                throw e;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for the locked-down pg_hba.conf", e);
            }
        }
    }

    private static void terminateOtherSessions(Connection admin) throws SQLException {
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'""")) {
            rs.next();
            int terminated = rs.getInt(1);
            if (terminated > 0) {
                LOG.warn("ended {} other database session(s) opened during the setup", terminated);
            }
        }
    }

    private static void ensureRole(Connection admin, String password) throws SQLException {
        boolean exists;
        try (PreparedStatement s = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            s.setString(1, ROLE);
            try (ResultSet rs = s.executeQuery()) {
                exists = rs.next();
            }
        }
        try (Statement s = admin.createStatement()) {
            s.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + ROLE
                    + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT");
        }
        // The SCRAM verifier is computed here: the password itself never reaches the server
        // (nor its statement log).
        admin.unwrap(PGConnection.class).alterUserPassword(ROLE, password.toCharArray(), "scram-sha-256");
    }

    private static void ensureDatabase(Connection admin) throws SQLException {
        boolean exists;
        try (PreparedStatement s = admin.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            s.setString(1, DATABASE);
            try (ResultSet rs = s.executeQuery()) {
                exists = rs.next();
            }
        }
        try (Statement s = admin.createStatement()) {
            s.execute(exists ? "ALTER DATABASE " + DATABASE + " OWNER TO " + ROLE
                    : "CREATE DATABASE " + DATABASE + " OWNER " + ROLE);
        }
    }
}
