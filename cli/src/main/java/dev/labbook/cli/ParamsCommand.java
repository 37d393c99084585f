package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.RunInfo;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labbook params RUN}: the run's params, sorted by key. */
@Command(name = "params", mixinStandardHelpOptions = true, description = "Lists a run's params, sorted by key.")
final class ParamsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Mixin
    ListingOptions listing = new ListingOptions();

    @Parameters(index = "0", paramLabel = "RUN",
            description = "Run id, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAME.")
    String run;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LabbookClient labbook = client.connect()) {
            RunInfo info = RunResolver.resolve(labbook, client.project(), run);
            Map<String, Object> params = new TreeMap<>(info.params());
            if (listing.json(client)) {
                Json.print(out, params);
                return 0;
            }
            Table table = new Table("PARAM", "VALUE");
            params.forEach((k, v) -> table.row(k, Formats.value(v)));
            listing.print(client, out, table);
            if (params.isEmpty() && listing.format(client) == ListingOptions.Format.TABLE) {
                out.println("(no params)");
                out.flush();
            }
        }
        return 0;
    }
}
