package dev.labbook.cli;

import dev.labbook.cli.render.Sparkline;
import dev.labbook.cli.render.Table;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.MetricSeries;
import dev.labbook.sdk.MetricSummary;
import dev.labbook.sdk.RunInfo;
import dev.labbook.cli.render.ChartExport;
import dev.labbook.cli.render.Plot;
import dev.labbook.sdk.RunSearch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code labbook metrics RUN [KEY]}: the run's metric summaries with a sparkline each, or a plot of
 * one series. Both read the server-side downsampled history (min/max kept per bucket), so a
 * million-point series costs a few hundred points on the wire.
 */
@Command(name = "metrics", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Without KEY: a table of the run's metric series (last, min, max, count, trend).",
            "With KEY: a terminal plot of that series (each column spans its points' min..max);"
                + " with --json its (downsampled) points; --png/--svg also write a chart.",
            "With -e EXPERIMENT or --filter and KEY: that series of several runs, overlaid."})
final class MetricsCommand implements Callable<Integer> {
    /** Series drawn as sparklines in the summary table; past that, the table alone. */
    private static final int MAX_SPARKLINES = 50;
    private static final int SPARKLINE_WIDTH = 24;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Parameters(arity = "0..2", paramLabel = "RUN [KEY]",
            description = {"RUN: run id, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAME;"
                + " KEY: the metric to plot.", "With -e or --filter: KEY alone, plotted for each run found."})
    List<String> args = new ArrayList<>();

    @Mixin
    ListingOptions listing = new ListingOptions();

    @Option(names = {"-e", "--experiment"}, paramLabel = "EXPERIMENT",
            description = "Overlay KEY of the runs of this experiment (name, id or short id; repeatable).")
    List<String> experiments = new ArrayList<>();

