package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.MetricSummary;
import dev.labbook.sdk.RunDetails;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunSearch;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.StatusChange;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labbook runs list|show|search}. */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = "Lists, shows, searches and manages runs.",
        subcommands = {RunsCommand.ListRuns.class, RunsCommand.ShowRun.class, RunsCommand.SearchRuns.class,
            RunManageCommands.Tag.class, RunManageCommands.Untag.class, RunManageCommands.Rename.class,
            RunManageCommands.Describe.class, RunManageCommands.Delete.class, RunManageCommands.Restore.class,
            RunManageCommands.Purge.class})
final class RunsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Columns of run tables: the run's own fields, then one per requested params./metrics./tags. key. */
    static void printRuns(PrintWriter out, LabbookClient client, ClientOptions options, ListingOptions listing,
            List<RunInfo> runs, List<String> columns) {
        String project = options.project();
        ExperimentNames experiments = new ExperimentNames(client, project);
        List<String> header = new ArrayList<>(List.of("ID", "EXPERIMENT", "NAME", "STATUS", "STARTED", "DURATION"));
        header.addAll(columns);
        Table table = new Table(header.toArray(String[]::new));
        for (RunInfo run : runs) {
            List<Object> row = new ArrayList<>(List.of(listing.id(options, run.id()), experiments.of(run.experimentId()),
                    run.name(), run.status() + (run.deleted() ? " (deleted)" : ""), Formats.time(run.startTimeMs()), Formats.duration(run.startTimeMs(), run.endTimeMs())));
            for (String column : columns) {
                row.add(cell(run, column));
            }
            table.row(row.toArray());
        }
        listing.print(options, out, table);
        if (runs.isEmpty() && listing.format(options) == ListingOptions.Format.TABLE) {
            out.println("(no runs)");
            out.flush();
        }
    }

    private static String cell(RunInfo run, String column) {
        int dot = column.indexOf('.');
        String kind = dot < 0 ? column : column.substring(0, dot);
        String key = dot < 0 ? "" : column.substring(dot + 1).replace("`", "");
        return switch (kind) {
            case "params", "param" -> Formats.value(run.params().get(key));
            case "tags", "tag" -> run.tags().getOrDefault(key, "");
            case "metrics", "metric" -> run.metrics().stream().filter(m -> m.key().equals(key)).findFirst()
                    .map(m -> Formats.value(m.lastValue())).orElse("");
            default -> "";
        };
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Lists runs, newest first: of one experiment, or of the whole project.")
    static final class ListRuns implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Option(names = {"-e", "--experiment"}, paramLabel = "EXPERIMENT",
                description = "Only this experiment's runs (its name, id or short id).")
        String experiment;

        @Option(names = "--status", paramLabel = "STATUS", description = "Only runs in this status: QUEUED, "
                + "RUNNING, COMPLETED, FAILED, CANCELED or CRASHED (its heartbeat stopped).")
        String status;

        @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "50",
                description = "At most N runs (0: all). Default: ${DEFAULT-VALUE}.")
        int limit;

        @Option(names = {"-a", "--all"}, description = "Deleted runs too (marked '(deleted)').")
        boolean all;

        @Mixin
        ListingOptions listing = new ListingOptions();

        @Override
        public Integer call() {
            String filter = status == null ? "" : "status = " + RunResolver.quote(status);
            try (LabbookClient labbook = client.connect()) {
                RunSearch search = experiment == null ? RunSearch.inProject(client.project())
                        : RunSearch.inExperiments(ExperimentResolver.resolve(labbook, client.project(), experiment).id());
                List<RunInfo> runs = labbook.runs().searchAll(search.filter(filter).maxResults(Math.max(0, limit))
                        .includeDeleted(all));
                if (listing.json(client)) {
                    Json.print(spec.commandLine().getOut(), runs);
                } else {
                    printRuns(spec.commandLine().getOut(), labbook, client, listing, runs, List.of());
                }
            }
            return 0;
        }
    }

    @Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Searches runs with the filter language of docs/search.md, e.g.",
                "  labbook runs search \"params.lr < 0.05 AND metrics.val_acc >= 0.9\" --order-by \"metrics.val_acc DESC\"",
                "The table shows a column for each params./metrics./tags. key of --order-by and --column."})
    static final class SearchRuns implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Parameters(index = "0", arity = "0..1", paramLabel = "FILTER", description = "Filter (empty: every run).")
        String filter = "";

        @Option(names = {"-o", "--order-by"}, paramLabel = "TERM",
                description = "Order term, most significant first (repeatable), e.g. 'metrics.loss ASC'.")
        List<String> orderBy = new ArrayList<>();

        @Option(names = {"-e", "--experiment"}, paramLabel = "EXPERIMENT", description = "Search only these "
                + "experiments (name, id or short id; repeatable). Default: the whole project.")
        List<String> experiments = new ArrayList<>();

        @Option(names = {"-n", "--max"}, paramLabel = "N", defaultValue = "50",
                description = "At most N runs (0: all; 1: the best run). Default: ${DEFAULT-VALUE}.")
        int max;

        @Option(names = {"-c", "--column"}, paramLabel = "FIELD",
                description = "Extra column, e.g. params.lr or metrics.val_acc (repeatable).")
        List<String> columns = new ArrayList<>();

        @Mixin
        ListingOptions listing = new ListingOptions();

        @Override
        public Integer call() {
            try (LabbookClient labbook = client.connect()) {
                RunSearch search = RunSearch.inProject(client.project());
                if (!experiments.isEmpty()) {
                    search = RunSearch.inExperiments(ExperimentResolver.ids(labbook, client.project(), experiments));
                }
                List<RunInfo> runs = labbook.runs().searchAll(search.filter(filter)
                        .orderBy(orderBy.toArray(String[]::new)).maxResults(Math.max(0, max)));
                if (listing.json(client)) {
                    Json.print(spec.commandLine().getOut(), runs);
                } else {
                    List<String> shown = new ArrayList<>(columns);
                    for (String term : orderBy) {
                        String field = term.strip().split("\\s+")[0];
                        if (field.matches("(params?|metrics?|tags?)\\..+") && !shown.contains(field)) {
                            shown.add(field);
                        }
                    }
                    printRuns(spec.commandLine().getOut(), labbook, client, listing, runs, shown);
                }
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Shows one run: status, times, source, tags, params, metric summaries, status history.")
    static final class ShowRun implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        ClientOptions client = new ClientOptions();

        @Parameters(index = "0", paramLabel = "RUN",
                description = "Run id, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAME.")
        String run;

        /** What {@code runs show --json} prints. */
        record Shown(RunInfo run, String experimentName, List<StatusChange> statusHistory,
                List<MetricSummary> metrics) {
        }

        @Override
        public Integer call() {
            try (LabbookClient labbook = client.connect()) {
                RunInfo info = RunResolver.resolve(labbook, client.project(), run);
                RunDetails details = labbook.runs().details(info.id());
                List<MetricSummary> metrics = labbook.metrics().list(info.id());
                String experiment = labbook.experiments().get(details.run().experimentId()).name();
                PrintWriter out = spec.commandLine().getOut();
                if (client.json()) {
                    Json.print(out, new Shown(details.run(), experiment, details.statusHistory(), metrics));
                } else {
                    print(out, details, experiment, metrics);
                }
            }
            return 0;
        }

        private static void print(PrintWriter out, RunDetails details, String experiment, List<MetricSummary> metrics) {
            RunInfo r = details.run();
            Table fields = new Table("FIELD", "VALUE");
            fields.row("id", r.id());
            fields.row("name", r.name());
            fields.row("experiment", experiment + " (" + r.experimentId() + ")");
            fields.row("status", r.status() + (r.deleted() ? " (deleted)" : ""));
            fields.row("created", Formats.time(r.createTimeMs()));
            fields.row("started", r.status() == RunStatus.QUEUED ? "(queued)" : Formats.time(r.startTimeMs()));
            fields.row("ended", Formats.time(r.endTimeMs()));
            fields.row("duration", Formats.duration(r.startTimeMs(), r.endTimeMs()));
            if (r.resumeCount() > 0) {
                fields.row("resumed", r.resumeCount() + " time(s)");
            }
            if (!r.description().isEmpty()) {
                fields.row("description", r.description());
            }
            if (!r.parentRunId().isEmpty()) {
                fields.row("parent run", r.parentRunId());
            }
            if (!r.source().script().isEmpty()) {
                fields.row("command", r.source().script() + " " + String.join(" ", r.source().args()));
            }
            if (!r.source().gitCommit().isEmpty()) {
                fields.row("git", r.source().gitCommit() + (r.source().gitDirty() ? " (dirty)" : ""));
            }
            if (!r.source().host().isEmpty()) {
                fields.row("host", r.source().host());
            }
            if (!r.source().workingDir().isEmpty()) {
                fields.row("working dir", r.source().workingDir());
            }
            fields.row("tags", Formats.tags(r.tags()));
            fields.print(out);
            if (!r.params().isEmpty()) {
                out.println();
                Table params = new Table("PARAM", "VALUE");
                new TreeMap<>(r.params()).forEach((k, v) -> params.row(k, Formats.value(v)));
                params.print(out);
            }
            if (!metrics.isEmpty()) {
                out.println();
                MetricsCommand.summaryTable(metrics, Map.of()).print(out);
            }
            out.println();
            Table history = new Table("TIME", "STATUS", "REASON");
            for (StatusChange c : details.statusHistory()) {
                history.row(Formats.time(c.timeMs()), c.to(), c.reason());
            }
            history.print(out);
        }
    }
}
