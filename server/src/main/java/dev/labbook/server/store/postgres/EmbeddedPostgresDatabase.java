package dev.labbook.server.store.postgres;

import dev.labbook.server.fs.PrivateFiles;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * on an empty directory and then waits until a JDBC connection made with its <em>connect
 * config</em> answers {@code SELECT 1} (by default user postgres, database postgres, no password,
 * over TCP to localhost: zonky never uses the Unix socket). Both are steered, with no trust
 * window on a new cluster:
 * <ul>
 *   <li>Every start after the setup: the connect config names the role, its password and its
 *       database ({@code user}, {@code password}, {@code PGDBNAME}, which zonky hands to pgjdbc),
 *       so zonky's readiness check logs in exactly as the server will, through the locked-down
 *       pg_hba. No superuser is involved.
 *   <li>A new cluster: zonky passes its "locale config" to initdb as {@code --KEY=VALUE}, which
 *       carries {@code --pwfile} (a random superuser password, in a {@code 0600} file deleted as
 *       soon as initdb has read it) and {@code --auth=scram-sha-256}. The data directory
 *       customizer, run between initdb and the first postmaster start, writes the setup pg_hba
 *       (the role, plus the superuser with its password), the connect config carries that
 *       password, and {@link EmbeddedPostgresLockdown} does the setup and removes the password
 *       again: it lived in memory for one start and was never stored.
 *   <li>A cluster from before the lockdown (trust for everyone, all owned by postgres), or one
 *       whose setup was cut short or whose password file was deleted: its superuser has no
 *       password we know, so the setup pg_hba trusts it from loopback (and nobody else) for
 *       this one start, which is narrower than what such a cluster allowed until then.
 * </ul>
 * A single-user-mode setup ({@code postgres --single}) would need no login at all, but zonky does
 * not tell where it unpacked its binaries; a superuser password would have to be stored to be
 * of any later use; these two paths need neither.
 */
public final class EmbeddedPostgresDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresDatabase.class);
    static final String DATABASE = "labbook";
    static final String ROLE = "labbook";
    /** The role's password, in the data directory beside {@code postgres/}. */
    public static final String PASSWORD_FILE = "postgres-password";
    /** A new cluster's superuser password, for initdb only: deleted as soon as initdb has run. */
    private static final String INITDB_PASSWORD_FILE = "postgres-initdb-password";

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final EmbeddedPostgres postgres;
    private final Path pgData;
    private final String password;

    private EmbeddedPostgresDatabase(FileChannel lockChannel, FileLock lock, EmbeddedPostgres postgres, Path pgData,
            String password) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.postgres = postgres;
        this.pgData = pgData;
        this.password = password;
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
                EmbeddedPostgres postgres = startPostgres(dataDir, pgData, port, password);
                return new EmbeddedPostgresDatabase(channel, lock, postgres, pgData, password.password());
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

    private static EmbeddedPostgres startPostgres(Path dataDir, Path pgData, int port, PasswordFile password)
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
                .setPGStartupWait(Duration.ofSeconds(60));
        if (port != 0) {
            builder.setPort(port);
        }
        // Left behind only by a start killed between writing it and initdb reading it.
        Files.deleteIfExists(dataDir.resolve(INITDB_PASSWORD_FILE));
        Path initdbPasswordFile = null;
        try {
            if (setup) {
                PgHba.SuperuserLogin login = PgHba.SuperuserLogin.TRUST;
                if (fresh) {
                    String superuserPassword = PasswordFile.newPassword();
                    initdbPasswordFile = dataDir.resolve(INITDB_PASSWORD_FILE);
                    PrivateFiles.createFile(initdbPasswordFile);
                    Files.writeString(initdbPasswordFile, superuserPassword + "\n");
                    builder.setLocaleConfig("pwfile", initdbPasswordFile.toString())
                            .setLocaleConfig("auth", "scram-sha-256")
                            .setConnectConfig("password", superuserPassword);
                    login = PgHba.SuperuserLogin.PASSWORD;
                }
                String hba = PgHba.setup(login);
                Path usedByInitdb = initdbPasswordFile;
                builder.setDataDirectoryCustomizer(dir -> {
                    try {
                        if (usedByInitdb != null) {
                            Files.deleteIfExists(usedByInitdb);
                        }
                        PgHba.write(dir.toPath(), hba);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                LOG.info("starting embedded PostgreSQL in {} ({})", pgData, fresh ? "new cluster"
                        : "setting up its role and password");
            } else {
                builder.setConnectConfig("user", ROLE)
                        .setConnectConfig("password", password.password())
                        .setConnectConfig("PGDBNAME", DATABASE);
                LOG.info("starting embedded PostgreSQL in {}", pgData);
            }
            EmbeddedPostgres postgres = startOrExplain(builder, dataDir, pgData, !setup);
            if (setup) {
                try {
                    EmbeddedPostgresLockdown.apply(postgres, pgData, password.password());
                } catch (SQLException | IOException | RuntimeException e) {
                    postgres.close();
                    throw new IOException("setting up the embedded PostgreSQL's role failed: " + e.getMessage(), e);
                }
            }
            return postgres;
        } finally {
            if (initdbPasswordFile != null) {
                Files.deleteIfExists(initdbPasswordFile);
            }
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

    public Path dataDirectory() {
        return pgData;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("stopping the embedded PostgreSQL failed", e);
        }
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
