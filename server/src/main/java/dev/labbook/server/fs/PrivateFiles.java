package dev.labbook.server.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Files and directories only their owner can read: directories {@code 0700}, files {@code 0600},
 * set atomically at creation (never created open and narrowed afterwards). On file systems
 * without POSIX permissions (Windows) they are created with the defaults.
 */
public final class PrivateFiles {
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    public static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Creates {@code dir} and its missing parents, each new one {@code 0700}; existing ones are left as they are. */
    public static Path createDirectories(Path dir) throws IOException {
        return Files.createDirectories(dir, directoryAttributes(dir));
    }

    /** Creates one directory {@code 0700}; fails when it exists. */
    public static Path createDirectory(Path dir) throws IOException {
        return Files.createDirectory(dir, directoryAttributes(dir));
    }

    /** Creates an empty file {@code 0600}; fails when it exists. */
    public static Path createFile(Path file) throws IOException {
        return posix(file) ? Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE)) : Files.createFile(file);
    }

    /**
     * Replaces {@code file}'s content with {@code content} atomically: written to a new {@code 0600}
     * file beside it, flushed to disk, then moved over it. A crash leaves the old or the new content.
     */
    public static void writeAtomically(Path file, String content) throws IOException {
        Path temp = file.resolveSibling("." + file.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            createFile(temp);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Narrows an existing file's or directory's permissions to owner-only; returns whether it changed them. */
    public static boolean restrict(Path path) throws IOException {
        if (!posix(path)) {
            return false;
        }
        Set<PosixFilePermission> wanted = Files.isDirectory(path) ? DIRECTORY : FILE;
        Set<PosixFilePermission> current = Files.getPosixFilePermissions(path);
        if (wanted.containsAll(current)) {
            return false;
        }
        current.retainAll(wanted);
        Files.setPosixFilePermissions(path, current);
        return true;
    }

    private static FileAttribute<?>[] directoryAttributes(Path dir) {
        return posix(dir.toAbsolutePath()) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(DIRECTORY)}
                : new FileAttribute<?>[0];
    }
}
