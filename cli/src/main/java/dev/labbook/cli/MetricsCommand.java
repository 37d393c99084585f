package dev.labbook.cli;

import dev.labbook.cli.render.Sparkline;
import dev.labbook.cli.render.Table;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.MetricSeries;
import dev.labbook.sdk.MetricSummary;
import dev.labbook.sdk.RunInfo;
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

/**
 * {@code labbook metrics RUN [KEY]}: the run's metric summaries with a sparkline each, or a plot of
 * one series. Both read the server-side downsampled history (min/max kept per bucket), so a
 * million-point series costs a few hundred points on the wire.
 */
@Command(name = "metrics", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Without KEY: a table of the run's metric series (last, min, max, count, trend).",
            "With KEY: a terminal plot of that series; with --json its (downsampled) points."})
final class MetricsCommand implements Callable<Integer> {
    /** Series drawn as sparklines in the summary table; past that, the table alone. */
    private static final int MAX_SPARKLINES = 50;
    private static final int SPARKLINE_WIDTH = 24;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "RUN",
            description = "Run id, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAME.")
    String run;

    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY", description = "Metric key to plot.")
    String key;

    @Mixin
    ListingOptions listing = new ListingOptions();

    @Option(names = "--points", paramLabel = "N", defaultValue = "1000",
            description = "With KEY and --json: at most about N points (0: the full history). Default: ${DEFAULT-VALUE}.")
    int points;

    @Option(names = "--width", paramLabel = "COLS", defaultValue = "72", description = "Plot width. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", paramLabel = "ROWS", defaultValue = "12", description = "Plot height. Default: ${DEFAULT-VALUE}.")
    int height;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LabbookClient labbook = client.connect()) {
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
                        MetricSeries series = labbook.metrics().downsampled(info.id(), s.key(), SPARKLINE_WIDTH * 2);
                        trends.put(s.key(), Sparkline.line(series.values(), SPARKLINE_WIDTH));
                    }
                }
                listing.print(client, out, summaryTable(summaries, trends));
                if (summaries.isEmpty() && !csv) {
                    out.println("(no metrics)");
                }
                out.flush();
                return 0;
            }
            boolean plot = !listing.json(client);
            int wanted = plot ? Math.max(2, width) * 2 : points;
            MetricSeries series = wanted > 0 ? labbook.metrics().downsampled(info.id(), key, wanted)
                    : labbook.metrics().history(info.id(), key);
            if (series.size() == 0) {
                throw new CliException("NOT_FOUND: run " + info.id() + " has no points for metric '" + key + "'");
            }
            if (listing.json(client)) {
                Json.print(out, series);
                return 0;
            }
            out.printf("%s  (%d points shown, steps %d..%d%s)%n", key, series.size(), series.steps()[0],
                    series.steps()[series.size() - 1], series.downsampled() ? ", downsampled" : "");
            Sparkline.plot(series.values(), Math.max(2, width), Math.max(2, height)).forEach(out::println);
            out.printf("last %s at step %d%n", Formats.value(series.lastValue()), series.steps()[series.size() - 1]);
            out.flush();
        }
        return 0;
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
