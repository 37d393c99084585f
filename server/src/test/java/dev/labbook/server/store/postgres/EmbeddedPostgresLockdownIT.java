package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.Param;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.Value;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.cli.LabbookCommand;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.config.ServerConfigLoader;
import dev.labbook.server.config.Setting;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL as the server runs it: only the role labbook, with its password, gets
 * in; an old data directory (trust, everything owned by postgres) is upgraded in place with all
 * its data. Each embedded start costs seconds, so each test checks a lot per start.
 */
class EmbeddedPostgresLockdownIT {
    @TempDir
    Path tmp;

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    private static Connection connect(int port, String database, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, props);
    }

    private static Connection connectOverSocket(Path socketFile, String user) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("socketFactory", UnixSocketFactory.class.getName());
        props.setProperty("socketFactoryArg", socketFile.toString());
        props.setProperty("sslmode", "disable");
        return DriverManager.getConnection("jdbc:postgresql://localhost/postgres", props);
    }

    /**
     * While a server that did the setup runs, its PostgreSQL still listens on the setup socket: in
     * a 0700 directory, 0700 itself, and after the setup it lets nobody in either.
     */
    private static void assertTheSetupSocketIsPrivateAndLockedDown(Path dataDir, int port) throws Exception {
        Path directory = dataDir.resolve(SetupSocket.DIRECTORY);
        Path socketFile = directory.resolve(".s.PGSQL." + port);
        assertThat(mode(directory)).isEqualTo("rwx------");
        assertThat(mode(socketFile)).isEqualTo("rwx------");
        for (String user : List.of("postgres", "labbook")) {
            assertThatThrownBy(() -> connectOverSocket(socketFile, user)).as(user + " over the socket")
                    .isInstanceOf(SQLException.class).hasMessageContaining("no pg_hba.conf entry");
        }
    }

    /** Every way in but the role's own, with its password, to its database, is refused. */
    private static void assertOnlyTheRoleWithItsPasswordGetsIn(int port, String password) {
        assertThatThrownBy(() -> connect(port, "labbook", "labbook", null)).as("labbook without password")
                .isInstanceOf(SQLException.class).hasMessageContaining("password");
        assertThatThrownBy(() -> connect(port, "labbook", "labbook", "wrong")).as("labbook, wrong password")
                .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
        for (String database : List.of("labbook", "postgres", "template1")) {
            assertThatThrownBy(() -> connect(port, database, "postgres", null)).as("postgres without password")
                    .isInstanceOf(SQLException.class).hasMessageContaining("no pg_hba.conf entry");
            assertThatThrownBy(() -> connect(port, database, "postgres", password)).as("postgres, role's password")
                    .isInstanceOf(SQLException.class).hasMessageContaining("no pg_hba.conf entry");
        }
        assertThatThrownBy(() -> connect(port, "postgres", "labbook", password)).as("labbook, other database")
                .isInstanceOf(SQLException.class).hasMessageContaining("no pg_hba.conf entry");
        assertThatThrownBy(() -> connect(port, "labbook", "someone", password)).as("another role")
                .isInstanceOf(SQLException.class).hasMessageContaining("no pg_hba.conf entry");
    }

    /** The role is no superuser, owns the database and every object in it. */
    private static void assertTheServerSettings(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT current_setting('synchronous_commit'), current_setting('autovacuum_naptime')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("acknowledged writes are on disk").isEqualTo("on");
            assertThat(rs.getString(2)).as("statistics catch up with a burst within seconds").isEqualTo("10s");
        }
    }

    private static void assertTheRoleOwnsEverythingAndIsNoSuperuser(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT current_user, rolsuper, rolcreaterole, rolcreatedb, "
                    + "rolreplication, rolbypassrls, pg_get_userbyid(d.datdba) FROM pg_roles r, pg_database d "
                    + "WHERE r.rolname = current_user AND d.datname = current_database()")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("labbook");
                for (int column = 2; column <= 6; column++) {
                    assertThat(rs.getBoolean(column)).as(rs.getMetaData().getColumnName(column)).isFalse();
                }
                assertThat(rs.getString(7)).as("database owner").isEqualTo("labbook");
            }
            List<String> notOwned = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT c.relkind || ' ' || c.relname FROM pg_class c "
                    + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
                    + "AND c.relowner <> 'labbook'::regrole UNION ALL SELECT 'schema ' || nspname FROM pg_namespace "
                    + "WHERE nspname = 'public' AND nspowner <> 'labbook'::regrole UNION ALL "
                    + "SELECT 'type ' || typname FROM pg_type WHERE typnamespace = 'public'::regnamespace "
                    + "AND typowner <> 'labbook'::regrole")) {
                while (rs.next()) {
                    notOwned.add(rs.getString(1));
                }
            }
            assertThat(notOwned).as("objects not owned by labbook").isEmpty();
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                    + "AND relname IN ('flyway_schema_history', 'experiment', 'run')")) {
                rs.next();
                assertThat(rs.getInt(1)).as("the schema is there").isEqualTo(3);
            }
        }
    }

    private static void assertLockedDownFiles(Path dataDir) throws Exception {
        Path passwordFile = dataDir.resolve(EmbeddedPostgresDatabase.PASSWORD_FILE);
        assertThat(mode(passwordFile)).isEqualTo("rw-------");
        assertThat(Files.readString(passwordFile).strip()).hasSize(PasswordFile.LENGTH).matches("[A-Za-z0-9]+");
        String hba = Files.readString(dataDir.resolve("postgres").resolve("pg_hba.conf"));
        assertThat(hba).isEqualTo(PgHba.lockedDown()).doesNotContain("trust").doesNotContain("local ");
        assertThat(hba.lines().filter(line -> line.startsWith("host")))
                .containsExactly("host  labbook  labbook  127.0.0.1/32  scram-sha-256",
                        "host  labbook  labbook  ::1/128       scram-sha-256");
        assertThat(dataDir.resolve("postgres-initdb-password")).doesNotExist();
        assertThat(dataDir.resolve(SetupSocket.DIRECTORY)).as("setup socket directory, once stopped").doesNotExist();
    }

    @Test
    void aNewDataDirectoryIsLockedDownFromItsFirstStartAndMigrateWorksOnIt() throws Exception {
        Path dataDir = tmp.resolve("new");

        // First start: `labbook migrate` on the embedded default (initdb, setup, migrations as the role).
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = LabbookCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("migrate", "--data-dir", dataDir.toString());
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).startsWith("Applied ").contains("schema is up to date");

        assertThat(mode(dataDir)).as("data directory").isEqualTo("rwx------");
        assertThat(mode(dataDir.resolve("postgres"))).isEqualTo("rwx------");
        assertLockedDownFiles(dataDir);
        String password = Files.readString(dataDir.resolve(EmbeddedPostgresDatabase.PASSWORD_FILE)).strip();

        // Second start: the steady state, where zonky itself checks readiness as the role.
        try (EmbeddedPostgresDatabase db = EmbeddedPostgresDatabase.start(dataDir, 0)) {
            DatabaseEndpoint endpoint = db.endpoint();
            assertThat(endpoint.user()).isEqualTo("labbook");
            assertThat(endpoint.password()).isEqualTo(password);
            assertThat(endpoint.jdbcUrl()).doesNotContain("user=").startsWith("jdbc:postgresql://127.0.0.1:");

            assertOnlyTheRoleWithItsPasswordGetsIn(db.port(), password);
            try (Connection c = connect(db.port(), "labbook", "labbook", password)) {
                assertTheRoleOwnsEverythingAndIsNoSuperuser(c);
                assertTheServerSettings(c);
            }
            try (PostgresDatabase pool = PostgresDatabase.open(endpoint, 2)) {
                assertThat(pool.migrate()).as("already migrated").isZero();
            }
        }
        assertLockedDownFiles(dataDir);
        assertThat(Files.readString(dataDir.resolve(EmbeddedPostgresDatabase.PASSWORD_FILE)).strip())
                .as("the password is kept").isEqualTo(password);

        // A deleted password file is no lock-out: the next start gives the role a new password,
        // and nobody gets in over TCP without a password meanwhile.
        Files.delete(dataDir.resolve(EmbeddedPostgresDatabase.PASSWORD_FILE));
        int databasePort = freePort();
        EmbeddedPostgresDatabase renewedDb;
        try (PasswordlessLogins attacker = new PasswordlessLogins(databasePort)) {
            renewedDb = EmbeddedPostgresDatabase.start(dataDir, databasePort);
        }
        try (EmbeddedPostgresDatabase db = renewedDb) {
            assertTheSetupSocketIsPrivateAndLockedDown(dataDir, databasePort);
            assertOnlyTheRoleWithItsPasswordGetsIn(databasePort, db.endpoint().password());
            String renewed = db.endpoint().password();
            assertThat(renewed).isNotEqualTo(password);
            assertThatThrownBy(() -> connect(db.port(), "labbook", "labbook", password)).as("the old password")
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            try (Connection c = connect(db.port(), "labbook", "labbook", renewed)) {
                assertTheRoleOwnsEverythingAndIsNoSuperuser(c);
            }
        }
        assertLockedDownFiles(dataDir);
    }

    private static <T> T call(int port, Function<ManagedChannel, T> work) throws InterruptedException {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            return work.apply(channel);
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private ServerConfig embedded(Path dataDir, int databasePort) {
        return ServerConfigLoader.load(Map.of(Setting.PORT, "0", Setting.HTTP_PORT, "0", Setting.METRICS_PORT, "0",
                Setting.DATA_DIR, dataDir.toString(), Setting.COMPACTION_INTERVAL, "0",
                Setting.EMBEDDED_DB_PORT, Integer.toString(databasePort)), Map.of(), null, tmp);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * What a local user could do while a start sets the cluster up: log in over TCP without a
     * password, as fast as it can, as the superuser to each database and as the role.
     */
    private static final class PasswordlessLogins implements AutoCloseable {
        private static final List<String[]> WHO = List.of(new String[] {"postgres", "postgres"},
                new String[] {"postgres", "labbook"}, new String[] {"postgres", "template1"},
                new String[] {"labbook", "labbook"});
        private final int port;
        private final Thread thread;
        private final AtomicBoolean stop = new AtomicBoolean();
        /** Attempts PostgreSQL answered (as opposed to: nothing listening yet). */
        private final AtomicInteger answered = new AtomicInteger();
        private final List<String> succeeded = new CopyOnWriteArrayList<>();

        PasswordlessLogins(int port) {
            this.port = port;
            this.thread = new Thread(this::run, "passwordless-logins");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            for (int i = 0; !stop.get(); i++) {
                String[] who = WHO.get(i % WHO.size());
                try (Connection c = connect(port, who[1], who[0], null)) {
                    succeeded.add(who[0] + "@" + who[1]);
                } catch (SQLException e) {
                    if (!"08001".equals(e.getSQLState())) {
                        answered.incrementAndGet();
                    }
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
            assertThat(succeeded).as("logins over TCP without a password").isEmpty();
            assertThat(answered.get()).as("attempts PostgreSQL answered during the start").isPositive();
        }
    }

    private static Run getRun(LabbookServer server, String id) throws InterruptedException {
        return call(server.port(), channel -> RunServiceGrpc.newBlockingStub(channel)
                .getRun(GetRunRequest.newBuilder().setRunId(id).build()).getRun());
    }

    @Test
    void anOldDataDirectoryIsUpgradedInPlaceWithAllItsData() throws Exception {
        Path dataDir = tmp.resolve("old");
        Path pgData = dataDir.resolve("postgres");
        Files.createDirectories(dataDir);

        // The layout of the versions before: zonky's trust cluster, database labbook created and
        // migrated by the superuser postgres, data written by a server connected as postgres.
        Run created;
        String oldHba;
        try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(pgData).setCleanDataDirectory(false)
                .setServerConfig("listen_addresses", "127.0.0.1").start()) {
            try (Connection c = old.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE labbook");
            }
            ServerConfig oldServer = new ServerConfig("127.0.0.1", 0, dataDir,
                    Optional.of(old.getJdbcUrl("postgres", "labbook")), "postgres", "", 2, 0, 1 << 24, 0,
                    ArtifactConfig.local(tmp.resolve("artifacts")));
            try (LabbookServer server = LabbookServer.start(oldServer)) {
                created = call(server.port(), channel -> RunServiceGrpc.newBlockingStub(channel).openRun(
                        OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                                .setExperimentName("before-the-upgrade").setName("r1")
                                .addParams(Param.newBuilder().setKey("lr")
                                        .setValue(Value.newBuilder().setDoubleValue(0.01)))
                                .build()).getRun());
            }
            oldHba = Files.readString(pgData.resolve("pg_hba.conf"));
            assertThat(oldHba).contains("trust");
            try (Connection c = old.getDatabase("postgres", "labbook").getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_get_userbyid(relowner) FROM pg_class "
                            + "WHERE relname = 'flyway_schema_history'")) {
                rs.next();
                assertThat(rs.getString(1)).as("old layout").isEqualTo("postgres");
            }
        }
        assertThat(dataDir.resolve(EmbeddedPostgresDatabase.PASSWORD_FILE)).doesNotExist();

        // The new version's first start upgrades it, and serves the old data through the role. All
        // the while, nobody gets in over TCP without a password.
        Run second;
        int databasePort = freePort();
        LabbookServer upgraded;
        try (PasswordlessLogins attacker = new PasswordlessLogins(databasePort)) {
            upgraded = LabbookServer.start(embedded(dataDir, databasePort));
        }
        try (LabbookServer server = upgraded) {
            assertThat(server.database().user()).isEqualTo("labbook");
            assertThat(getRun(server, created.getId())).isEqualTo(created);
            String password = server.database().password();
            int port = Integer.parseInt(server.database().jdbcUrl().replaceAll(".*:(\\d+)/.*", "$1"));
            assertThat(port).isEqualTo(databasePort);
            assertTheSetupSocketIsPrivateAndLockedDown(dataDir, port);
            assertOnlyTheRoleWithItsPasswordGetsIn(port, password);
            try (Connection c = connect(port, "labbook", "labbook", password)) {
                assertTheRoleOwnsEverythingAndIsNoSuperuser(c);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                        "SELECT count(*) FROM flyway_schema_history WHERE success")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isPositive();
                }
            }
            // The role writes to the tables it now owns.
            second = call(server.port(), channel -> RunServiceGrpc.newBlockingStub(channel).openRun(OpenRunRequest
                    .newBuilder().setExperimentName("before-the-upgrade").setName("r2").build()).getRun());
        }
        assertLockedDownFiles(dataDir);

        // A start cut short before pg_hba was switched (or a pg_hba edited by hand) is set up again.
        Files.writeString(pgData.resolve("pg_hba.conf"), oldHba);
        LabbookServer repaired;
        try (PasswordlessLogins attacker = new PasswordlessLogins(databasePort)) {
            repaired = LabbookServer.start(embedded(dataDir, databasePort));
        }
        try (LabbookServer server = repaired) {
            assertThat(getRun(server, created.getId()).getName()).isEqualTo("r1");
            assertThat(getRun(server, second.getId()).getName()).isEqualTo("r2");
        }
        assertLockedDownFiles(dataDir);
    }
}
