package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.Direction;
import dev.labbook.sdk.Run;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunSearch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code labbook sync DIR} end to end: offline runs written by the Java SDK, uploaded by the CLI process. */
class SyncCommandIT extends CliAgainstServer {
    private void writeOfflineRun(Path root, String name) throws Exception {
        Path model = Files.write(work.resolve(name + ".bin"), new byte[100_000]);
        try (Run run = Run.offline(root, "", "offline-exp", name)) {
            run.logParams(Map.of("lr", 0.01));
            for (int i = 0; i < 1000; i++) {
                run.logMetric("loss", 1.0 / (i + 1));
            }
            run.log("hello from " + name);
            run.logFile(model, "outputs/model.bin", Direction.OUTPUT);
        }
    }

    @Test
    void syncUploadsEveryRunOnceAndRepeatingStoresNothingNew() throws Exception {
        Path root = work.resolve("labbook-offline");
        writeOfflineRun(root, "a");
        writeOfflineRun(root, "b");

        Cli.Result first = cli.run("sync", root.toString(), "--target", target);
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.stdout()).contains("2 run(s) synced, 0 failed", "1000 metric points");
        // Without a terminal, the sync's progress is one final plain line.
        assertThat(first.stderr()).contains(" done 100% [").doesNotContain("\r");
        assertThat(first.stderr().lines().filter(l -> l.contains("100% ["))).hasSize(1);

        List<RunInfo> runs = client.runs().searchAll(RunSearch.inProject("default").filter("experiment = 'offline-exp'"));
        assertThat(runs).extracting(RunInfo::name).containsExactlyInAnyOrder("a", "b");
        String a = runs.stream().filter(r -> r.name().equals("a")).findFirst().orElseThrow().id();
        assertThat(client.metrics().history(a, "loss").size()).isEqualTo(1000);
        assertThat(client.artifacts().listAll(a, "")).hasSize(1);

        JsonMapper json = JsonMapper.builder().build();
        Cli.Result again = cli.run("sync", root.toString(), "--target", target, "--json");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        JsonNode result = json.readTree(again.stdout());
        assertThat(result.get("synced")).hasSize(2);
        assertThat(result.get("failures")).isEmpty();
        for (JsonNode r : result.get("synced")) {
            assertThat(r.get("createdRun").asBoolean()).isFalse();
            assertThat(r.get("metricPointsStored").asLong()).isZero();
            assertThat(r.get("logLinesAppended").asLong()).isZero();
            assertThat(r.get("filesUploaded").asLong()).isZero();
        }
        assertThat(client.metrics().history(a, "loss").size()).isEqualTo(1000);
        assertThat(client.logs().count(a)).isEqualTo(1);
    }

    @Test
    void aBrokenRunDirectoryFailsTheSyncButNotTheOthers() throws Exception {
        Path root = work.resolve("offline");
        writeOfflineRun(root, "good");
        Path broken = Files.createDirectories(root.resolve("zz-broken"));
        // Valid JSON that the server refuses: an experiment name with a control character.
        Files.writeString(broken.resolve("run.json"), """
                {"format": "labbook-offline/1", "local_id": "0190f3a2-7c1e-7d4b-9a51-3f0c2b7e9d10",
                 "project": "default", "experiment": "bad\\u0001name", "name": "x", "description": "",
                 "tags": {}, "status": "RUNNING", "start_time_ms": 1764000000000, "end_time_ms": 0}
                """);

        Cli.Result result = cli.run("sync", root.toString(), "--target", target);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.stdout()).as(result.toString()).contains("1 run(s) synced, 1 failed", "FAILED", "zz-broken");
        assertThat(client.runs().searchAll(RunSearch.inProject("default").filter("name = 'good'"))).hasSize(1);
    }

    @Test
    void aDirectoryWithoutRunsIsAnError() throws Exception {
        Cli.Result result = cli.run("sync", work.toString(), "--target", target);
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).as(result.toString()).startsWith("labbook: error: no offline runs");
    }
}
