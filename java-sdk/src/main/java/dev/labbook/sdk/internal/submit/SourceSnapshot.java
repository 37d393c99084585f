package dev.labbook.sdk.internal.submit;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.eclipse.jgit.ignore.IgnoreNode;

/**
 * The source directory of a submitted script as a gzip'd tar, the same format as the Python
 * SDK's: directories and regular files under relative POSIX paths ({@code src/}, {@code
 * src/train.py}), executable bits kept (mode 755 or 644), nothing else (symbolic links, devices
 * and sockets are left out). {@code .git} is always left out (the directory, or a submodule's
 * {@code .git} file, at any depth); the patterns of every
 * {@code .gitignore} and {@code .labbookignore} are honoured with git's rules (JGit's matcher, so
 * that negation, {@code **}, anchoring and directory-only patterns behave as git's): a file in a
 * directory is checked against the ignore files of that directory and its parents, the deepest
 * first ({@code .labbookignore} before {@code .gitignore} in the same directory), and an ignored
 * directory is skipped whole, as git does.
 */
public final class SourceSnapshot {
    /** The ignore files read in every directory, later ones winning. */
    static final List<String> IGNORE_FILES = List.of(".gitignore", ".labbookignore");

    /** The files (and directories) a snapshot holds, in archive order, with their archive paths. */
    public record Entry(Path file, String path, boolean directory) {
    }

    private SourceSnapshot() {
    }

    /** What {@link #write} would pack from {@code root}, sorted by path (a directory before its contents). */
    public static List<Entry> entries(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("source directory " + root + " is not a directory");
        }
        List<Entry> out = new ArrayList<>();
        walk(root, "", List.of(), out);
        return out;
    }

    private record Rules(String dir, IgnoreNode node) {
    }

    private static void walk(Path dir, String rel, List<Rules> outer, List<Entry> out) throws IOException {
        List<Rules> rules = new ArrayList<>(outer);
        IgnoreNode here = new IgnoreNode();
        for (String name : IGNORE_FILES) {
            Path file = dir.resolve(name);
            if (Files.isRegularFile(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    here.parse(rel + name, in);
                }
            }
        }
        if (!here.getRules().isEmpty()) {
            rules.add(new Rules(rel, here));
        }
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.sorted().toList();
        }
        for (Path child : children) {
            String name = child.getFileName().toString();
            boolean directory = Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
            boolean regular = Files.isRegularFile(child, LinkOption.NOFOLLOW_LINKS);
            if (!directory && !regular || name.equals(".git") || ignored(rules, rel + name, directory)) {
                continue;
            }
            if (directory) {
                out.add(new Entry(child, rel + name + "/", true));
                walk(child, rel + name + "/", rules, out);
            } else {
                out.add(new Entry(child, rel + name, false));
            }
        }
    }

    /** The deepest ignore file with a matching rule decides (its last matching rule: negation included). */
    private static boolean ignored(List<Rules> rules, String path, boolean directory) {
        for (int i = rules.size() - 1; i >= 0; i--) {
            Rules r = rules.get(i);
            Boolean ignored = r.node().checkIgnored(path.substring(r.dir().length()), directory);
            if (ignored != null) {
                return ignored;
            }
        }
        return false;
    }

    /**
     * Writes the snapshot of {@code root} to {@code out} and returns its size in bytes; fails with
     * {@link SnapshotTooLargeException} as soon as it grows past {@code maxBytes} (0: no limit),
     * before anything is uploaded.
     */
    public static long write(Path root, Path out, long maxBytes) throws IOException {
        List<Entry> entries = entries(root);
        try (OutputStream file = new LimitedOutputStream(new BufferedOutputStream(Files.newOutputStream(out)),
                maxBytes, root);
                TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(file), "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            for (Entry e : entries) {
                TarArchiveEntry entry = new TarArchiveEntry(e.path());
                entry.setModTime(Files.getLastModifiedTime(e.file()));
                entry.setMode((e.directory() ? TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 : TarArchiveEntry.DEFAULT_FILE_MODE & ~0777)
                        | (e.directory() || executable(e.file()) ? 0755 : 0644));
                if (!e.directory()) {
                    entry.setSize(Files.size(e.file()));
                }
                tar.putArchiveEntry(entry);
                if (!e.directory()) {
                    Files.copy(e.file(), tar);
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        }
        return Files.size(out);
    }

    private static boolean executable(Path file) {
        try {
            return Files.getPosixFilePermissions(file).contains(PosixFilePermission.OWNER_EXECUTE);
        } catch (UnsupportedOperationException | IOException e) {
            return Files.isExecutable(file);
        }
    }

    /** The snapshot grew past the target's limit. */
    public static final class SnapshotTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long maxBytes;

        SnapshotTooLargeException(Path root, long maxBytes) {
            super("the snapshot of " + root + " is larger than the target's max_snapshot_bytes (" + maxBytes
                    + " bytes); leave out data and build outputs with .labbookignore or .gitignore");
            this.maxBytes = maxBytes;
        }

        public long maxBytes() {
            return maxBytes;
        }
    }

    /** Counts what is written and stops at the limit, so a huge directory is not packed to the end. */
    private static final class LimitedOutputStream extends java.io.FilterOutputStream {
        private final long maxBytes;
        private final Path root;
        private long written;

        LimitedOutputStream(OutputStream out, long maxBytes, Path root) {
            super(out);
            this.maxBytes = maxBytes;
            this.root = root;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
            out.write(b, off, len);
        }

        private void count(long n) throws IOException {
            written += n;
            if (maxBytes > 0 && written > maxBytes) {
                throw new SnapshotTooLargeException(root, maxBytes);
            }
        }
    }
}
