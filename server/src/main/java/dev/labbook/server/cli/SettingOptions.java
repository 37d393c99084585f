package dev.labbook.server.cli;

import dev.labbook.server.config.Setting;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Adds one option per {@link Setting} to a command, so flags, env vars and docs never drift. */
final class SettingOptions {
    private SettingOptions() {
    }

    /** Settings that may be given as a bare flag ({@code --insecure-no-auth}), meaning true. */
    private static final Set<Setting> BARE_FLAGS = EnumSet.of(Setting.INSECURE_NO_AUTH);

    static void addTo(CommandSpec spec) {
        for (Setting setting : Setting.values()) {
            String defaultText = setting.defaultValue().isEmpty() ? "none" : setting.defaultValue();
            OptionSpec.Builder option = OptionSpec.builder(setting.flag())
                    .paramLabel(setting.name())
                    .type(String.class)
                    .description(setting.description() + " Env: " + setting.envVar() + ". Default: " + defaultText
                            + ".");
            if (BARE_FLAGS.contains(setting)) {
                // --insecure-no-auth alone means true; --insecure-no-auth=false still turns it off.
                option.arity("0..1").fallbackValue("true");
            }
            spec.addOption(option.build());
        }
    }

    /** The settings given on the command line. */
    static Map<Setting, String> given(CommandSpec spec) {
        Map<Setting, String> flags = new EnumMap<>(Setting.class);
        for (Setting setting : Setting.values()) {
            String value = spec.findOption(setting.flag()).getValue();
            if (value != null) {
                flags.put(setting, value);
            }
        }
        return flags;
    }
}
