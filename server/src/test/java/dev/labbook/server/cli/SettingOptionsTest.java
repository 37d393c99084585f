package dev.labbook.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.server.config.Setting;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

class SettingOptionsTest {
    private CommandSpec spec;

    @BeforeEach
    void setUp() {
        spec = CommandSpec.create();
        SettingOptions.addTo(spec);
    }

    @Test
    void addsOneStringOptionPerSetting() {
        assertThat(spec.options()).hasSize(Setting.values().length);
        for (Setting setting : Setting.values()) {
            OptionSpec option = spec.findOption(setting.flag());
            assertThat(option).as(setting.flag()).isNotNull();
            assertThat(option.names()).containsExactly(setting.flag());
            assertThat(option.paramLabel()).isEqualTo(setting.name());
            assertThat(option.type()).isEqualTo(String.class);
        }
    }

    @Test
    void describesEnvVarAndDefault() {
        assertThat(spec.findOption("--port").description())
                .containsExactly("gRPC port. Env: LABBOOK_PORT. Default: 7800.");
        assertThat(spec.findOption("--db-user").description())
                .containsExactly("User for --db-url. Env: LABBOOK_DB_USER. Default: none.");
    }

    @Test
    void givenIsEmptyWhenNoFlagIsUsed() {
        new CommandLine(spec).parseArgs();

        assertThat(SettingOptions.given(spec)).isEmpty();
    }

    @Test
    void givenReturnsExactlyTheFlagsOnTheCommandLineVerbatim() {
        new CommandLine(spec).parseArgs("--port", "abc", "--db-url=jdbc:postgresql://db/x", "--db-password", " p w ");

        assertThat(SettingOptions.given(spec)).containsExactlyInAnyOrderEntriesOf(Map.of(
                Setting.PORT, "abc",
                Setting.DB_URL, "jdbc:postgresql://db/x",
                Setting.DB_PASSWORD, " p w "));
    }

    @Test
    void givenKeepsAnEmptyValue() {
        new CommandLine(spec).parseArgs("--db-url=");

        assertThat(SettingOptions.given(spec)).containsExactlyEntriesOf(Map.of(Setting.DB_URL, ""));
    }

    @Test
    void insecureNoAuthIsABareFlagThatStillTakesAValue() {
        new CommandLine(spec).parseArgs("--insecure-no-auth", "--port", "1");
        assertThat(SettingOptions.given(spec)).containsEntry(Setting.INSECURE_NO_AUTH, "true")
                .containsEntry(Setting.PORT, "1");

        CommandSpec other = CommandSpec.create();
        SettingOptions.addTo(other);
        new CommandLine(other).parseArgs("--insecure-no-auth=false");
        assertThat(SettingOptions.given(other)).containsExactlyEntriesOf(Map.of(Setting.INSECURE_NO_AUTH, "false"));

        CommandSpec third = CommandSpec.create();
        SettingOptions.addTo(third);
        new CommandLine(third).parseArgs("--insecure-no-auth", "true");
        assertThat(SettingOptions.given(third)).containsExactlyEntriesOf(Map.of(Setting.INSECURE_NO_AUTH, "true"));
    }

    @Test
    void otherSettingsStillNeedAValue() {
        assertThat(spec.findOption("--port").arity().min()).isEqualTo(1);
        assertThat(spec.findOption("--insecure-no-auth").arity().min()).isZero();
    }
}
