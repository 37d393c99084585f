package dev.labbook.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code labbook} client that {@code bin/labbook} runs for every command but the server's own
 * ({@code server}, {@code migrate}, {@code new-token}: the server jar runs those, this one only
 * lists them, see {@link ServerJarCommands}).
 */
@Command(name = "labbook", mixinStandardHelpOptions = true, version = "labbook 0.1.0",
        description = {"Labbook: self-hosted experiment tracking for Java and Python training scripts.",
            "Client commands reach the server given by --target or LABBOOK_TRACKING_URI (default localhost:7800)."},
        footer = {"", "RUN arguments are a run id, 6+ characters from its start or end (lists show the last 8),",
            "or EXPERIMENT/RUN-NAME (in --project, default 'default').",
            "Exit status: 0 ok, 1 error (the server's answer is printed), 2 bad usage;",
            "'labbook run' exits with the script's own status."})
public final class LabbookCli implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The whole command tree: for help, completion, and arguments that name no command. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new LabbookCli());
        for (Object command : ServerJarCommands.all()) {
            commandLine.addSubcommand(command);
        }
        for (Object command : ClientCommands.all()) {
            commandLine.addSubcommand(command);
        }
        commandLine.addSubcommand(new CompletionCommand());
        commandLine.addSubcommand(new CommandLine.HelpCommand());
        return configured(commandLine);
    }

    /**
     * The tree that runs {@code args}: when they start with a command's name, the launcher with that
     * command alone. picocli reads the annotations of every command it is given, about a fifth of a
     * short command's time for all of them; the one that runs is all {@code runs list} needs.
     */
    static CommandLine commandLine(String[] args) {
        if (args.length > 0) {
            for (Object command : ClientCommands.all()) {
                if (command.getClass().getAnnotation(Command.class).name().equals(args[0])) {
                    return configured(new CommandLine(new LabbookCli()).addSubcommand(command));
                }
            }
        }
        return commandLine();
    }

    /** Settings for the whole tree: picocli applies them to the subcommands added before. */
    private static CommandLine configured(CommandLine commandLine) {
        // picocli would read @FILE arguments as argument files (and turn @@x into @x) everywhere,
        // even after --: 'labbook run -- python train.py @args.txt' must pass @args.txt unchanged.
        // No command of the launcher takes argument files, so expansion is off for all of them.
        commandLine.setExpandAtFiles(false);
        commandLine.setExecutionExceptionHandler(new ErrorReporter());
        return commandLine;
    }

    public static void main(String[] args) {
        // JGit (the run and submit commands' source snapshot) logs through SLF4J, and this jar has
        // no SLF4J provider (the server's Logback is not in it): without this, SLF4J warns about
        // that on stderr before every such command. Its logging is dropped, as before.
        System.setProperty("slf4j.internal.verbosity", "ERROR");
        System.exit(commandLine(args).execute(args));
    }
}
