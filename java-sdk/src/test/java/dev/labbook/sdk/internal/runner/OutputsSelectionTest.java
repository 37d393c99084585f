package dev.labbook.sdk.internal.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files under outputs/ {@code labbook run} uploads: those the run created or modified. */
class OutputsSelectionTest {
    @TempDir
    Path dir;

    private Path file(String name, long mtimeMs) throws Exception {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, name);
        Files.setLastModifiedTime(f, FileTime.fromMillis(mtimeMs));
        return f;
    }

    @Test
    void filesOlderThanTheRunAreSkippedWithinATolerance() throws Exception {
        long start = 1_700_000_000_000L;
        Path stale = file("model.npz", start - 60_000);
        Path coarse = file("sub/coarse.txt", start - 1_500); // a 2 s file-system clock rounded it down
        Path fresh = file("fresh.txt", start + 10);
        OutputsSelection s = OutputsSelection.of(dir, start, false);
        assertThat(s.fresh()).containsExactly(fresh, coarse);
        assertThat(s.stale()).containsExactly(stale);
        assertThat(s.skippedMessage(dir, "outputs/")).isEqualTo(
                "skipped 1 file in outputs/ older than this run: model.npz (use --upload-all-outputs to include them)");
        assertThat(OutputsSelection.of(dir, start, true).fresh()).containsExactly(fresh, stale, coarse);
        assertThat(OutputsSelection.of(dir, start, true).skippedMessage(dir, "outputs/")).isNull();
    }

    @Test
    void manySkippedFilesAreCountedNotAllNamed() throws Exception {
        for (int i = 0; i < 8; i++) {
            file("old/f" + i + ".bin", 1_000);
        }
        String message = OutputsSelection.of(dir, 1_700_000_000_000L, false).skippedMessage(dir, "outputs/");
        assertThat(message).startsWith("skipped 8 files in outputs/ older than this run: old/f0.bin, old/f1.bin, ")
                .contains("old/f4.bin, … (3 more)").doesNotContain("old/f5.bin");
    }

    @Test
    void aMissingDirectorySelectsNothing() {
        OutputsSelection s = OutputsSelection.of(dir.resolve("none"), 0, false);
        assertThat(s.fresh()).isEmpty();
        assertThat(s.stale()).isEmpty();
    }
}
