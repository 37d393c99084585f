package dev.labbook.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.labbook.server.config.Setting;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void helpDescribesTheCommandAndTakesTheServerSettings() {
        CliRun run = CliRun.of("migrate", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: labbook migrate").contains("Applies pending database migrations");
        for (Setting setting : Setting.values()) {
            assertThat(run.out()).contains(setting.flag());
            assertThat(run.outUnwrapped()).contains("Env: " + setting.envVar() + ".");
        }
        assertThat(run.out()).contains("--config=FILE");
    }

    @Test
    void anInvalidSettingFailsWithOneLineBeforeTouchingADatabase() {
        Path dataDir = tmp.resolve("data");

        CliRun run = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> CliRun.of(
                "migrate", "--data-dir", dataDir.toString(), "--embedded-db-port", "-1"));

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("labbook: error: --embedded-db-port (LABBOOK_EMBEDDED_DB_PORT) "
                + "must be between 0 and 65535, got -1" + System.lineSeparator());
        assertThat(dataDir).doesNotExist();
    }
}
