package dev.labbook.sdk.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A small file whose content is kept parsed and read again when it changes: on every
 * {@link #get()} the file's modification time and size are checked (one {@code stat}), and the
 * file is read again when either changed or {@link #MAX_AGE} passed since the last read. A
 * Kubernetes projected ServiceAccount token is rotated by the kubelet this way (an atomic swap of
 * a symlink, which the stat follows). Thread-safe.
 */
public final class WatchedFile<T> {
    /** Read again at least this often even when the file looks unchanged (mtime granularity). */
    public static final Duration MAX_AGE = Duration.ofSeconds(60);

    private final Path path;
    private final Function<String, T> parser;
    private final LongSupplier nanoTime;
    private final Consumer<String> warn;
    private FileTime mtime;
    private long size = -1;
    private long readAt;
    private T value;
    private String lastProblem;

    /**
     * @param parser turns the text into the value (null: nothing usable)
     * @param warn   told once per distinct problem (missing, unreadable), never with the content
     */
    public WatchedFile(Path path, Function<String, T> parser, LongSupplier nanoTime, Consumer<String> warn) {
        this.path = path;
        this.parser = parser;
        this.nanoTime = nanoTime;
        this.warn = warn;
    }

    public Path path() {
        return path;
    }

    /** The parsed content, or null when the file is missing, unreadable or holds nothing usable. */
    public synchronized T get() {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return forget("does not exist");
        } catch (IOException e) {
            return forget("cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        long now = nanoTime.getAsLong();
        boolean changed = !attributes.lastModifiedTime().equals(mtime) || attributes.size() != size;
        if (changed || mtime == null || now - readAt >= MAX_AGE.toNanos()) {
            try {
                value = parser.apply(Files.readString(path, StandardCharsets.UTF_8));
                mtime = attributes.lastModifiedTime();
                size = attributes.size();
                readAt = now;
                lastProblem = null;
            } catch (IOException | RuntimeException e) {
                return forget("cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        return value;
    }

    private T forget(String problem) {
        value = null;
        mtime = null;
        size = -1;
        if (!problem.equals(lastProblem)) {
            lastProblem = problem;
            warn.accept(path + " " + problem);
        }
        return null;
    }
}
