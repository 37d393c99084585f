package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.labbook.server.fs.PrivateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswordFileTest {
    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        assumeTrue(PrivateFiles.posix(dir));
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void theFirstReadCreatesARandomPasswordOnlyTheOwnerCanReadAndLaterReadsKeepIt() throws Exception {
        Path file = dir.resolve("postgres-password");

        PasswordFile first = PasswordFile.readOrCreate(file);
        PasswordFile second = PasswordFile.readOrCreate(file);

        assertThat(first.created()).isTrue();
        assertThat(first.password()).hasSize(40).matches("[A-Za-z0-9]+");
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(Files.readString(file)).isEqualTo(first.password() + "\n");
        assertThat(second.created()).isFalse();
        assertThat(second.password()).isEqualTo(first.password());
        assertThat(first.toString()).doesNotContain(first.password());
    }

    @Test
    void passwordsDiffer() {
        Set<String> passwords = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            passwords.add(PasswordFile.newPassword());
        }
        assertThat(passwords).hasSize(100);
    }

    @Test
    void aFileReadableByOthersIsNarrowedAndAnEmptyOneReplaced() throws Exception {
        Path open = Files.writeString(dir.resolve("open"), "s3cret\n");
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(PasswordFile.readOrCreate(open).password()).isEqualTo("s3cret");
        assertThat(mode(open)).isEqualTo("rw-------");

        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        PasswordFile replaced = PasswordFile.readOrCreate(empty);
        assertThat(replaced.created()).isTrue();
        assertThat(replaced.password()).hasSize(40);
        assertThat(mode(empty)).isEqualTo("rw-------");
    }
}
