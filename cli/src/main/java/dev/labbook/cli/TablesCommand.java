package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.TableInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labbook tables RUN [NAME]}: the run's tables (log_row / log_table), or one table's rows. */
@Command(name = "tables", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Without NAME: the run's tables (logged with log_row / log_table) with their row counts.",
            "With NAME: that table's rows; --csv writes them as CSV."})
final class TablesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Mixin
    ListingOptions listing = new ListingOptions();

    @Parameters(index = "0", paramLabel = "RUN",
            description = "Run id, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAME.")
    String run;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The table to show.")
    String name;

    @Option(names = "--csv", description = "CSV output (--format csv).")
    boolean csv;

    @Override
    public Integer call() {
        if (csv) {
            listing.format = "csv";
        }
        PrintWriter out = spec.commandLine().getOut();
        try (LabbookClient labbook = client.connect()) {
            RunInfo info = RunResolver.resolve(labbook, client.project(), run);
            if (name == null) {
                List<TableInfo> tables = labbook.tables().list(info.id());
                if (listing.json(client)) {
                    Json.print(out, tables);
                    return 0;
                }
                Table table = new Table("TABLE", "ROWS", "COLUMNS");
                for (TableInfo t : tables) {
                    table.row(t.name(), t.rowCount(), String.join(", ", t.columns().stream()
                            .map(dev.labbook.sdk.Table.Column::name).toList()));
                }
                listing.print(client, out, table);
                if (tables.isEmpty() && listing.format(client) == ListingOptions.Format.TABLE) {
                    out.println("(no tables)");
                    out.flush();
                }
                return 0;
            }
            if (labbook.tables().list(info.id()).stream().noneMatch(t -> t.name().equals(name))) {
                throw new CliException("NOT_FOUND: run " + info.id() + " has no table '" + name + "'");
            }
            dev.labbook.sdk.Table data = labbook.tables().get(info.id(), name);
            if (listing.json(client)) {
                Json.print(out, data);
                return 0;
            }
            Table table = new Table(data.columns().stream().map(dev.labbook.sdk.Table.Column::name).toList());
            for (Map<String, Object> row : data.rows()) {
                table.row(data.columns().stream().map(c -> Formats.value(row.get(c.name()))).toArray());
            }
            listing.print(client, out, table);
        }
        return 0;
    }
}
