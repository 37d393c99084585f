package dev.labbook.cli;

import dev.labbook.server.cli.LabbookCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code labbook} launcher that {@code bin/labbook} runs: the server's own commands
 * ({@code server}, {@code migrate}) and the client commands that talk to a server.
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

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new LabbookCli());
        // picocli would read @FILE arguments as argument files (and turn @@x into @x) everywhere,
        // even after --: 'labbook run -- python train.py @args.txt' must pass @args.txt unchanged.
        // No command of the launcher takes argument files, so expansion is off for all of them.
        commandLine.setExpandAtFiles(false);
        LabbookCommand.addServerCommands(commandLine);
        for (Object command : ClientCommands.all()) {
            commandLine.addSubcommand(command);
        }
        commandLine.addSubcommand(new CompletionCommand());
        commandLine.addSubcommand(new CommandLine.HelpCommand());
        commandLine.setExecutionExceptionHandler(new ErrorReporter());
        return commandLine;
    }

    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        System.exit(commandLine().execute(args));
    }
}
