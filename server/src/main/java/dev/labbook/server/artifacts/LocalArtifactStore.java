package dev.labbook.server.artifacts;

import dev.labbook.server.fs.PrivateFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifacts in a local directory (the embedded default). An upload is written into
 * {@code .uploads/<handle>} at each part's offset and fsynced, cut to its final size and moved
 * into place atomically. Every path is checked to stay below the root, also after resolving
 * symbolic links: directories are created one level at a time and checked as they go, and
 * nothing is read, written or deleted through a link that leads outside
 * ({@link LinkOutsideStoreException}).
 *
 * <p>Only the server's user can read what it stores: directories are created {@code 0700} and
 * files {@code 0600} (uploads in progress too; the move keeps the mode), and a root from an
 * older version loses its group and other permissions at start (POSIX file systems only).
 */
public final class LocalArtifactStore implements ArtifactStore {
    private static final Logger LOG = LoggerFactory.getLogger(LocalArtifactStore.class);
    private static final String UPLOADS = ".uploads";

    private final Path root;
    private final Path realRoot;

    public LocalArtifactStore(Path root) {
        try {
            PrivateFiles.createDirectories(root.resolve(UPLOADS));
            this.root = root.toAbsolutePath().normalize();
            this.realRoot = this.root.toRealPath();
            requireRealInside(this.root.resolve(UPLOADS));
            // Files stored by earlier versions were world-readable: a private root hides them all.
            for (Path dir : List.of(this.root, this.root.resolve(UPLOADS))) {
                try {
                    if (PrivateFiles.restrict(dir)) {
                        LOG.info("artifact directory {} was open to other users; it is now private to its owner",
                                dir);
                    }
                } catch (IOException e) {
                    LOG.warn("artifact directory {} is open to other users and its mode cannot be changed: {}",
                            dir, e.toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use artifact directory " + root, e);
        }
    }

    /** The directory and its staging area are there and writable (no file is written). */
    @Override
    public void check() {
        for (Path dir : List.of(root, root.resolve(UPLOADS))) {
            if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
                throw new UncheckedIOException(new IOException("artifact directory " + dir
                        + " is missing or not writable"));
            }
        }
    }

    @Override
    public String beginUpload(String key) {
        inside(key);
        String handle = UUID.randomUUID().toString();
        try {
            PrivateFiles.createFile(staging(handle));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return handle;
    }

    @Override
    public String uploadPart(String key, String handle, int partNumber, long offset, byte[] data, int length) {
        inside(key);
        try (FileChannel channel = FileChannel.open(staging(handle), StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
            long position = offset;
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Integer.toString(partNumber);
    }

    @Override
    public void completeUpload(String key, String handle, List<String> partTags, long size) {
        Path target = inside(key);
        Path staged = staging(handle);
        try {
            try (FileChannel channel = FileChannel.open(staged, StandardOpenOption.WRITE)) {
                // Bytes past the end came from a part attempt that was never recorded.
                channel.truncate(size);
                channel.force(true);
            }
            createDirectoriesInside(target.getParent());
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void abortUpload(String key, String handle) {
        try {
            Files.deleteIfExists(staging(handle));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public InputStream read(String key, long offset, long length) {
        Path file = inside(key);
        try {
            requireRealInside(file);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                channel.position(offset);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            InputStream in = Channels.newInputStream(channel);
            return length < 0 ? in : new BoundedInputStream(in, length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void delete(String key) {
        Path file = inside(key);
        try {
            if (!Files.exists(file.getParent())) {
                return;
            }
            requireRealInside(file.getParent());
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void deletePrefix(String prefix) {
        Path dir = inside(ObjectKeys.requirePrefix(prefix).substring(0, prefix.length() - 1));
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = walkInside(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        Path dir = inside(ObjectKeys.requirePrefix(prefix).substring(0, prefix.length() - 1));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = walkInside(dir)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<String> list(String prefix, String startAfter, int limit) {
        // A directory tree has no listing from a key: this walks it all, fine for the one-node
        // store (S3 lists from the key).
        return list(prefix).stream().filter(key -> startAfter == null || key.compareTo(startAfter) > 0)
                .limit(limit).toList();
    }

    @Override
    public List<PendingUpload> pendingUploads() {
        List<PendingUpload> pending = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root.resolve(UPLOADS))) {
            for (Path file : files) {
                pending.add(new PendingUpload(null, file.getFileName().toString(),
                        Files.getLastModifiedTime(file).toInstant()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pending;
    }

    @Override
    public void close() {
    }

    private Path staging(String handle) {
        UUID.fromString(handle); // handles are ours: never a path
        Path uploads = root.resolve(UPLOADS);
        try {
            requireRealInside(uploads);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return uploads.resolve(handle);
    }

    /** Files.walk does not follow links below {@code dir}; {@code dir} itself must be inside. */
    private Stream<Path> walkInside(Path dir) throws IOException {
        requireRealInside(dir);
        return Files.walk(dir);
    }

    /** Creates {@code dir} one level at a time, checking every existing or new level's real path. */
    private void createDirectoriesInside(Path dir) throws IOException {
        Path current = root;
        for (Path name : root.relativize(dir)) {
            current = current.resolve(name);
            if (!Files.exists(current, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try {
                    PrivateFiles.createDirectory(current);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // created concurrently: checked below like any existing level
                }
            }
            requireRealInside(current);
        }
    }

    private Path inside(String key) {
        Path path = root.resolve(ObjectKeys.require(key)).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("object key leaves the artifact directory: " + key);
        }
        return path;
    }

    /** Refuses a path whose real location (symbolic links resolved) is outside the root. */
    private void requireRealInside(Path path) throws IOException {
        Path real = path.toRealPath();
        if (!real.startsWith(realRoot)) {
            LOG.warn("refused {}: a symbolic link leads it to {}, outside the artifact directory {}", path, real,
                    realRoot);
            throw new LinkOutsideStoreException(root.relativize(path.toAbsolutePath().normalize()).toString()
                    .replace('\\', '/'));
        }
    }

    /** Reads at most {@code remaining} bytes from a stream. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        BoundedInputStream(InputStream in, long remaining) {
            this.in = in;
            this.remaining = remaining;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(buffer, off, (int) Math.min(len, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
