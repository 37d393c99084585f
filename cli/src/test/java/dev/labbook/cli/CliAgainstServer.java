package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunSearch;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The setup of the CLI's end-to-end tests: a real server (one per test class), the CLI run in its
 * own process in {@link #work}, and an SDK client that checks what the CLI did.
 */
@ExtendWith(LabbookServerExtension.class)
abstract class CliAgainstServer {
    /** The CLI's working directory. */
    @TempDir
    Path work;
    /** Where the CLI's stdout and stderr files go, apart from what it reads and writes. */
    @TempDir
    Path cliOutput;

    String target;
    LabbookClient client;
    Cli cli;

    @BeforeEach
    void connectToServer(TestServer server) {
        target = server.target();
        client = LabbookClient.connect(target);
        cli = new Cli(work, cliOutput, cliEnvironment());
    }

    @AfterEach
    void closeClient() {
        client.close();
    }

    /** Variables set for every CLI command (none: commands take --target). */
    Map<String, String> cliEnvironment() {
        return Map.of();
    }

    /** The one run in {@code experiment} (of project default), read in full. */
    RunInfo onlyRun(String experiment) {
        List<RunInfo> runs = client.runs().searchAll(RunSearch.inProject("default")
                .filter("experiment = '" + experiment + "'"));
        assertThat(runs).hasSize(1);
        return client.runs().get(runs.get(0).id());
    }

    /** The texts of a run's log lines, in order. */
    List<String> logTexts(String runId) {
        return client.logs().read(runId, 0, 0, null).stream().map(LogLine::text).toList();
    }
}
