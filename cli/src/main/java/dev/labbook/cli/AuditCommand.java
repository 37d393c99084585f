package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.AuditEvent;
import dev.labbook.sdk.LabbookClient;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code labbook audit}: the audit log (calls that change something, allowed or denied), newest first. */
@Command(name = "audit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Shows the audit log, newest first: every call that needs more than read access, allowed "
                + "or denied (who, which method, on what, when, the result).",
            "Needs the admin role; shows the projects you administer (or --project)."})
final class AuditCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Mixin
    ListingOptions listing = new ListingOptions();

    @Option(names = "--principal", paramLabel = "WHO", description = "Only this principal's calls, e.g. token:ci.")
    String principal;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "50",
            description = "At most N events (0: all). Default: ${DEFAULT-VALUE}.")
    int limit;

    @Override
    public Integer call() {
        try (LabbookClient labbook = client.connect()) {
            List<AuditEvent> events = labbook.access().listAuditEvents(client.explicitProject(),
                    principal == null ? "" : principal, Math.max(0, limit));
            PrintWriter out = spec.commandLine().getOut();
            if (listing.json(client)) {
                Json.print(out, events);
                return 0;
            }
            Table table = new Table("TIME", "PRINCIPAL", "METHOD", "PROJECT", "TARGET", "RESULT", "PEER");
            for (AuditEvent e : events) {
                table.row(Formats.time(e.timeMs()), e.principal(), e.method().replaceFirst("^labbook\\.v1\\.", ""),
                        e.project(), e.target(), e.code(), e.peer());
            }
            listing.print(client, out, table);
            if (events.isEmpty() && listing.format(client) == ListingOptions.Format.TABLE) {
                out.println("(no events)");
                out.flush();
            }
        }
        return 0;
    }
}
