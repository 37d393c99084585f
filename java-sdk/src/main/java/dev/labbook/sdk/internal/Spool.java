package dev.labbook.sdk.internal;

import com.google.protobuf.MessageLite;
import dev.labbook.api.v1.MetricBatch;
import dev.labbook.api.v1.SpooledCall;
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
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What one writer (one run of one SDK instance) could not deliver, on disk in the shared
 * {@code labbook-spool/1} layout (docs/sdk-protocol.md):
 * {@code <spool>/<run id>/<writer id>/<sequence, 20 digits>.batch}, each a serialized
 * {@code MetricBatch} (run, writer and sequence included, so a replay is exactly-once), and
 * {@code <n, 20 digits>.call}, each a serialized {@code SpooledCall} (a non-metric call, n = 1, 2,
 * 3... in the order the calls were made). Files are written as {@code *.tmp} and renamed. The
 * Python SDK's older {@code <sequence, 16 digits>.pb} batches are read as batches too. A live
 * writer holds a POSIX record lock on {@code writer.lock} ({@link FileChannel#lock()}, the same
 * lock as Python's {@code fcntl.lockf}) while it has anything on disk, so that another process
 * does not replay its files out of order; the lock is released when the writer closes.
 */
public final class Spool {
    /** Waits of 10 ms for a replayer of this JVM to let go of the writer lock. */
    private static final int LOCK_ATTEMPTS = 500;
    private final Path dir;
    /** The n of the last {@code .call} file written. */
    private long lastCall;
    private FileChannel lockChannel;
    private FileLock lock;

    private Spool(Path dir) {
        this.dir = dir;
    }

    /** The spool of a live writer: created and locked on first use. */
    public static Spool forWriter(Path root, String runId, String writerId) {
        return new Spool(root.resolve(runId).resolve(writerId));
    }

    public Path dir() {
        return dir;
    }

    /** Writes a batch atomically (temp file, then rename) and returns its file. */
    public synchronized Path write(MetricBatch batch) throws IOException {
        return writeFile(String.format("%020d.batch", batch.getSequence()), batch);
    }

    /** Writes a call as the writer's next {@code <n>.call} file (atomically) and returns it. */
    public synchronized Path writeCall(SpooledCall call) throws IOException {
        return writeFile(String.format("%020d.call", ++lastCall), call);
    }

    private Path writeFile(String name, MessageLite message) throws IOException {
        ensureLocked();
        Path file = dir.resolve(name);
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            message.writeTo(out);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    public static MetricBatch read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return MetricBatch.parseFrom(in);
        }
    }

    public static SpooledCall readCall(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return SpooledCall.parseFrom(in);
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

    /**
     * Lets go of the lock as the end of the process would (nothing removed): for tests that model
     * a process killed with files in its spool.
     */
    public synchronized void abandon() {
        try {
            if (lock != null) {
                lock.release();
                lockChannel.close();
            }
        } catch (IOException e) {
            // as a killed process: whatever happens
        }
        lock = null;
    }

    /** Releases the writer lock (the remaining files become replayable by anyone). */
    public synchronized void release() {
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

    /**
     * Batch files of a writer directory ({@code .batch}, and the Python SDK's older {@code .pb}),
     * in sequence order.
     */
    public static List<Path> batches(Path writerDir) throws IOException {
        return numbered(writerDir, ".batch", ".pb");
    }

    /** Call files of a writer directory, in the order the calls were made. */
    public static List<Path> calls(Path writerDir) throws IOException {
        return numbered(writerDir, ".call", null);
    }

    /** Files {@code <digits><suffix>} in numeric order (temp files and anything else ignored). */
    private static List<Path> numbered(Path writerDir, String suffix, String otherSuffix) throws IOException {
        try (Stream<Path> files = Files.list(writerDir)) {
            return files.filter(f -> number(f, suffix) >= 0 || (otherSuffix != null && number(f, otherSuffix) >= 0))
                    .sorted(Comparator.comparingLong((Path f) -> Math.max(number(f, suffix),
                            otherSuffix == null ? -1 : number(f, otherSuffix))).thenComparing(Path::toString))
                    .toList();
        }
    }

    /** The number of a file named {@code <digits><suffix>}, or -1. */
    public static long number(Path file, String suffix) {
        String name = file.getFileName().toString();
        if (!name.endsWith(suffix) || name.length() == suffix.length()) {
            return -1;
        }
        String digits = name.substring(0, name.length() - suffix.length());
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Tries to take a writer directory's lock; null when a live writer holds it. */
    public static FileLock tryLock(Path writerDir) throws IOException {
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
     * Deletes a writer (or run) directory that holds no batches or calls any more, writer.lock
     * included. Only for a directory whose writer is done: its own spool at release, or one whose
     * files a replayer sent (a writer id is used by one process only). A directory without files
     * may belong to a writer about to take its lock, so replayers leave those alone.
     */
    public static void removeIfEmpty(Path writerDir) {
        try {
            if (Files.isDirectory(writerDir) && batches(writerDir).isEmpty() && calls(writerDir).isEmpty()) {
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
