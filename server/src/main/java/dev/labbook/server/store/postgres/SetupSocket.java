package dev.labbook.server.store.postgres;

import dev.labbook.server.fs.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory of the embedded PostgreSQL's Unix socket while it is being set up: {@code 0700},
 * so only the server's own OS user can reach the socket in it (PostgreSQL also makes the socket
 * {@code 0700}). Preferably {@code DATA_DIR/postgres-socket}; a new private directory in the
 * temp directory when that path is too long for a Unix socket, or holds characters that zonky
 * would hand unquoted to pg_ctl's shell (it passes server settings as one {@code -o} string).
 *
 * @param directory the directory
 */
record SetupSocket(Path directory) {
    private static final Logger LOG = LoggerFactory.getLogger(SetupSocket.class);
    static final String DIRECTORY = "postgres-socket";
    /** PostgreSQL's (and Linux's) limit of a socket path: {@code sizeof(sun_path)} less the NUL. */
    private static final int MAX_PATH_BYTES = 107;
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9/._+-]+");

    /** The directory for a setup start, created {@code 0700} (or narrowed to it when left by a killed start). */
    static SetupSocket create(Path dataDir) throws IOException {
        Path preferred = dataDir.resolve(DIRECTORY).toAbsolutePath();
        if (usable(preferred)) {
            if (Files.isDirectory(preferred, LinkOption.NOFOLLOW_LINKS)) {
                PrivateFiles.restrict(preferred);
            } else {
                Files.deleteIfExists(preferred);
                PrivateFiles.createDirectory(preferred);
            }
            return new SetupSocket(preferred);
        }
        Path temporary = PrivateFiles.posix(dataDir)
                ? Files.createTempDirectory("labbook-pg-",
                        PosixFilePermissions.asFileAttribute(PrivateFiles.DIRECTORY))
                : Files.createTempDirectory("labbook-pg-");
        if (!usable(temporary.toAbsolutePath())) {
            Files.delete(temporary);
            throw new IOException("no directory for the embedded PostgreSQL's setup socket: " + preferred
                    + " and " + temporary + " are too long for a Unix socket or hold characters other than "
                    + "letters, digits and / . _ + -");
        }
        return new SetupSocket(temporary.toAbsolutePath());
    }

    private static boolean usable(Path directory) {
        String file = new SetupSocket(directory).file(65535).toString();
        return PLAIN.matcher(file).matches() && file.getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES;
    }

    /** The socket PostgreSQL creates in the directory when it listens on {@code port}. */
    Path file(int port) {
        return directory.resolve(".s.PGSQL." + port);
    }

    /** Removes the directory once PostgreSQL has stopped (and removed its socket); a failure is only logged. */
    void delete() {
        try {
            Files.deleteIfExists(directory);
        } catch (DirectoryNotEmptyException e) {
            LOG.debug("{} is not empty: left in place", directory);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", directory, e.getMessage());
        }
    }
}
