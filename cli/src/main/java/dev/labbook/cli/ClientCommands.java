package dev.labbook.cli;

import java.util.List;

/** The client commands of the launcher, in the order {@code labbook --help} lists them. */
final class ClientCommands {
    private ClientCommands() {
    }

    static List<Object> all() {
        return List.of(new RunCommand(), new SubmitCommand(), new TargetsCommand(), new RunsCommand(), new ExperimentsCommand(), new MetricsCommand(),
                new ParamsCommand(), new TablesCommand(),
                new LogsCommand(), new ArtifactsCommand(), new CompareCommand(), new SyncCommand(), new LoginCommand(),
                new LogoutCommand(), new WhoamiCommand(), new TokensCommand(), new AuditCommand());
    }
}
