package dev.labbook.cli;

import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LabbookException;
import dev.labbook.sdk.LogLevel;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.LogsApi;
import dev.labbook.sdk.RunInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code labbook logs RUN [-f]}: prints a run's text log, or follows it live until the run ends. */
@Command(name = "logs", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prints the run's log (captured stdout/stderr and SDK log lines).",
            "With -f, keeps printing new lines as they arrive and exits when the run finishes "
                    + "(reconnecting if the server restarts). With --json, one JSON object per line (NDJSON)."})
final class LogsCommand implements Callable<Integer> {
    /**
     * Reconnections in a row (no line received in between) after UNAVAILABLE while following: a
     * server restart or a replica switch.
     */
    private static final int MAX_RECONNECTS = 30;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions client = new ClientOptions();

    @Parameters(index = "0", paramLabel = "RUN",
            description = "Run id, 6+ characters of one (e.g. a list's short id) or EXPERIMENT/RUN-NAME.")
    String run;

    @Option(names = {"-f", "--follow"}, description = "Follow the log until the run finishes.")
    boolean follow;

    @Option(names = "--from", paramLabel = "OFFSET", description = "Start at this line offset (default 0).")
    long from;

    @Option(names = "--level", paramLabel = "LEVEL",
            description = "Only lines at this level or above: ${COMPLETION-CANDIDATES} (not with -f).")
    LogLevel minLevel;

    @Option(names = {"-t", "--timestamps"}, description = "Prefix each line with its time and stream.")
    boolean timestamps;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (LabbookClient labbook = client.connect()) {
            RunInfo info = RunResolver.resolve(labbook, client.project(), run);
            if (!follow) {
                for (LogLine line : labbook.logs().read(info.id(), from, 0, minLevel)) {
                    print(out, line);
                }
                out.flush();
                return 0;
            }
            long next = from;
            ConsecutiveFailures outages = new ConsecutiveFailures(MAX_RECONNECTS);
            while (true) {
                try (LogsApi.LogFollower follower = labbook.logs().follow(info.id(), next)) {
                    while (follower.hasNext()) {
                        LogLine line = follower.next();
                        print(out, line);
                        out.flush();
                        next = line.offset() + 1;
                        outages.progressed(); // the limit is on restarts in a row, not over hours of following
                    }
                    return 0;
                } catch (LabbookException e) {
                    if (!"UNAVAILABLE".equals(e.code()) || !outages.allowAnother()) {
                        throw e;
                    }
                    Thread.sleep(1000); // the server is restarting: continue after the last line seen
                }
            }
        }
    }

    private void print(PrintWriter out, LogLine line) {
        if (client.json()) {
            out.println(Json.compact(line));
        } else if (timestamps) {
            out.println(Instant.ofEpochMilli(line.timestampMs()) + " " + line.stream() + " " + line.text());
        } else {
            out.println(line.text());
        }
    }
}
