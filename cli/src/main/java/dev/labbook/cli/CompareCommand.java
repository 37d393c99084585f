package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.MetricSummary;
import dev.labbook.sdk.RunComparison;
import dev.labbook.sdk.RunInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labbook compare RUN RUN…}: params, tags and metrics side by side; '*' marks rows that differ. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Puts runs side by side: status, params, tags and metric last values.",
            "Rows marked * differ between the runs."})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Parameters(arity = "2..*", paramLabel = "RUN", description = "Run ids or EXPERIMENT/RUN-NAMEs (2 or more).")
    List<String> runs = new ArrayList<>();

    @Override
    public Integer call() {
        try (LabbookClient labbook = client.connect()) {
            List<String> ids = runs.stream().map(r -> RunResolver.resolve(labbook, client.project(), r).id()).toList();
            RunComparison comparison = labbook.runs().compare(ids);
            if (client.json()) {
                Json.print(spec.commandLine().getOut(), comparison);
                return 0;
            }
            List<RunInfo> compared = comparison.runs();
            List<String> header = new ArrayList<>(List.of("", "FIELD"));
            compared.forEach(r -> header.add(r.name()));
            Table table = new Table(header.toArray(String[]::new));
            addRow(table, false, "id", compared.stream().map(RunInfo::id).toList());
            addRow(table, compared.stream().map(RunInfo::status).distinct().count() > 1, "status",
                    compared.stream().map(r -> r.status().toString()).toList());
            for (Map.Entry<String, List<Object>> p : comparison.params().entrySet()) {
                addRow(table, comparison.differingParamKeys().contains(p.getKey()), "params." + p.getKey(),
                        p.getValue().stream().map(Formats::value).toList());
            }
            TreeSet<String> tagKeys = new TreeSet<>();
            compared.forEach(r -> tagKeys.addAll(r.tags().keySet()));
            for (String k : tagKeys) {
                addRow(table, comparison.differingTagKeys().contains(k), "tags." + k,
                        compared.stream().map(r -> r.tags().getOrDefault(k, "")).toList());
            }
            for (Map.Entry<String, List<MetricSummary>> m : comparison.metrics().entrySet()) {
                addRow(table, comparison.differingMetricKeys().contains(m.getKey()), "metrics." + m.getKey(),
                        m.getValue().stream().map(s -> s == null ? "" : Formats.value(s.lastValue())).toList());
            }
            table.print(spec.commandLine().getOut());
        }
        return 0;
    }

    private static void addRow(Table table, boolean differs, String field, List<String> values) {
        List<Object> row = new ArrayList<>();
        row.add(differs ? "*" : "");
        row.add(field);
        row.addAll(values);
        table.row(row.toArray());
    }
}
