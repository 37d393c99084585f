package dev.labbook.server.store.postgres;

import dev.labbook.server.fs.PrivateFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default: a real PostgreSQL (zonky's binaries) whose data lives in
 * {@code DATA_DIR/postgres} and survives restarts. Holds a lock on the data directory so two
 * servers never share it, and stops a PostgreSQL left running by a server that was killed.
 * When the JVM runs as root, zonky starts PostgreSQL in a user namespace ({@code unshare -U}),
 * since PostgreSQL refuses to run as root.
 *
 * <p>Locked down (docs/configuration.md, "The embedded database"): the server connects as the
 * role {@code labbook}, which owns the database {@code labbook} and everything in it and is no
 * superuser, with a SCRAM password generated at the first start and kept in
 * {@code DATA_DIR/postgres-password} ({@code 0600}). {@code pg_hba.conf} lets that role into that
 * database from loopback and nothing else in ({@link PgHba}).
 *
 * <p>How this fits zonky: {@code EmbeddedPostgres.start()} runs {@code initdb -A trust -U postgres}
 * on an empty directory, calls the data directory customizer, starts the postmaster and waits
 * until a JDBC connection made with its <em>connect config</em> answers {@code SELECT 1} (by
 * default user postgres, database postgres, no password, over TCP). Both are steered so that no
 * login over TCP without a password is ever possible, not even for a moment:
 * <ul>
 *   <li>Every start after the setup: the connect config names the role, its password and its
 *       database ({@code user}, {@code password}, {@code PGDBNAME}, which zonky hands to pgjdbc),
 *       so zonky's readiness check logs in exactly as the server will, through the locked-down
 *       pg_hba. No superuser is involved.
 *   <li>A setup start (a new cluster, one from before the lockdown, one whose setup was cut short,
 *       whose password file was deleted or whose pg_hba was edited): the customizer, run before
 *       the postmaster starts, writes the setup pg_hba ({@link PgHba#setup}), which adds to the
 *       role's TCP lines one {@code local all postgres trust} line and nothing else. The postmaster
 *       also listens on a Unix socket in a {@code 0700} directory ({@link SetupSocket}, socket
 *       {@code 0700} too), the connect config makes pgjdbc use that socket
 *       ({@link UnixSocketFactory}), and zonky's readiness check and {@link EmbeddedPostgresLockdown}
 *       log in over it as the superuser; zonky's preliminary raw TCP connect only sees that the
 *       port is open. Another local user can neither enter the directory nor log in over TCP
 *       (only the role, with its password): the superuser needs no password we would have to
 *       know, set or store, and the trust reaches only the server's own OS user, who can read the
 *       data directory anyway.
 * </ul>
 * Rejected alternatives: a trust line on loopback (open to every local user until the reload,
 * and a session opened meanwhile outlives it); single-user mode ({@code postgres --single}),
 * which needs no login, but zonky does not tell where it unpacked its binaries and would have
 * to be bypassed for root's user namespace as well; junixsocket, a native library where the
 * JDK's own Unix-domain channels suffice; a superuser password through initdb's
 * {@code --pwfile}, which works for a new cluster only.
 */
public final class EmbeddedPostgresDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresDatabase.class);
    static final String DATABASE = "labbook";
    static final String ROLE = "labbook";
    /** The role's password, in the data directory beside {@code postgres/}. */
    public static final String PASSWORD_FILE = "postgres-password";
    /** A superuser password file of an earlier version's first start, deleted if a killed start left it. */
    private static final String OLD_INITDB_PASSWORD_FILE = "postgres-initdb-password";

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final EmbeddedPostgres postgres;
    private final String password;
    private final Optional<SetupSocket> setupSocket;

    private EmbeddedPostgresDatabase(FileChannel lockChannel, FileLock lock, Started started, String password) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.postgres = started.postgres();
        this.setupSocket = started.setupSocket();
        this.password = password;
    }

    /** A running PostgreSQL, and the directory of its Unix socket when this start set it up. */
    private record Started(EmbeddedPostgres postgres, Optional<SetupSocket> setupSocket) {
    }

    public static EmbeddedPostgresDatabase start(Path dataDir, int port) {
        try {
            if (!Files.isDirectory(dataDir)) {
                PrivateFiles.createDirectories(dataDir);
            }
            FileChannel channel = FileChannel.open(dataDir.resolve("labbook.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another server in this JVM
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("data directory " + dataDir
                        + " is in use by another Labbook server; stop it or choose another --data-dir");
            }
            try {
                Path pgData = dataDir.resolve("postgres");
                stopOrphanedPostmaster(pgData);
                PasswordFile password = PasswordFile.readOrCreate(dataDir.resolve(PASSWORD_FILE));
                Started started = startPostgres(dataDir, pgData, port, password);
                return new EmbeddedPostgresDatabase(channel, lock, started, password.password());
            } catch (IOException | RuntimeException e) {
                lock.release();
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir + ": "
                    + e.getMessage(), e);
        }
    }

    private static Started startPostgres(Path dataDir, Path pgData, int port, PasswordFile password)
            throws IOException {
        boolean fresh = !Files.exists(pgData.resolve("postgresql.conf")); // zonky's test before initdb
        boolean setup = fresh || password.created() || !PgHba.isLockedDown(pgData);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                // zonky turns synchronous_commit off for tests; acknowledged data must be on disk.
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("password_encryption", "scram-sha-256")
                // Autovacuum looks for tables to analyze every 10 s instead of every minute: right
                // after a burst (a sweep's runs, a seeding) the planner otherwise plans searches
                // with the sizes from before it for up to a minute, 3-4x slower (bench/README.md,
                // "MLflow client benchmark"). Idle tables cost the check nothing.
                .setServerConfig("autovacuum_naptime", "10s")
                .setPGStartupWait(Duration.ofSeconds(60));
        Files.deleteIfExists(dataDir.resolve(OLD_INITDB_PASSWORD_FILE));
        if (!setup) {
            if (port != 0) {
                builder.setPort(port);
            }
            builder.setConnectConfig("user", ROLE)
                    .setConnectConfig("password", password.password())
                    .setConnectConfig("PGDBNAME", DATABASE);
            LOG.info("starting embedded PostgreSQL in {}", pgData);
            return new Started(startOrExplain(builder, dataDir, pgData, true), Optional.empty());
        }
        // The socket file's name holds the port, which the connect config needs before the start.
        int setupPort = port != 0 ? port : freeLoopbackPort();
        SetupSocket socket = SetupSocket.create(dataDir);
        builder.setPort(setupPort)
                .setServerConfig("unix_socket_directories", socket.directory().toString())
                .setServerConfig("unix_socket_permissions", "0700")
                .setConnectConfig("socketFactory", UnixSocketFactory.class.getName())
                .setConnectConfig("socketFactoryArg", socket.file(setupPort).toString())
                .setConnectConfig("sslmode", "disable")
                .setConnectConfig("gssEncMode", "disable")
                .setDataDirectoryCustomizer(dir -> {
                    try {
                        PgHba.write(dir.toPath(), PgHba.setup());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
        LOG.info("starting embedded PostgreSQL in {} ({})", pgData, fresh ? "new cluster"
                : "setting up its role and password");
        EmbeddedPostgres postgres;
        try {
            postgres = startOrExplain(builder, dataDir, pgData, false);
        } catch (IOException | RuntimeException e) {
            socket.delete();
            throw e;
        }
        try {
            EmbeddedPostgresLockdown.apply(postgres, pgData, password.password());
        } catch (SQLException | IOException | RuntimeException e) {
            postgres.close();
            socket.delete();
            throw new IOException("setting up the embedded PostgreSQL's role failed: " + e.getMessage(), e);
        }
        return new Started(postgres, Optional.of(socket));
    }

    /** A free port on loopback, the way zonky picks one (another process may take it meanwhile). */
    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * zonky's start, with the postmaster it leaves running on failure stopped, and a refused
     * login of the role (zonky retries it until its start-up wait is over) explained.
     */
    private static EmbeddedPostgres startOrExplain(EmbeddedPostgres.Builder builder, Path dataDir, Path pgData,
            boolean asRole) throws IOException {
        try {
            return builder.start();
        } catch (IOException | RuntimeException e) {
            stopOrphanedPostmaster(pgData);
            for (Throwable cause = e; asRole && cause != null; cause = cause.getCause()) {
                if (cause instanceof SQLException sql && sql.getSQLState() != null
                        && sql.getSQLState().startsWith("28")) {
                    throw new IOException("the embedded PostgreSQL refused the role " + ROLE + " ("
                            + sql.getMessage() + "): " + dataDir.resolve(PASSWORD_FILE) + " does not hold its "
                            + "password. Restore the file, or delete it: the next start sets a new one", e);
                }
            }
            throw e;
        }
    }

    public DatabaseEndpoint endpoint() {
        return new DatabaseEndpoint("jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE, ROLE,
                password);
    }

    public int port() {
        return postgres.getPort();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("stopping the embedded PostgreSQL failed", e);
        }
        setupSocket.ifPresent(SetupSocket::delete);
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("releasing the data directory lock failed", e);
        }
    }

    /**
     * A server killed without shutdown leaves its postmaster running, which would make the
     * next start fail. We hold the data directory lock, so such a postmaster has no live owner.
     */
    private static void stopOrphanedPostmaster(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<Long> pid = Files.readAllLines(pidFile).stream().findFirst().map(String::trim).flatMap(line -> {
            try {
                return Optional.of(Long.parseLong(line));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
        Optional<ProcessHandle> process = pid.flatMap(ProcessHandle::of)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
        if (process.isEmpty()) {
            return;
        }
        LOG.warn("stopping PostgreSQL (pid {}) left running on {} by an earlier server", pid.get(), pgData);
        process.get().destroy();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (process.get().isAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
