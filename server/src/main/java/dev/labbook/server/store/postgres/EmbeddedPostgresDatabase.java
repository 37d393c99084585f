package dev.labbook.server.store.postgres;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
 */
public final class EmbeddedPostgresDatabase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresDatabase.class);
    static final String DATABASE = "labbook";

    private final FileChannel lockChannel;
    private final FileLock lock;
    private final EmbeddedPostgres postgres;
    private final Path pgData;

    private EmbeddedPostgresDatabase(FileChannel lockChannel, FileLock lock, EmbeddedPostgres postgres, Path pgData) {
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.postgres = postgres;
        this.pgData = pgData;
    }

    public static EmbeddedPostgresDatabase start(Path dataDir, int port) {
        try {
            Files.createDirectories(dataDir);
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
            Path pgData = dataDir.resolve("postgres");
            stopOrphanedPostmaster(pgData);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    // zonky turns synchronous_commit off for tests; acknowledged data must be on disk.
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setPGStartupWait(Duration.ofSeconds(60));
            if (port != 0) {
                builder.setPort(port);
            }
            LOG.info("starting embedded PostgreSQL in {}", pgData);
            EmbeddedPostgres postgres = builder.start();
            createDatabaseIfMissing(postgres);
            return new EmbeddedPostgresDatabase(channel, lock, postgres, pgData);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, e);
        }
    }

    public DatabaseEndpoint endpoint() {
        return new DatabaseEndpoint(postgres.getJdbcUrl("postgres", DATABASE), "postgres", "");
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

    private static void createDatabaseIfMissing(EmbeddedPostgres postgres) throws IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection()) {
            boolean exists;
            try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                s.setString(1, DATABASE);
                try (ResultSet rs = s.executeQuery()) {
                    exists = rs.next();
                }
            }
            if (!exists) {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE " + DATABASE);
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot create database " + DATABASE, e);
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
