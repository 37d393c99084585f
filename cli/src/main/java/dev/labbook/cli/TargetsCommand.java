package dev.labbook.cli;

import dev.labbook.cli.render.Table;
import dev.labbook.sdk.ComputeTarget;
import dev.labbook.sdk.LabbookClient;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code labbook targets}: where {@code labbook submit --compute-target} can send a script. */
@Command(name = "targets", mixinStandardHelpOptions = true,
        description = "Lists the server's compute targets for `labbook submit --compute-target` (local, this "
                + "machine, is always there and not listed).")
final class TargetsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Mixin
    ListingOptions listing = new ListingOptions();

    @Override
    public Integer call() {
        try (LabbookClient labbook = client.connect()) {
            List<ComputeTarget> targets = labbook.submissions().listComputeTargets();
            if (listing.json(client)) {
                Json.print(spec.commandLine().getOut(), targets);
                return 0;
            }
            Table table = new Table("NAME", "KIND", "NAMESPACE", "DEFAULT IMAGE", "MAX SNAPSHOT", "GPU", "PROJECTS");
            for (ComputeTarget t : targets) {
                table.row(t.name(), t.kind(), t.namespace(), t.defaultImage(),
                        dev.labbook.cli.render.ProgressBar.bytes(t.maxSnapshotBytes()), t.gpuResource(),
                        t.projects().isEmpty() ? "all" : String.join(",", t.projects()));
            }
            listing.print(client, spec.commandLine().getOut(), table);
        }
        return 0;
    }
}
