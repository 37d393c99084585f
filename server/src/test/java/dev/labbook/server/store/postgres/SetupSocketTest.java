package dev.labbook.server.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SetupSocketTest {
    @TempDir
    Path tmp;

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void isAPrivateDirectoryInTheDataDirectory() throws Exception {
        SetupSocket socket = SetupSocket.create(tmp);
        assertThat(socket.directory()).isEqualTo(tmp.resolve("postgres-socket").toAbsolutePath());
        assertThat(mode(socket.directory())).isEqualTo("rwx------");
        assertThat(socket.file(5432)).isEqualTo(socket.directory().resolve(".s.PGSQL.5432"));
        socket.delete();
        assertThat(socket.directory()).doesNotExist();
    }

    @Test
    void oneLeftByAKilledStartIsNarrowedAndOneThatIsNoDirectoryReplaced() throws Exception {
        Path left = Files.createDirectory(tmp.resolve("postgres-socket"));
        Files.setPosixFilePermissions(left, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(mode(SetupSocket.create(tmp).directory())).isEqualTo("rwx------");

        Files.delete(left);
        Files.createSymbolicLink(left, Files.createDirectory(tmp.resolve("elsewhere")));
        SetupSocket socket = SetupSocket.create(tmp);
        assertThat(Files.isSymbolicLink(socket.directory())).isFalse();
        assertThat(mode(socket.directory())).isEqualTo("rwx------");
    }

    @Test
    void aDataDirectoryTooLongForASocketOrWithShellCharactersUsesAPrivateTempDirectory() throws Exception {
        for (Path dataDir : new Path[] {Files.createDirectories(tmp.resolve("x".repeat(100))),
                Files.createDirectories(tmp.resolve("with space $HOME"))}) {
            SetupSocket socket = SetupSocket.create(dataDir);
            try {
                assertThat(socket.directory().startsWith(dataDir)).isFalse();
                assertThat(mode(socket.directory())).isEqualTo("rwx------");
                assertThat(socket.file(65535).toString()).matches("[A-Za-z0-9/._+-]{1,107}");
            } finally {
                socket.delete();
            }
            assertThat(socket.directory()).doesNotExist();
        }
    }
}
