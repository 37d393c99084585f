package dev.labbook.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.labbook.server.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ServerCommandTest {
    @TempDir
    Path tmp;

    /**
     * Runs {@code labbook server} with the given arguments and a --data-dir under the temporary
     * directory. A run that got as far as starting the server would create that directory (the
     * embedded PostgreSQL lives there) and would not return in time.
     */
    private CliRun runServerExpectingNoStart(String... args) {
        Path dataDir = tmp.resolve("data");
        List<String> all = new ArrayList<>(List.of("server", "--data-dir", dataDir.toString()));
        all.addAll(List.of(args));
        CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> CliRun.of(all.toArray(String[]::new)));
        assertThat(dataDir).as("nothing was started").doesNotExist();
        return run;
    }

    private static void assertOneLineError(CliRun run, String message) {
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("labbook: error: " + message + System.lineSeparator());
    }

    @Test
    void helpExitsZero() {
        CliRun run = CliRun.of("server", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).startsWith("Usage: labbook server").contains("Starts the Labbook tracking server.");
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void helpMentionsTheFlagAndEnvVarOfEverySetting(Setting setting) {
        CliRun run = CliRun.of("server", "--help");

        // A bare flag (--insecure-no-auth) shows its optional value in brackets.
        assertThat(run.out()).containsAnyOf(setting.flag() + "=" + setting.name(),
                setting.flag() + "[=" + setting.name() + "]");
        assertThat(run.outUnwrapped()).contains("Env: " + setting.envVar() + ".");
    }

    @Test
    void helpMentionsTheConfigurationFile() {
        CliRun run = CliRun.of("server", "--help");

        assertThat(run.out()).contains("--config=FILE");
        assertThat(run.outUnwrapped()).contains("Env: LABBOOK_CONFIG.").contains("Java properties");
    }

    @Test
    void helpShowsTheDefaults() {
        String help = CliRun.of("server", "--help").outUnwrapped();

        assertThat(help).contains("Default: 7800.", "Default: ~/.labbook.", "Default: 127.0.0.1.");
        assertThat(help).contains("Env: LABBOOK_DB_URL. Default: none.");
    }

    @Test
    void aNonLoopbackHostWithAuthOffIsRefusedBeforeAnythingStarts() {
        CliRun run = runServerExpectingNoStart("--host", "0.0.0.0", "--port", "0");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("labbook: error: refusing to serve on 0.0.0.0 (every network interface) "
                + "with access control off").contains("--auth on", "--insecure-no-auth").hasLineCount(1);
    }

    @Test
    void theIpv6WildcardIsRefusedToo() {
        CliRun run = runServerExpectingNoStart("--port", "0", "--host", "::");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("labbook: error: refusing to serve on :: (every network interface)");
    }

    @Test
    void anInvalidPortFailsWithOneLineNamingFlagAndEnvVar() {
        CliRun run = runServerExpectingNoStart("--port", "abc");

        assertOneLineError(run, "--port (LABBOOK_PORT) must be a whole number, got 'abc'");
    }

    @Test
    void aPortOutOfRangeFails() {
        CliRun run = runServerExpectingNoStart("--port=70000");

        assertOneLineError(run, "--port (LABBOOK_PORT) must be between 0 and 65535, got 70000");
    }

    @Test
    void aBadSettingFailsEvenWhenOthersAreValid() {
        CliRun run = runServerExpectingNoStart("--port", "0", "--host", "127.0.0.1", "--db-pool-size", "0");

        assertOneLineError(run, "--db-pool-size (LABBOOK_DB_POOL_SIZE) must be between 1 and 1000, got 0");
    }

    @Test
    void aNonPostgresDbUrlFails() {
        CliRun run = runServerExpectingNoStart("--db-url", "jdbc:mysql://db/labbook");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("labbook: error: --db-url (LABBOOK_DB_URL) must be a PostgreSQL JDBC URL")
                .hasLineCount(1);
    }

    @Test
    void aMissingConfigurationFileFails() {
        Path missing = tmp.resolve("missing.properties");

        CliRun run = runServerExpectingNoStart("--config", missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("labbook: error: cannot read configuration file " + missing)
                .hasLineCount(1);
    }

    @Test
    void aConfigurationFileWithAnUnknownKeyFails() throws IOException {
        Path file = Files.writeString(tmp.resolve("labbook.properties"), "prot=7800\n");

        CliRun run = runServerExpectingNoStart("--config", file.toString());

        assertOneLineError(run, "unknown setting 'prot' in " + file);
    }

    @Test
    void aBadValueInTheConfigurationFileFails() throws IOException {
        Path file = Files.writeString(tmp.resolve("labbook.properties"), "max-message-bytes=10\n");

        CliRun run = runServerExpectingNoStart("--config", file.toString());

        assertOneLineError(run,
                "--max-message-bytes (LABBOOK_MAX_MESSAGE_BYTES) must be between 1024 and 2147483647, got 10");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        CliRun run = runServerExpectingNoStart("--prot", "7800");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("Unknown options: '--prot'").contains("Usage: labbook server");
    }

    @Test
    void anOptionWithoutItsValueIsAUsageError() {
        CliRun run = runServerExpectingNoStart("--port");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--port");
    }
}
