package dev.labbook.sdk;

import dev.labbook.api.v1.MetricBatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * On-disk metric batches of one writer that could not be delivered:
 * {@code <spool>/<run id>/<writer id>/<sequence, 20 digits>.batch}, each a serialized
 * {@code MetricBatch} (run, writer and sequence included, so a replay is exactly-once). A live
 * writer holds {@code writer.lock} so that another process does not replay its batches out of
 * order; the lock is released when the writer closes.
 */
final class Spool {
    /** Waits of 10 ms for a replayer of this JVM to let go of the writer lock. */
    private static final int LOCK_ATTEMPTS = 500;
    private final Path dir;
    private FileChannel lockChannel;
    private FileLock lock;

    private Spool(Path dir) {
        this.dir = dir;
    }

    /** The spool of a live writer: created and locked on first use. */
    static Spool forWriter(Path root, String runId, String writerId) {
        return new Spool(root.resolve(runId).resolve(writerId));
    }

    Path dir() {
        return dir;
    }

    /** Writes a batch atomically (temp file, then rename) and returns its file. */
    synchronized Path write(MetricBatch batch) throws IOException {
        ensureLocked();
        Path file = dir.resolve(String.format("%020d.batch", batch.getSequence()));
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            batch.writeTo(out);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    static MetricBatch read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return MetricBatch.parseFrom(in);
        }
    }

    private void ensureLocked() throws IOException {
        Files.createDirectories(dir); // every time: cheap, and survives a directory removed meanwhile
        if (lock != null) {
            return;
        }
        FileChannel ch = FileChannel.open(dir.resolve("writer.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            for (int attempt = 0;; attempt++) {
                try {
                    lock = ch.lock(); // another process's replayer holds it only while it looks
                    break;
                } catch (OverlappingFileLockException e) {
                    // a replayer of this JVM looks at the directory for a moment
                    if (attempt >= LOCK_ATTEMPTS) {
                        throw new IOException("the writer lock of " + dir + " stays held in this JVM", e);
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while taking the writer lock of " + dir, ie);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        lockChannel = ch;
    }

    /** Releases the writer lock (the remaining batches become replayable by anyone). */
    synchronized void release() {
        try {
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        } catch (IOException e) {
            // the lock goes away with the process anyway
        }
        lock = null;
        removeIfEmpty(dir);
    }

    /** Batch files of a writer directory, in sequence order. */
    static List<Path> batches(Path writerDir) throws IOException {
        try (Stream<Path> files = Files.list(writerDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".batch")).sorted().toList();
        }
    }

    /** Tries to take a writer directory's lock; null when a live writer holds it. */
    static FileLock tryLock(Path writerDir) throws IOException {
        FileChannel ch = FileChannel.open(writerDir.resolve("writer.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
            }
            return l;
        } catch (OverlappingFileLockException e) {
            ch.close();
            return null;
        }
    }

    /**
     * Deletes a writer (or run) directory that holds no batches any more, writer.lock included.
     * Only for a directory whose writer is done: its own spool at release, or one whose batches a
     * replayer sent (a writer id is used by one process only). A directory without batches may
     * belong to a writer about to take its lock, so replayers leave those alone.
     */
    static void removeIfEmpty(Path writerDir) {
        try {
            if (Files.isDirectory(writerDir) && batches(writerDir).isEmpty()) {
                try (Stream<Path> rest = Files.list(writerDir)) {
                    for (Path p : rest.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(writerDir);
                Path runDir = writerDir.getParent();
                try (Stream<Path> left = Files.list(runDir)) {
                    if (left.findAny().isEmpty()) {
                        Files.deleteIfExists(runDir);
                    }
                }
            }
        } catch (IOException e) {
            // a concurrent writer or replayer may be using it: leave it
        }
    }
}
