package dev.labbook.cli;

import dev.labbook.cli.render.ProgressBar;
import dev.labbook.cli.render.Table;
import dev.labbook.sdk.Artifact;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.RunInfo;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labbook artifacts RUN} lists a run's artifacts; {@code labbook artifacts RUN get PATH} downloads one. */
@Command(name = "artifacts", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lists the run's artifacts (files and references), or downloads one:",
            "  labbook artifacts RUN                       list",
            "  labbook artifacts RUN get PATH [-o FILE]    download (resumes a partial FILE; -o - writes to stdout)"})
final class ArtifactsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "RUN",
            description = "Run id, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAME.")
    String run;

    @Parameters(index = "1", arity = "0..1", paramLabel = "get", description = "'get' to download PATH.")
    String action;

    @Parameters(index = "2", arity = "0..1", paramLabel = "PATH", description = "Artifact path to download.")
    String path;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Where to download (default: PATH's file name in the current directory; - for stdout).")
    String output;

    @Mixin
    ListingOptions listing = new ListingOptions();

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "List only paths starting with PREFIX.")
    String prefix = "";

    @Override
    public Integer call() throws Exception {
        if (action != null && (!action.equals("get") || path == null)) {
            throw new CliException("usage: labbook artifacts RUN [get PATH [-o FILE]]");
        }
        try (LabbookClient labbook = client.connect()) {
            RunInfo info = RunResolver.resolve(labbook, client.project(), run);
            if (action == null) {
                list(labbook, info);
            } else {
                get(labbook, info);
            }
        }
        return 0;
    }

    private void list(LabbookClient labbook, RunInfo info) {
        List<Artifact> artifacts = labbook.artifacts().listAll(info.id(), prefix);
        if (listing.json(client)) {
            Json.print(spec.commandLine().getOut(), artifacts);
            return;
        }
        Table table = new Table("PATH", "SIZE", "DIRECTION", "TYPE", "SHA256", "CREATED");
        for (Artifact a : artifacts) {
            table.row(a.path(), a.reference() ? "-> " + a.uri() : ProgressBar.bytes(a.sizeBytes()), a.direction(),
                    a.mediaType(), a.sha256().length() > 12 ? a.sha256().substring(0, 12) : a.sha256(),
                    Formats.time(a.createTimeMs()));
        }
        listing.print(client, spec.commandLine().getOut(), table);
        if (artifacts.isEmpty() && listing.format(client) == ListingOptions.Format.TABLE) {
            spec.commandLine().getOut().println("(no artifacts)");
            spec.commandLine().getOut().flush();
        }
    }

    private void get(LabbookClient labbook, RunInfo info) throws Exception {
        boolean toStdout = "-".equals(output);
        Artifact result;
        try (ProgressBar bar = new ProgressBar(System.err, path, 0, client.json() || toStdout)) {
            if (toStdout) {
                OutputStream stdout = new FileOutputStream(FileDescriptor.out);
                result = labbook.artifacts().download(info.id(), path, stdout, 0, bar::update);
                stdout.flush();
            } else {
                Path file = Path.of(output != null ? output : Path.of(path).getFileName().toString());
                result = labbook.artifacts().downloadTo(info.id(), path, file, bar::update);
                if (client.json()) {
                    Json.print(spec.commandLine().getOut(), new Downloaded(result, file.toAbsolutePath().toString()));
                }
            }
        }
    }

    /** What {@code artifacts RUN get PATH --json} prints. */
    record Downloaded(Artifact artifact, String file) {
    }
}
