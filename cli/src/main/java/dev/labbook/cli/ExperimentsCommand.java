package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.ExperimentInfo;
import dev.labbook.sdk.LabbookClient;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labbook experiments list|create|rename|delete|restore|purge}. */
@Command(name = "experiments", mixinStandardHelpOptions = true, description = "Lists and manages experiments.",
        subcommands = {ExperimentsCommand.ListExperiments.class, ExperimentsCommand.Create.class,
            ExperimentsCommand.Rename.class, ExperimentsCommand.Delete.class, ExperimentsCommand.Restore.class,
            ExperimentsCommand.Purge.class})
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

        @Mixin
        ListingOptions listing = new ListingOptions();

        @Override
        public Integer call() {
            try (LabbookClient labbook = client.connect()) {
                List<ExperimentInfo> experiments = labbook.experiments().listAll(client.project());
                if (listing.json(client)) {
                    Json.print(spec.commandLine().getOut(), experiments);
                    return 0;
                }
                Table table = new Table("ID", "NAME", "FOLDER", "TAGS", "CREATED", "DESCRIPTION");
                for (ExperimentInfo e : experiments) {
                    table.row(listing.id(client, e.id()), e.name(), e.folder(), Formats.tags(e.tags()), Formats.time(e.createTimeMs()),
                            e.description());
                }
                listing.print(client, spec.commandLine().getOut(), table);
            }
            return 0;
        }
    }

    /** What the commands on one experiment share: the server and the experiment, by name or id. */
    abstract static class OnExperiment implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "Experiment name (in --project), id, or 6+ characters from the start or end of its id "
                + "(the list's short id).")
        String experiment;

        @Override
        public Integer call() {
            try (LabbookClient labbook = client.connect()) {
                ExperimentInfo info = ExperimentResolver.resolve(labbook, client.project(), experiment);
                apply(labbook, info, spec.commandLine().getOut());
            }
            return 0;
        }

        abstract void apply(LabbookClient labbook, ExperimentInfo experiment, PrintWriter out);

        void report(PrintWriter out, Object json, String line) {
            if (client.json()) {
                Json.print(out, json);
            } else {
                out.println(line);
                out.flush();
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Creates an experiment.")
    static final class Create implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Parameters(index = "0", paramLabel = "NAME", description = "Name (unique in the project, any case).")
        String name;

        @Option(names = {"-d", "--description"}, paramLabel = "TEXT", description = "Description.")
        String description = "";

        @Option(names = "--folder", paramLabel = "PATH", description = "Folder, e.g. /vision.")
        String folder = "";

        @Option(names = {"-t", "--tag"}, paramLabel = "KEY=VALUE", description = "Tag (repeatable).")
        Map<String, String> tags = new LinkedHashMap<>();

        @Override
        public Integer call() {
            try (LabbookClient labbook = client.connect()) {
                ExperimentInfo created = labbook.experiments().create(client.project(), name, description, folder, tags);
                PrintWriter out = spec.commandLine().getOut();
                if (client.json()) {
                    Json.print(out, created);
                } else {
                    out.println("created experiment " + created.name() + " (" + created.id() + ") in project "
                            + client.project());
                    out.flush();
                }
            }
            return 0;
        }
    }

    @Command(name = "rename", mixinStandardHelpOptions = true, description = "Renames an experiment.")
    static final class Rename extends OnExperiment {
        @Parameters(index = "1", paramLabel = "NEW-NAME", description = "The new name.")
        String name;

        @Override
        void apply(LabbookClient labbook, ExperimentInfo e, PrintWriter out) {
            ExperimentInfo renamed = labbook.experiments().rename(e.id(), name);
            report(out, renamed, "renamed experiment " + e.name() + " to " + renamed.name());
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Soft-deletes an experiment: it and its runs are hidden until restored or purged.",
                "Asks for confirmation on a terminal (--yes skips it)."})
    static final class Delete extends OnExperiment {
        @Option(names = {"-y", "--yes"}, description = "Don't ask for confirmation.")
        boolean yes;

        @Override
        void apply(LabbookClient labbook, ExperimentInfo e, PrintWriter out) {
            Confirm.destructive(yes, false, "Delete experiment " + e.name() + " and hide its runs?");
            ExperimentInfo deleted = labbook.experiments().delete(e.id());
            report(out, deleted, "deleted experiment " + e.name() + " (" + e.id()
                    + "); undo with: labbook experiments restore " + e.id());
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = "Makes a soft-deleted experiment active again.")
    static final class Restore extends OnExperiment {
        @Override
        void apply(LabbookClient labbook, ExperimentInfo e, PrintWriter out) {
            report(out, labbook.experiments().restore(e.id()), "restored experiment " + e.name());
        }
    }

    /** What {@code experiments purge --json} prints. */
    record Purged(String experimentId, long purgedRuns) {
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = {"Removes a soft-deleted experiment and all its runs for good.",
                "Asks for confirmation on a terminal; without one it needs --yes."})
    static final class Purge extends OnExperiment {
        @Option(names = {"-y", "--yes"}, description = "Don't ask for confirmation (needed without a terminal).")
        boolean yes;

        @Override
        void apply(LabbookClient labbook, ExperimentInfo e, PrintWriter out) {
            if (!e.deleted()) {
                throw new CliException("experiment " + e.name() + " is not deleted; delete it first (labbook "
                        + "experiments delete " + e.name() + ")");
            }
            Confirm.destructive(yes, true, "Purge experiment " + e.name() + " and all its runs?");
            long purged = labbook.experiments().purge(e.id());
            report(out, new Purged(e.id(), purged), "purged experiment " + e.name() + " and " + purged + " run(s)");
        }
    }
}
