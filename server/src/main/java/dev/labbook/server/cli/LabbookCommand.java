package dev.labbook.server.cli;

import dev.labbook.server.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The server jar's {@code labbook} command: {@code bin/labbook} runs it for {@code server}, {@code migrate} and
 * {@code new-token}; the client commands are in the cli module's own, smaller jar.
 */
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
