package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The INI file `labbook login` writes and both SDKs read. */
class CredentialsFileTest {
    @TempDir
    Path home;

    @Test
    void readsTheSectionOfAServer() {
        CredentialsFile f = CredentialsFile.parse("""
                # comment
                ; another
                [localhost:7800]
                token = lbk_local
                [prod.example.com:443]
                Token: lbk_prod:with:colons
                other = x
                """);
        assertThat(f.token("localhost:7800")).contains("lbk_local");
        assertThat(f.token("prod.example.com:443")).contains("lbk_prod:with:colons");
        assertThat(f.token("127.0.0.1:7800")).isEmpty();
        assertThat(f.servers()).containsExactly("localhost:7800", "prod.example.com:443");
    }

    @Test
    void writesMode0600InADirectoryOfMode0700AndKeepsOtherSections() throws Exception {
        Path file = CredentialsFile.defaultPath(home);
        CredentialsFile.empty().withToken("a:1", "lbk_a").withToken("b:2", "lbk_b").write(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
                .isEqualTo("rwx------");
        assertThat(Files.readString(file)).startsWith(CredentialsFile.HEADER + "\n[a:1]\ntoken = lbk_a\n");

        CredentialsFile.read(file).withToken("a:1", "lbk_new").write(file);
        CredentialsFile again = CredentialsFile.read(file);
        assertThat(again.token("a:1")).contains("lbk_new");
        assertThat(again.token("b:2")).contains("lbk_b");

        again.without("a:1").write(file);
        assertThat(CredentialsFile.read(file).servers()).containsExactly("b:2");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var leftovers = Files.list(file.getParent())) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactly("credentials");
        }
    }

    @Test
    void aMissingFileIsEmptyAndToStringHidesTokens() throws Exception {
        assertThat(CredentialsFile.read(home.resolve("none")).servers()).isEmpty();
        assertThat(CredentialsFile.empty().withToken("h:1", "lbk_secret").toString()).doesNotContain("lbk_secret");
    }
}
