package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.MetricSummary;
import dev.labbook.sdk.RunComparison;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunSearch;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code labbook compare}: runs as rows, their params and metric summaries as columns (or the
 * other way round with {@code --transpose}). Runs are given by RUN arguments, or found with
 * SearchRuns ({@code -e}, {@code --filter}, {@code --order-by}, {@code --limit}).
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Puts runs side by side: one row per run, a column per param and metric (its last value,",
            "or --stat min|max). Runs by RUN arguments, or by search: -e EXPERIMENT, --filter, --order-by, --limit.",
            "--diff-only hides the columns where every run has the same value; --transpose turns the table.",
            "Examples:",
            "  labbook compare 1a2b3c4d 5e6f7a8b",
            "  labbook compare -e sweep --order-by 'metrics.val_acc DESC' --limit 20 --diff-only"})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Mixin
    ListingOptions listing = new ListingOptions();

    @Parameters(arity = "0..*", paramLabel = "RUN",
            description = "Run ids, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAMEs.")
    List<String> runs = new ArrayList<>();

    @Option(names = {"-e", "--experiment"}, paramLabel = "EXPERIMENT",
            description = "Runs of this experiment (name, id or short id; repeatable).")
    List<String> experiments = new ArrayList<>();

    @Option(names = {"-f", "--filter"}, paramLabel = "FILTER", description = "Search filter (docs/search.md).")
    String filter = "";

    @Option(names = {"-o", "--order-by"}, paramLabel = "TERM", description = "Order term (repeatable), e.g. "
            + "'metrics.val_acc DESC'. Default: newest first.")
    List<String> orderBy = new ArrayList<>();

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "50",
            description = "With a search: at most N runs (0: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--diff-only", description = "Hide params and metrics that are equal in every run.")
    boolean diffOnly;

    @Option(names = {"-t", "--transpose"}, description = "One column per run, one row per field.")
    boolean transpose;

    @Option(names = "--stat", paramLabel = "STAT", defaultValue = "last",
            description = "Which metric value to show: last, min or max. Default: ${DEFAULT-VALUE}.")
    String stat;

    @Option(names = "--tags", description = "Show tags as columns too.")
    boolean tags;

    @Override
    public Integer call() {
        boolean search = !experiments.isEmpty() || !filter.isBlank() || !orderBy.isEmpty();
        if (search && !runs.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "give RUN arguments or a search (-e, --filter, --order-by), not both");
        }
        if (!search && runs.size() < 2) {
            throw new ParameterException(spec.commandLine(),
                    "compare needs 2 or more RUNs, or a search: -e EXPERIMENT, --filter or --order-by");
        }
        String which = stat.strip().toLowerCase(Locale.ROOT);
        if (!List.of("last", "min", "max").contains(which)) {
            throw new CliException("--stat must be last, min or max, got '" + stat + "'");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LabbookClient labbook = client.connect()) {
            List<RunInfo> compared = search ? searched(labbook) : given(labbook);
            if (compared.isEmpty()) {
                throw new CliException("NOT_FOUND: no run matches the search");
            }
            RunComparison comparison = compare(compared, which);
            if (listing.json(client)) {
                Json.print(out, comparison);
                return 0;
            }
            print(out, labbook, comparison, which);
        }
        return 0;
    }

    /** The RUN arguments, in their order, with params, tags and metric summaries (one search by id). */
    private List<RunInfo> given(LabbookClient labbook) {
        Set<String> ids = new LinkedHashSet<>();
        for (String ref : runs) {
            ids.add(RunResolver.resolve(labbook, client.project(), ref).id());
        }
        String inList = String.join(", ", ids.stream().map(RunResolver::quote).toList());
        Map<String, RunInfo> byId = new LinkedHashMap<>();
        for (RunInfo r : labbook.runs().searchAll(RunSearch.inProject(client.project()).filter("id IN (" + inList + ")")
                .includeDeleted(true))) {
            byId.put(r.id(), r);
        }
        List<RunInfo> out = new ArrayList<>();
        for (String id : ids) {
            // A run of another project (given by its full id) is not in the search: read it alone.
            out.add(byId.containsKey(id) ? byId.get(id) : labbook.runs().get(id));
        }
        return out;
    }

    private List<RunInfo> searched(LabbookClient labbook) {
        RunSearch s = RunSearch.inProject(client.project());
        if (!experiments.isEmpty()) {
            s = RunSearch.inExperiments(ExperimentResolver.ids(labbook, client.project(), experiments));
        }
        return labbook.runs().searchAll(s.filter(filter).orderBy(orderBy.toArray(String[]::new))
                .maxResults(Math.max(0, limit)));
    }

    /** Params, metric summaries and which keys differ, as CompareRuns answers (but for any number of runs). */
    static RunComparison compare(List<RunInfo> runs, String stat) {
        TreeSet<String> paramKeys = new TreeSet<>();
        TreeSet<String> metricKeys = new TreeSet<>();
        TreeSet<String> tagKeys = new TreeSet<>();
        for (RunInfo r : runs) {
            paramKeys.addAll(r.params().keySet());
            r.metrics().forEach(m -> metricKeys.add(m.key()));
            tagKeys.addAll(r.tags().keySet());
        }
        Map<String, List<Object>> params = new LinkedHashMap<>();
        List<String> differingParams = new ArrayList<>();
        for (String k : paramKeys) {
            List<Object> values = new ArrayList<>();
            runs.forEach(r -> values.add(r.params().get(k)));
            params.put(k, values);
            if (values.stream().distinct().count() > 1) {
                differingParams.add(k);
            }
        }
        Map<String, List<MetricSummary>> metrics = new LinkedHashMap<>();
        List<String> differingMetrics = new ArrayList<>();
        for (String k : metricKeys) {
            List<MetricSummary> values = new ArrayList<>();
            runs.forEach(r -> values.add(r.metrics().stream().filter(m -> m.key().equals(k)).findFirst().orElse(null)));
            metrics.put(k, values);
            if (values.stream().map(m -> m == null ? null : value(m, stat)).distinct().count() > 1) {
                differingMetrics.add(k);
            }
        }
        List<String> differingTags = new ArrayList<>();
        for (String k : tagKeys) {
            if (runs.stream().map(r -> r.tags().get(k)).distinct().count() > 1) {
                differingTags.add(k);
            }
        }
        return new RunComparison(List.copyOf(runs), params, metrics, differingParams, differingMetrics, differingTags);
    }

    private static Double value(MetricSummary m, String stat) {
        return switch (stat) {
            case "min" -> m.min();
            case "max" -> m.max();
            default -> m.lastValue();
        };
    }

    static String shortTitle(String title) {
        for (String prefix : List.of("params.", "metrics.", "tags.")) {
            if (title.startsWith(prefix)) {
                return prefix.charAt(0) + "." + title.substring(prefix.length());
            }
        }
        return title;
    }

    private void print(PrintWriter out, LabbookClient labbook, RunComparison c, String which) {
        ExperimentNames names = new ExperimentNames(labbook, client.project());
        List<RunInfo> rs = c.runs();
        // Columns: the run's identity, then one per shown param / tag / metric.
        List<String> header = new ArrayList<>(List.of("ID", "EXPERIMENT", "NAME", "STATUS"));
        List<List<String>> columns = new ArrayList<>();
        columns.add(rs.stream().map(r -> listing.id(client, r.id())).toList());
        columns.add(rs.stream().map(r -> names.of(r.experimentId())).toList());
        columns.add(rs.stream().map(RunInfo::name).toList());
        columns.add(rs.stream().map(r -> r.status() + (r.deleted() ? " (deleted)" : "")).toList());
        for (Map.Entry<String, List<Object>> p : c.params().entrySet()) {
            if (!diffOnly || c.differingParamKeys().contains(p.getKey())) {
                header.add("params." + p.getKey());
                columns.add(p.getValue().stream().map(v -> v == null ? "" : Formats.value(v)).toList());
            }
        }
        if (tags) {
            TreeSet<String> tagKeys = new TreeSet<>();
            rs.forEach(r -> tagKeys.addAll(r.tags().keySet()));
            for (String k : tagKeys) {
                if (!diffOnly || c.differingTagKeys().contains(k)) {
                    header.add("tags." + k);
                    columns.add(rs.stream().map(r -> r.tags().getOrDefault(k, "")).toList());
                }
            }
        }
        for (Map.Entry<String, List<MetricSummary>> m : c.metrics().entrySet()) {
            if (!diffOnly || c.differingMetricKeys().contains(m.getKey())) {
                header.add("metrics." + m.getKey() + (which.equals("last") ? "" : "." + which));
                columns.add(m.getValue().stream().map(s -> s == null ? "" : Formats.value(value(s, which))).toList());
            }
        }
        Table table;
        if (transpose) {
            List<String> th = new ArrayList<>(List.of("FIELD"));
            th.addAll(columns.get(0));
            table = new Table(th);
            for (int i = 1; i < header.size(); i++) {
                List<Object> row = new ArrayList<>();
                row.add(i < 4 ? header.get(i).toLowerCase(Locale.ROOT) : header.get(i));
                row.addAll(columns.get(i));
                table.row(row.toArray());
            }
        } else {
            // On the terminal p.lr, m.loss, t.team: with "params." in front every title of a
            // narrow column read "param…".
            table = new Table(header).shownHeader(header.stream().map(CompareCommand::shortTitle).toList())
                    .overflowHint("--wide shows them, --transpose puts the runs in columns, --diff-only hides equal ones");
            for (int r = 0; r < rs.size(); r++) {
                int index = r;
                table.row(columns.stream().map(col -> (Object) col.get(index)).toArray());
            }
        }
        listing.print(client, out, table);
        if (diffOnly && listing.format(client) == ListingOptions.Format.TABLE) {
            long hidden = c.params().size() + c.metrics().size() - c.differingParamKeys().size()
                    - c.differingMetricKeys().size();
            if (hidden > 0) {
                out.println("(" + hidden + " equal column(s) hidden)");
                out.flush();
            }
        }
    }
}
