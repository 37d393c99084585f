package dev.labbook.sdk.internal.runner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Which files under {@code outputs/} a run wrote: those created or modified since the run started
 * (their mtime at or after the start, less {@link #TOLERANCE_MS} for file systems with coarse
 * clocks, e.g. FAT's 2 s). Older files were left there by an earlier run and are skipped, unless
 * {@code --upload-all-outputs} asks for everything.
 *
 * @param fresh files to upload, sorted
 * @param stale files skipped as older than the run, sorted
 */
public record OutputsSelection(List<Path> fresh, List<Path> stale) {
    /** A file modified up to this long before the run started still counts as the run's. */
    public static final long TOLERANCE_MS = 2_000;
    /** How many skipped names the message lists. */
    static final int NAMES_SHOWN = 5;

    /** The regular files below {@code dir}, split by their mtime against {@code startedMs}. */
    public static OutputsSelection of(Path dir, long startedMs, boolean all) {
        List<Path> fresh = new ArrayList<>();
        List<Path> stale = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new OutputsSelection(fresh, stale);
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        for (Path f : files) {
            long mtime;
            try {
                mtime = Files.getLastModifiedTime(f).toMillis();
            } catch (IOException e) {
                continue; // gone meanwhile
            }
            (all || mtime >= startedMs - TOLERANCE_MS ? fresh : stale).add(f);
        }
        return new OutputsSelection(List.copyOf(fresh), List.copyOf(stale));
    }

    /**
     * One line naming what was skipped ({@code dir} as shown to the user, e.g. {@code outputs/}),
     * or null when nothing was.
     */
    public String skippedMessage(Path dir, String shownDir) {
        if (stale.isEmpty()) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < Math.min(NAMES_SHOWN, stale.size()); i++) {
            names.add(dir.relativize(stale.get(i)).toString().replace(dir.getFileSystem().getSeparator(), "/"));
        }
        String more = stale.size() > NAMES_SHOWN ? ", … (" + (stale.size() - NAMES_SHOWN) + " more)" : "";
        return "skipped " + stale.size() + (stale.size() == 1 ? " file" : " files") + " in " + shownDir
                + " older than this run: " + String.join(", ", names) + more
                + " (use --upload-all-outputs to include them)";
    }
}
