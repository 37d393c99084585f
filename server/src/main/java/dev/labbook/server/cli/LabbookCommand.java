package dev.labbook.server.cli;

import dev.labbook.server.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code labbook} launcher; {@code bin/labbook} runs this class from the packaged jar. */
@Command(name = "labbook", mixinStandardHelpOptions = true, version = "labbook 0.1.0",
        description = "Labbook: self-hosted experiment tracking for Java and Python training scripts.",
        subcommands = {ServerCommand.class, MigrateCommand.class, NewTokenCommand.class, CommandLine.HelpCommand.class})
public final class LabbookCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new LabbookCommand());
        SettingOptions.addTo(commandLine.getSubcommands().get("server").getCommandSpec());
        SettingOptions.addTo(commandLine.getSubcommands().get("migrate").getCommandSpec());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (isExpectedFailure(e)) {
                cmd.getErr().println("labbook: error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return commandLine;
    }

    /**
     * Adds {@code server}, {@code migrate} (with their setting options) and {@code new-token} to another launcher
     * (the cli module's {@code labbook} command), so both jars run the same commands.
     */
    public static void addServerCommands(CommandLine launcher) {
        launcher.addSubcommand("server", new ServerCommand());
        launcher.addSubcommand("migrate", new MigrateCommand());
        launcher.addSubcommand("new-token", new NewTokenCommand());
        SettingOptions.addTo(launcher.getSubcommands().get("server").getCommandSpec());
        SettingOptions.addTo(launcher.getSubcommands().get("migrate").getCommandSpec());
    }

    /** Expected failures (bad settings, unreachable database, busy port) get one clear line, no trace. */
    public static boolean isExpectedFailure(Exception e) {
        return e instanceof ConfigException || e instanceof IllegalStateException
                || e instanceof java.io.UncheckedIOException;
    }

    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(commandLine().execute(args));
    }
}
