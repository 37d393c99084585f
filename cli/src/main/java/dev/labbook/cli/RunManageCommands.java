package dev.labbook.cli;

import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.RunInfo;
import java.io.PrintWriter;
import java.util.ArrayList;
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

/** {@code labbook runs delete|restore|purge|tag|untag|rename|describe}. */
final class RunManageCommands {
    private RunManageCommands() {
    }

    /** What every command here shares: the server, the RUN, and how a changed run is reported. */
    abstract static class OnRun implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Parameters(index = "0", paramLabel = "RUN",
                description = "Run id, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAME.")
        String run;

        @Override
        public Integer call() {
            try (LabbookClient labbook = client.connect()) {
                RunInfo info = RunResolver.resolve(labbook, client.project(), run);
                String label = new ExperimentNames(labbook, client.project()).of(info.experimentId()) + "/" + info.name();
                apply(labbook, info, label, spec.commandLine().getOut());
            }
            return 0;
        }

        abstract void apply(LabbookClient labbook, RunInfo run, String label, PrintWriter out);

        void printTags(PrintWriter out, String label, Map<String, String> tags) {
            if (client.json()) {
                Json.print(out, tags);
                return;
            }
            out.println(label + " tags: " + (tags.isEmpty() ? "(none)" : Formats.tags(tags)));
            out.flush();
        }

        void report(PrintWriter out, RunInfo changed, String line) {
            if (client.json()) {
                Json.print(out, changed);
            } else {
                out.println(line);
                out.flush();
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = {"Soft-deletes a run: hidden from lists and searches, kept until purged.",
                "Asks for confirmation on a terminal (--yes skips it). Undo with 'labbook runs restore'."})
    static final class Delete extends OnRun {
        @Option(names = {"-y", "--yes"}, description = "Don't ask for confirmation.")
        boolean yes;

        @Override
        void apply(LabbookClient labbook, RunInfo run, String label, PrintWriter out) {
            Confirm.destructive(yes, false, "Delete run " + label + " (" + run.id() + ")?");
            RunInfo deleted = labbook.runs().delete(run.id());
            report(out, deleted, "deleted run " + label + " (" + run.id() + "); undo with: labbook runs restore "
                    + ListingOptions.shortId(run.id()));
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = "Makes a soft-deleted run active again.")
    static final class Restore extends OnRun {
        @Override
        void apply(LabbookClient labbook, RunInfo run, String label, PrintWriter out) {
            report(out, labbook.runs().restore(run.id()), "restored run " + label + " (" + run.id() + ")");
        }
    }

    /** What {@code runs purge --json} prints. */
    record Purged(String runId, long purgedRuns) {
    }

    @Command(name = "purge", mixinStandardHelpOptions = true,
            description = {"Removes a soft-deleted run and its child runs for good: params, metrics, logs, tables,",
                "artifacts. Asks for confirmation on a terminal; without one it needs --yes."})
    static final class Purge extends OnRun {
        @Option(names = {"-y", "--yes"}, description = "Don't ask for confirmation (needed without a terminal).")
        boolean yes;

        @Override
        void apply(LabbookClient labbook, RunInfo run, String label, PrintWriter out) {
            if (!run.deleted()) {
                throw new CliException("run " + label + " (" + run.id() + ") is not deleted; delete it first "
                        + "(labbook runs delete " + ListingOptions.shortId(run.id()) + ")");
            }
            Confirm.destructive(yes, true, "Purge run " + label + " (" + run.id() + ") and its child runs?");
            long purged = labbook.runs().purge(run.id());
            if (client.json()) {
                Json.print(out, new Purged(run.id(), purged));
            } else {
                out.println("purged " + purged + " run(s): " + label + " (" + run.id() + ")");
                out.flush();
            }
        }
    }

    @Command(name = "tag", mixinStandardHelpOptions = true, description = "Sets tags of a run (KEY=VALUE, repeatable).")
    static final class Tag extends OnRun {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY=VALUE", description = "Tags to set.")
        List<String> tags = new ArrayList<>();

        @Override
        void apply(LabbookClient labbook, RunInfo run, String label, PrintWriter out) {
            Map<String, String> set = new LinkedHashMap<>();
            for (String t : tags) {
                int eq = t.indexOf('=');
                if (eq <= 0) {
                    throw new CliException("tags are KEY=VALUE, got '" + t + "'");
                }
                set.put(t.substring(0, eq), t.substring(eq + 1));
            }
            Map<String, String> after = labbook.runs().setTags(run.id(), set, List.of());
            printTags(out, label, after);
        }
    }

    @Command(name = "untag", mixinStandardHelpOptions = true, description = "Removes tags of a run by key.")
    static final class Untag extends OnRun {
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "KEY", description = "Tag keys to remove.")
        List<String> keys = new ArrayList<>();

        @Override
        void apply(LabbookClient labbook, RunInfo run, String label, PrintWriter out) {
            printTags(out, label, labbook.runs().setTags(run.id(), Map.of(), keys));
        }
    }


    @Command(name = "rename", mixinStandardHelpOptions = true, description = "Renames a run.")
    static final class Rename extends OnRun {
        @Parameters(index = "1", paramLabel = "NEW-NAME", description = "The new name (unique in the experiment).")
        String name;

        @Override
        void apply(LabbookClient labbook, RunInfo run, String label, PrintWriter out) {
            RunInfo renamed = labbook.runs().rename(run.id(), name);
            report(out, renamed, "renamed run " + label + " to " + renamed.name());
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Sets a run's description (empty clears it).")
    static final class Describe extends OnRun {
        @Parameters(index = "1", paramLabel = "TEXT", description = "The description.")
        String text;

        @Override
        void apply(LabbookClient labbook, RunInfo run, String label, PrintWriter out) {
            report(out, labbook.runs().setDescription(run.id(), text), "description of " + label + " set");
        }
    }
}
