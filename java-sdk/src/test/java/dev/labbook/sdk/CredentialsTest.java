package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.internal.Environment;
import dev.labbook.sdk.internal.WatchedFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which token a client sends: the order of the sources, token file rotation, the credentials file. */
class CredentialsTest {
    private static final Target LOCAL = Target.parse("localhost:7800");

    @TempDir
    Path home;

    private final Map<String, String> env = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            warnings.add(r.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureWarnings() {
        Logger.getLogger(Credentials.class.getName()).addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger(Credentials.class.getName()).removeHandler(capture);
    }

    private Credentials resolve(String explicit) {
        return Credentials.resolve(LOCAL, explicit, new Environment(env, home));
    }

    private void login(String server, String token) throws Exception {
        CredentialsFile.read(CredentialsFile.defaultPath(home)).withToken(server, token)
                .write(CredentialsFile.defaultPath(home));
    }

    @Test
    void nothingConfiguredMeansNoToken() {
        assertThat(resolve(null).token()).isNull();
        assertThat(resolve(null).current()).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void explicitThenEnvThenTokenFileThenCredentialsFile() throws Exception {
        login("localhost:7800", "lbk_file");
        assertThat(resolve(null).current()).hasValueSatisfying(f -> {
            assertThat(f.token()).isEqualTo("lbk_file");
            assertThat(f.source()).endsWith("credentials [localhost:7800]");
        });
        Path tokenFile = home.resolve("sa-token");
        Files.writeString(tokenFile, "  eyJ.sa.token\n");
        env.put("LABBOOK_TOKEN_FILE", tokenFile.toString());
        assertThat(resolve(null).token()).isEqualTo("eyJ.sa.token");
        env.put("LABBOOK_TOKEN", "lbk_env");
        assertThat(resolve(null).token()).isEqualTo("lbk_env");
        assertThat(resolve("lbk_code").current()).hasValueSatisfying(f -> {
            assertThat(f.token()).isEqualTo("lbk_code");
            assertThat(f.source()).isEqualTo("the token given in code");
        });
        assertThat(resolve(null).toString()).doesNotContain("lbk_env").doesNotContain("eyJ")
                .contains("LABBOOK_TOKEN", "LABBOOK_TOKEN_FILE", "credentials [localhost:7800]");
    }

    @Test
    void blankValuesCountAsUnset() throws Exception {
        env.put("LABBOOK_TOKEN", "  ");
        env.put("LABBOOK_TOKEN_FILE", "");
        login("localhost:7800", "lbk_file");
        assertThat(resolve(" ").token()).isEqualTo("lbk_file");
    }

    @Test
    void theCredentialsFileSectionIsTheServersHostAndPort() throws Exception {
        login("otherhost:7800", "lbk_other");
        assertThat(resolve(null).token()).isNull();
        login("localhost:7800", "lbk_local");
        assertThat(resolve(null).token()).isEqualTo("lbk_local");
        assertThat(Credentials.serverKey(Target.parse("grpcs://localhost"))).isEqualTo("localhost:7800");
        assertThat(Credentials.serverKey(Target.parse("grpc://[::1]:9000"))).isEqualTo("[::1]:9000");
    }

    @Test
    void aLoginWhileRunningIsPickedUpAndALogoutToo() throws Exception {
        Credentials credentials = resolve(null);
        assertThat(credentials.token()).isNull();
        login("localhost:7800", "lbk_new");
        assertThat(credentials.token()).isEqualTo("lbk_new");
        CredentialsFile.read(CredentialsFile.defaultPath(home)).without("localhost:7800")
                .write(CredentialsFile.defaultPath(home));
        assertThat(credentials.token()).isNull();
    }

    @Test
    void aRotatedTokenFileIsReadAgain() throws Exception {
        Path tokenFile = home.resolve("token");
        Files.writeString(tokenFile, "first-token\n");
        env.put("LABBOOK_TOKEN_FILE", tokenFile.toString());
        Credentials credentials = resolve(null);
        assertThat(credentials.token()).isEqualTo("first-token");
        // the kubelet swaps a symlink to a new file: new content, new mtime
        Path next = home.resolve("token.next");
        Files.writeString(next, "second-token-longer");
        Files.setLastModifiedTime(next, FileTime.fromMillis(Files.getLastModifiedTime(tokenFile).toMillis() + 5000));
        Files.move(next, tokenFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertThat(credentials.token()).isEqualTo("second-token-longer");
    }

    @Test
    void aMissingTokenFileWarnsOnceAndFallsBackUntilItAppears() throws Exception {
        Path tokenFile = home.resolve("not-yet");
        env.put("LABBOOK_TOKEN_FILE", tokenFile.toString());
        login("localhost:7800", "lbk_file");
        Credentials credentials = resolve(null);
        assertThat(credentials.token()).isEqualTo("lbk_file");
        assertThat(credentials.token()).isEqualTo("lbk_file");
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("LABBOOK_TOKEN_FILE", tokenFile.toString(), "does not exist");
        Files.writeString(tokenFile, "projected");
        assertThat(credentials.token()).isEqualTo("projected");
    }

    @Test
    void aCredentialsFileReadableByOthersIsWarnedAboutOnceWithoutItsContent() throws Exception {
        login("localhost:7800", "lbk_secret_value");
        Path file = CredentialsFile.defaultPath(home);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Credentials credentials = resolve(null);
        assertThat(credentials.token()).isEqualTo("lbk_secret_value");
        assertThat(resolve(null).token()).isEqualTo("lbk_secret_value");
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("readable by other users", "chmod 600").doesNotContain("lbk_secret");
    }

    @Test
    void aWatchedFileIsReadAgainAfterSixtySecondsEvenWithTheSameMtimeAndSize() throws Exception {
        Path f = home.resolve("t");
        Files.writeString(f, "aaaa");
        FileTime mtime = Files.getLastModifiedTime(f);
        AtomicLong now = new AtomicLong(0);
        List<String> problems = new ArrayList<>();
        WatchedFile<String> watched = new WatchedFile<>(f, String::strip, now::get, problems::add);
        assertThat(watched.get()).isEqualTo("aaaa");
        Files.writeString(f, "bbbb");
        Files.setLastModifiedTime(f, mtime); // a change the stat cannot see
        now.addAndGet(Duration.ofSeconds(59).toNanos());
        assertThat(watched.get()).isEqualTo("aaaa");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(watched.get()).isEqualTo("bbbb");
        assertThat(problems).isEmpty();
    }

    @Test
    void optionsAndFoundHideTheToken() {
        assertThat(ClientOptions.DEFAULT.withToken("lbk_abcdefghijklmnop").toString()).doesNotContain("lbk_abcdefgh")
                .contains("token=***");
        assertThat(LabbookOptions.defaults().withToken("lbk_abcdefghijklmnop").toString()).doesNotContain("lbk_abcdefgh");
        assertThat(new Credentials.Found("lbk_abcdefghijklmnop", "x").toString()).doesNotContain("ijklmnop");
        assertThat(new NewToken(null, "lbk_abcdefghijklmnop").toString()).doesNotContain("ijklmnop");
    }
}
