package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.ExperimentInfo;
import dev.labbook.sdk.LabbookClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code labbook experiments list}. */
@Command(name = "experiments", mixinStandardHelpOptions = true, description = "Lists experiments.",
        subcommands = ExperimentsCommand.ListExperiments.class)
final class ExperimentsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Lists the project's active experiments, newest first.")
    static final class ListExperiments implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Override
        public Integer call() {
            try (LabbookClient labbook = client.connect()) {
                List<ExperimentInfo> experiments = labbook.experiments().listAll(client.project());
                if (client.json()) {
                    Json.print(spec.commandLine().getOut(), experiments);
                    return 0;
                }
                Table table = new Table("ID", "NAME", "FOLDER", "TAGS", "CREATED", "DESCRIPTION");
                for (ExperimentInfo e : experiments) {
                    table.row(e.id(), e.name(), e.folder(), Formats.tags(e.tags()), Formats.time(e.createTimeMs()),
                            e.description());
                }
                table.print(spec.commandLine().getOut());
            }
            return 0;
        }
    }
}
