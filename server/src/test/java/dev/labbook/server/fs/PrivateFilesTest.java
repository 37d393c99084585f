package dev.labbook.server.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void posixOnly() {
        assumeTrue(PrivateFiles.posix(tmp));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void createsEveryMissingDirectory0700AndLeavesExistingOnesAlone() throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));

        PrivateFiles.createDirectories(tmp.resolve("a/b/c"));

        assertThat(mode(tmp)).isEqualTo("rwxr-xr-x");
        assertThat(mode(tmp.resolve("a"))).isEqualTo("rwx------");
        assertThat(mode(tmp.resolve("a/b"))).isEqualTo("rwx------");
        assertThat(mode(tmp.resolve("a/b/c"))).isEqualTo("rwx------");
    }

    @Test
    void createsFiles0600() throws IOException {
        assertThat(mode(PrivateFiles.createFile(tmp.resolve("f")))).isEqualTo("rw-------");
    }

    @Test
    void writeAtomicallyReplacesTheContentWithAPrivateFileAndLeavesNoTemporaryFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("conf"), "old");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        PrivateFiles.writeAtomically(file, "new\n");

        assertThat(file).hasContent("new");
        assertThat(mode(file)).isEqualTo("rw-------");
        try (var files = Files.list(tmp)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void restrictTakesAwayGroupAndOtherPermissionsOnly() throws IOException {
        Path file = Files.writeString(tmp.resolve("f"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        Path readOnly = Files.writeString(tmp.resolve("r"), "x");
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r--------"));

        assertThat(PrivateFiles.restrict(file)).isTrue();
        assertThat(PrivateFiles.restrict(dir)).isTrue();
        assertThat(PrivateFiles.restrict(readOnly)).isFalse();

        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(dir)).isEqualTo("rwx------");
        assertThat(mode(readOnly)).isEqualTo("r--------");
    }
}
