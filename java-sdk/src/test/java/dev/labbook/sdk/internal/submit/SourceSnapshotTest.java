package dev.labbook.sdk.internal.submit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source snapshot of a submitted script: what it holds, its format, its size limit. */
class SourceSnapshotTest {
    @TempDir
    Path dir;
    @TempDir
    Path out;

    private void write(String rel, String text) throws Exception {
        Path file = dir.resolve(rel);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    /** Archive path → content ("" for directories), in archive order, with the modes in {@code modes}. */
    private Map<String, String> read(Path tarGz, Map<String, Integer> modes) throws Exception {
        Map<String, String> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(tarGz);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                assertThat(e.isDirectory() || e.isFile()).as(e.getName()).isTrue();
                modes.put(e.getName(), e.getMode() & 0777);
                entries.put(e.getName(), e.isDirectory() ? "" : new String(tar.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }

    @Test
    void gitignoreAndLabbookignoreAreHonouredAsGitDoesAndDotGitIsAlwaysLeftOut() throws Exception {
        write("train.py", "print('hi')");
        write(".git/HEAD", "ref: refs/heads/main");
        write(".git/objects/ab/cdef", "blob");
        write(".gitignore", "*.log\n!keep.log\n/data/\nbuild\n__pycache__/\n");
        write(".labbookignore", "checkpoints/\n*.ckpt\n");
        write("run.log", "x");
        write("keep.log", "kept by negation");
        write("data/big.csv", "1,2");
        write("src/data/small.csv", "anchored /data/ leaves this one");
        write("src/model.py", "class M: pass");
        write("src/__pycache__/model.cpython-312.pyc", "bytecode");
        write("src/build/out.o", "obj");
        write("src/nested.log", "x");
        write("src/.gitignore", "local-only.txt\n!nested.log\n");
        write("src/local-only.txt", "x");
        write("checkpoints/epoch1.pt", "weights");
        write("w.ckpt", "weights");
        write("notes/readme.md", "notes");
        write("vendor/lib/.git", "gitdir: ../../.git/modules/lib"); // a submodule's .git file
        write("vendor/lib/lib.py", "x = 1");

        assertThat(SourceSnapshot.entries(dir)).extracting(SourceSnapshot.Entry::path).containsExactly(
                ".gitignore", ".labbookignore", "keep.log", "notes/", "notes/readme.md", "src/", "src/.gitignore",
                "src/data/", "src/data/small.csv", "src/model.py", "src/nested.log", "train.py", "vendor/", "vendor/lib/",
                "vendor/lib/lib.py");
    }

    @Test
    void theArchiveIsAGzipTarOfRelativePosixPathsWithContentsAndExecutableBits() throws Exception {
        write("train.py", "print('hi')");
        write("bin/run.sh", "#!/bin/sh\necho run");
        Files.setPosixFilePermissions(dir.resolve("bin/run.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        write("a/b/c/deep.txt", "deep");
        Files.createSymbolicLink(dir.resolve("link.py"), dir.resolve("train.py"));

        Path tarGz = out.resolve("source.tar.gz");
        long size = SourceSnapshot.write(dir, tarGz, 0);
        assertThat(size).isEqualTo(Files.size(tarGz));
        Map<String, Integer> modes = new LinkedHashMap<>();
        Map<String, String> entries = read(tarGz, modes);
        assertThat(entries).containsExactly(Map.entry("a/", ""), Map.entry("a/b/", ""), Map.entry("a/b/c/", ""),
                Map.entry("a/b/c/deep.txt", "deep"), Map.entry("bin/", ""), Map.entry("bin/run.sh", "#!/bin/sh\necho run"),
                Map.entry("train.py", "print('hi')"));
        assertThat(modes).containsEntry("bin/run.sh", 0755).containsEntry("train.py", 0644).containsEntry("a/", 0755);
    }

    @Test
    void aSnapshotLargerThanTheLimitIsRefusedWhilePacking() throws Exception {
        byte[] noise = new byte[256 * 1024];
        new Random(1).nextBytes(noise); // incompressible
        Files.write(dir.resolve("data.bin"), noise);
        write("train.py", "print('hi')");

        assertThatThrownBy(() -> SourceSnapshot.write(dir, out.resolve("s.tar.gz"), 100_000))
                .isInstanceOf(SourceSnapshot.SnapshotTooLargeException.class)
                .hasMessageContaining("max_snapshot_bytes (100000 bytes)");
        assertThat(SourceSnapshot.write(dir, out.resolve("ok.tar.gz"), 400_000)).isBetween(256L * 1024, 400_000L);

        Files.writeString(dir.resolve(".labbookignore"), "*.bin\n");
        assertThat(SourceSnapshot.write(dir, out.resolve("small.tar.gz"), 100_000)).isLessThan(1_000L);
    }
}