    @Option(names = {"-f", "--filter"}, paramLabel = "FILTER", defaultValue = "",
            description = "Overlay KEY of the runs this search filter finds (docs/search.md).")
    String filter;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "10",
            description = "With -e or --filter: at most N runs (newest first; 1-100). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Option(names = "--points", paramLabel = "N", defaultValue = "1000",
            description = "With KEY and --json: at most about N points (0: the full history). Default: ${DEFAULT-VALUE}.")
    int points;

    @Option(names = "--width", paramLabel = "COLS", defaultValue = "0",
            description = "Plot width in characters, labels included. Default: the terminal's (COLUMNS), else 80.")
    int width;

    @Option(names = "--height", paramLabel = "ROWS", defaultValue = "12", description = "Plot height. Default: ${DEFAULT-VALUE}.")
    int height;

    @Option(names = "--png", paramLabel = "FILE", description = "Also write the chart as a PNG image.")
    Path png;

    @Option(names = "--svg", paramLabel = "FILE", description = "Also write the chart as an SVG image.")
    Path svg;

    @Option(names = "--no-color", description = "No colours in the plot (also: NO_COLOR set, or not a terminal).")
    boolean noColor;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        boolean search = !experiments.isEmpty() || !filter.isBlank();
        if (search ? args.size() != 1 : args.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), search
                    ? "with -e or --filter give KEY alone (e.g. metrics -e sweep val/loss)" : "missing RUN");
        }
        String run = search ? null : args.get(0);
        String key = search ? args.get(0) : args.size() > 1 ? args.get(1) : null;
        try (LabbookClient labbook = client.connect()) {
            if (search) {
                return overlay(labbook, out, key);
            }
            RunInfo info = RunResolver.resolve(labbook, client.project(), run);
            if (key == null) {
                List<MetricSummary> summaries = labbook.metrics().list(info.id());
                if (listing.json(client)) {
                    Json.print(out, summaries);
                    return 0;
                }
                Map<String, String> trends = new LinkedHashMap<>();
                boolean csv = listing.format(client) == ListingOptions.Format.CSV;
                if (summaries.size() <= MAX_SPARKLINES && !csv) {
                    for (MetricSummary s : summaries) {
                        // min and max of one bucket per braille column: two columns a character
                        MetricSeries series = labbook.metrics().downsampled(info.id(), s.key(), SPARKLINE_WIDTH * 4);
                        trends.put(s.key(), Sparkline.line(series.steps(), series.values(), SPARKLINE_WIDTH));
                    }
                }
                listing.print(client, out, summaryTable(summaries, trends));
                if (summaries.isEmpty() && !csv) {
                    out.println("(no metrics)");
                }
                out.flush();
                return 0;
            }
            boolean json = listing.json(client);
            int wanted = json ? points : 2 * plotWidth();
            MetricSeries series = wanted > 0 ? labbook.metrics().downsampled(info.id(), key, wanted)
                    : labbook.metrics().history(info.id(), key);
            if (series.size() == 0) {
                throw new CliException("NOT_FOUND: run " + info.id() + " has no points for metric '" + key + "'");
            }
            if (json) {
                Json.print(out, series);
                return 0;
            }
            out.printf("%s  (%d points shown, steps %d..%d%s)%n", key, series.size(), series.steps()[0],
                    series.steps()[series.size() - 1], series.downsampled() ? ", downsampled to min/max per column" : "");
            List<Plot.Series> drawn = List.of(new Plot.Series(label(info), series.steps(), series.values()));
            draw(out, drawn);
            out.printf("last %s at step %d%n", Formats.value(series.lastValue()), series.steps()[series.size() - 1]);
            export(key, drawn, out);
            out.flush();
        }
        return 0;
    }

    /** KEY of every run found by -e / --filter, overlaid in one plot (one BatchGetMetricHistory call). */
    private int overlay(LabbookClient labbook, PrintWriter out, String key) {
        RunSearch s = RunSearch.inProject(client.project());
        if (!experiments.isEmpty()) {
            s = RunSearch.inExperiments(ExperimentResolver.ids(labbook, client.project(), experiments));
        }
        List<RunInfo> runs = labbook.runs().searchAll(s.filter(filter).maxResults(Math.max(1, Math.min(100, limit))));
        if (runs.isEmpty()) {
            throw new CliException("NOT_FOUND: no run matches the search");
        }
        boolean json = listing.json(client);
        Map<String, Map<String, MetricSeries>> all = labbook.metrics().batchHistory(
                runs.stream().map(RunInfo::id).toList(), List.of(key), json ? Math.max(2, points) : 2 * plotWidth(),
                null, null);
        List<Plot.Series> drawn = new ArrayList<>();
        Map<String, MetricSeries> byRun = new LinkedHashMap<>();
        for (RunInfo r : runs) {
            MetricSeries series = all.getOrDefault(r.id(), Map.of()).get(key);
            if (series != null && series.size() > 0) {
                drawn.add(new Plot.Series(label(r), series.steps(), series.values()));
                byRun.put(r.id(), series);
            }
        }
        if (drawn.isEmpty()) {
            throw new CliException("NOT_FOUND: none of the " + runs.size() + " runs found has metric '" + key + "'");
        }
        if (json) {
            Json.print(out, byRun);
            return 0;
        }
        out.printf("%s  (%d of %d runs have it)%n", key, drawn.size(), runs.size());
        draw(out, drawn);
        export(key, drawn, out);
        out.flush();
        return 0;
    }

    private void draw(PrintWriter out, List<Plot.Series> drawn) {
        Plot plot = Plot.of(drawn, plotWidth(), Math.max(2, height), !noColor && Plot.colorTerminal());
        plot.render().forEach(out::println);
        if (plot.skipped() > 0) {
            out.printf("(%d NaN/Inf point%s not drawn)%n", plot.skipped(), plot.skipped() == 1 ? "" : "s");
        }
    }

    private void export(String key, List<Plot.Series> drawn, PrintWriter out) {
        if (png == null && svg == null) {
            return;
        }
        var chart = ChartExport.chart(key, key, drawn);
        for (Path file : new Path[] {png, svg}) {
            if (file != null) {
                try {
                    ChartExport.write(chart, file, file == svg);
                } catch (java.io.IOException e) {
                    throw new CliException("cannot write " + file + ": " + e.getMessage());
                }
                out.println("wrote " + file);
            }
        }
    }

    private String label(RunInfo r) {
        String id = listing.id(client, r.id());
        return r.name() == null || r.name().isBlank() ? id : id + " " + r.name();
    }

    /** The plot's width in characters: --width, else the terminal's, else 80. */
    int plotWidth() {
        if (width > 0) {
            return Math.max(12, width);
        }
        int columns = ListingOptions.terminalColumns();
        return columns > 0 ? Math.max(12, columns) : 80;
    }

    static Table summaryTable(List<MetricSummary> summaries, Map<String, String> trends) {
        Table table = trends.isEmpty() ? new Table("METRIC", "LAST", "STEP", "MIN", "MAX", "COUNT")
                : new Table("METRIC", "LAST", "STEP", "MIN", "MAX", "COUNT", "TREND");
        for (MetricSummary s : summaries) {
            if (trends.isEmpty()) {
                table.row(s.key(), Formats.value(s.lastValue()), s.lastStep(), Formats.value(s.min()),
                        Formats.value(s.max()), s.count());
            } else {
                table.row(s.key(), Formats.value(s.lastValue()), s.lastStep(), Formats.value(s.min()),
                        Formats.value(s.max()), s.count(), trends.getOrDefault(s.key(), ""));
            }
        }
        return table;
    }
}
