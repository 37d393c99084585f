package dev.labbook.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LabbookCommandTest {

    @Test
    void helpListsTheSubcommands() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out())
                .startsWith("Usage: labbook")
                .contains("self-hosted experiment tracking")
                .containsPattern("(?m)^\\s+server\\s+Starts the Labbook tracking server")
                .containsPattern("(?m)^\\s+migrate\\s+Applies pending database migrations")
                .containsPattern("(?m)^\\s+help\\s+");
    }

    @Test
    void withoutArgumentsPrintsTheUsage() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).isEqualTo(CliRun.of("--help").out());
    }

    @Test
    void printsTheVersion() {
        CliRun run = CliRun.of("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).isEqualTo("labbook 0.1.0");
    }

    @Test
    void helpSubcommandShowsTheHelpOfACommand() {
        CliRun run = CliRun.of("help", "server");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: labbook server").contains("--port");
    }

    @Test
    void refusesAnUnknownSubcommandAsAUsageError() {
        CliRun run = CliRun.of("serve");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("'serve'");
    }

    @Test
    void givesEachSubcommandItsOwnSettingOptions() {
        var subcommands = LabbookCommand.commandLine().getSubcommands();

        for (String name : new String[] {"server", "migrate"}) {
            var spec = subcommands.get(name).getCommandSpec();
            for (var setting : dev.labbook.server.config.Setting.values()) {
                assertThat(spec.findOption(setting.flag())).as("%s %s", name, setting.flag()).isNotNull();
            }
            assertThat(spec.findOption("--config")).isNotNull();
        }
    }
}
