package dev.labbook.cli;

import dev.labbook.cli.render.ProgressBar;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookOptions;
import dev.labbook.sdk.SpoolReplayer;
import dev.labbook.sdk.offline.OfflineSync;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code labbook sync DIR}: uploads offline runs (docs/offline-format.md) with the SDK's
 * {@link OfflineSync}, idempotently: syncing the same directory again stores nothing twice.
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Uploads offline runs written by the SDKs without a server (LABBOOK_OFFLINE_DIR, default "
                + "./labbook-offline) to the server. DIR is one run directory or a folder of them.",
            "With --spool: sends the metric batches the Java SDK spooled during an outage or while the server "
                + "refused its token (DIR, default LABBOOK_SPOOL_DIR or ~/.labbook/spool).",
            "Safe to repeat: what the server already holds is skipped. Exit status 1 if any run failed."})
final class SyncCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR",
            description = "Offline run directory, or a directory of them (with --spool: the spool directory).")
    Path dir;

    @Option(names = "--spool", description = "Replay the Java SDK's metric spool instead of offline runs.")
    boolean spool;

    @Override
    public Integer call() throws Exception {
        if (spool) {
            return replaySpool(dir != null ? dir : LabbookOptions.defaults().spoolDir());
        }
        if (dir == null) {
            throw new CliException("give DIR: an offline run directory or a folder of them (or --spool)");
        }
        if (!Files.isDirectory(dir)) {
            throw new CliException("no such directory: " + dir);
        }
        PrintWriter out = spec.commandLine().getOut();
        OfflineSync.Result result;
        try (LabbookClient labbook = client.connect();
                ProgressBar bar = new ProgressBar(System.err, "sync", 0, client.json())) {
            result = new OfflineSync(labbook).sync(dir, p -> {
                String label = p.runDir().getFileName() + " " + p.phase();
                if (p.bytesTotal() > 0) {
                    bar.updateBytes(label, p.bytesDone(), p.bytesTotal());
                } else {
                    bar.updateItems(label, p.itemsDone(), p.itemsTotal());
                }
            });
        }
        if (client.json()) {
            Json.print(out, result);
        } else {
            for (OfflineSync.RunResult r : result.synced()) {
                out.println("synced " + r.summary());
            }
            for (OfflineSync.Failure f : result.failures()) {
                out.println("FAILED " + f.dir() + ": " + f.message());
            }
            out.printf("%d run(s) synced, %d failed%n", result.synced().size(), result.failures().size());
            out.flush();
        }
        if (result.synced().isEmpty() && result.failures().isEmpty()) {
            throw new CliException("no offline runs (directories with a run.json) under " + dir);
        }
        return result.ok() ? 0 : 1;
    }

    /** Sends the spooled batches and calls of writers that are gone; a live writer's are left to it. */
    private int replaySpool(Path spoolDir) {
        if (!Files.isDirectory(spoolDir)) {
            throw new CliException("no spool directory " + spoolDir);
        }
        SpoolReplayer.Result result;
        try (LabbookClient labbook = client.connect()) {
            result = SpoolReplayer.replay(labbook, spoolDir);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (client.json()) {
            Json.print(out, result);
        } else {
            out.printf("%d spooled batch(es) (%d points) and %d call(s) of %d writer(s) sent; %d call(s) refused;"
                    + " %d writer(s) failed%n", result.batches(), result.points(), result.calls(), result.writers(),
                    result.refusedCalls(), result.failedWriters());
            out.flush();
        }
        return result.failedWriters() == 0 ? 0 : 1;
    }
}
