package dev.labbook.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.MetricBatch;
import dev.labbook.sdk.LogLevel;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.NewRun;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunStatus;
import dev.labbook.sdk.UploadOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The read commands end to end, each in human and {@code --json} form: runs written through the
 * SDK, read back by the CLI in its own process, JSON parsed and checked field by field.
 */
class ReadCommandsIT extends CliAgainstServer {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RunInfo fast;
    private RunInfo slow;

    /** LABBOOK_TRACKING_URI picks the server for every command below (no --target). */
    @Override
    Map<String, String> cliEnvironment() {
        return Map.of("LABBOOK_TRACKING_URI", target);
    }

    @BeforeEach
    void seed() throws Exception {
        client.experiments().create("default", "resnet", "image models", "/vision", Map.of("team", "vision"));
        fast = client.runs().open(NewRun.in("resnet").withName("lr-big").withTags(Map.of("opt", "sgd"))
                .withParams(Map.of("lr", 0.1, "epochs", 10L))).run();
        slow = client.runs().open(NewRun.in("resnet").withName("lr-small").withTags(Map.of("opt", "sgd"))
                .withParams(Map.of("lr", 0.001, "epochs", 10L))).run();
        logMetric(fast, "acc", 200, 0.9);
        logMetric(slow, "acc", 200, 0.7);
        logMetric(fast, "loss", 50, 0.1);
        client.logs().append(fast.id(), List.of(LogLine.of(LogLevel.INFO, "hello"),
                LogLine.of(LogLevel.ERROR, "oops")));
        Path model = work.resolve("model.bin");
        byte[] bytes = new byte[300_000];
        new java.util.Random(1).nextBytes(bytes);
        Files.write(model, bytes);
        client.artifacts().upload(fast.id(), model, "outputs/model.bin", UploadOptions.OUTPUT, null);
        client.runs().finish(fast.id(), RunStatus.COMPLETED);
    }

    /** A series rising to {@code last} in {@code n} steps. */
    private void logMetric(RunInfo run, String key, int n, double last) {
        MetricBatch.Builder batch = MetricBatch.newBuilder().setRunId(run.id()).setWriterId("test-" + key)
                .setSequence(1).addKeys(key);
        for (int i = 0; i < n; i++) {
            batch.addKeyIndex(0).addStep(i).addTimestampMs(1_700_000_000_000L + i).addValue(last * (i + 1) / n);
        }
        client.metrics().send(List.of(batch.build()));
    }

    private Cli.Result ok(String... args) throws Exception {
        Cli.Result result = cli.run(args);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private JsonNode json(String... args) throws Exception {
        List<String> withJson = new ArrayList<>(List.of(args));
        withJson.add("--json");
        return JSON.readTree(ok(withJson.toArray(String[]::new)).stdout());
    }

    @Test
    void experimentsAndRunsListShowAndSearch() throws Exception {
        assertThat(ok("experiments", "list").stdout()).contains("NAME", "resnet", "/vision", "team=vision");
        JsonNode experiments = json("experiments", "list");
        assertThat(experiments).hasSize(1);
        assertThat(experiments.get(0).get("name").asString()).isEqualTo("resnet");
        assertThat(experiments.get(0).get("tags").get("team").asString()).isEqualTo("vision");

        String list = ok("runs", "list").stdout();
        assertThat(list).contains("lr-big", "lr-small", "COMPLETED", "RUNNING", "resnet");
        JsonNode completed = json("runs", "list", "-e", "resnet", "--status", "completed");
        assertThat(completed).hasSize(1);
        assertThat(completed.get(0).get("id").asString()).isEqualTo(fast.id());

        String shown = ok("runs", "show", "resnet/lr-big").stdout();
        assertThat(shown).contains(fast.id(), "COMPLETED", "lr", "0.1", "acc", "0.9", "200", "opt=sgd");
        JsonNode show = json("runs", "show", fast.id());
        assertThat(show.get("run").get("name").asString()).isEqualTo("lr-big");
        assertThat(show.get("experimentName").asString()).isEqualTo("resnet");
        assertThat(show.get("run").get("params").get("lr").asDouble()).isEqualTo(0.1);
        assertThat(show.get("run").get("params").get("epochs").asLong()).isEqualTo(10);
        assertThat(show.get("statusHistory")).hasSizeGreaterThanOrEqualTo(1);
        assertThat(show.get("metrics")).hasSize(2);
        assertThat(show.get("metrics").get(0).get("key").asString()).isEqualTo("acc");
        assertThat(show.get("metrics").get(0).get("count").asLong()).isEqualTo(200);

        String search = ok("runs", "search", "params.lr < 0.05 OR params.lr > 0.05",
                "--order-by", "metrics.acc DESC").stdout();
        assertThat(search).contains("metrics.acc");
        assertThat(search.indexOf("lr-big")).isLessThan(search.indexOf("lr-small"));
        JsonNode best = json("runs", "search", "--order-by", "metrics.acc ASC", "--max", "1");
        assertThat(best).hasSize(1);
        assertThat(best.get(0).get("name").asString()).isEqualTo("lr-small");
    }

    @Test
    void metricsTableAndPlot() throws Exception {
        String table = ok("metrics", "resnet/lr-big").stdout();
        assertThat(table).contains("METRIC", "acc", "loss", "0.9", "200", "TREND")
                .containsPattern("[\\u2801-\\u28ff]{10}"); // the trend: braille
        JsonNode summaries = json("metrics", "resnet/lr-big");
        assertThat(summaries).hasSize(2);
        assertThat(summaries.get(0).get("lastValue").asDouble()).isEqualTo(0.9);
        assertThat(summaries.get(1).get("key").asString()).isEqualTo("loss");

        String plot = ok("metrics", "resnet/lr-big", "acc", "--width", "40", "--height", "8").stdout();
        List<String> lines = plot.lines().toList();
        assertThat(lines.get(0)).startsWith("acc");
        assertThat(lines).hasSize(12); // title, 8 rows, x axis, step labels, last value
        assertThat(lines.get(1).strip()).startsWith("0.9 ┤");
        assertThat(lines.get(8).strip()).startsWith("0.0045 ┤");
        assertThat(lines.get(9)).contains("└", "┬");
        assertThat(lines.get(10).strip()).startsWith("0").endsWith("199");
        assertThat(lines.subList(1, 11)).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(40));
        assertThat(lines.get(11)).contains("last 0.9 at step 199");

        // Several runs overlaid, as wide as COLUMNS; the same chart as PNG and SVG.
        Cli narrow = new Cli(work, cliOutput, Map.of("LABBOOK_TRACKING_URI", target, "COLUMNS", "60"));
        Cli.Result overlay = narrow.run("metrics", "-e", "resnet", "acc", "--png", "acc.png", "--svg", "out/acc.svg");
        assertThat(overlay.exitCode()).as(overlay.toString()).isZero();
        List<String> overlaid = overlay.stdout().lines().toList();
        assertThat(overlaid.get(0)).isEqualTo("acc  (2 of 2 runs have it)");
        assertThat(overlaid.get(1).strip()).startsWith("0.9 ┤");
        assertThat(overlaid.subList(1, overlaid.size())).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(60));
        assertThat(overlaid.stream().filter(l -> l.contains("└")).findFirst().orElseThrow()).hasSize(60);
        assertThat(overlay.stdout()).contains(fast.id().substring(fast.id().length() - 8) + " lr-big",
                slow.id().substring(slow.id().length() - 8) + " lr-small", "wrote acc.png", "wrote out/acc.svg")
                .doesNotContain("\u001b[");
        assertThat(overlaid.stream().filter(l -> l.strip().matches("[•×] \\S{8} lr-(big|small)"))).hasSize(2);
        assertThat(javax.imageio.ImageIO.read(work.resolve("acc.png").toFile())).isNotNull();
        assertThat(Files.readString(work.resolve("out/acc.svg"))).contains("<svg");
        assertThat(json("metrics", "-e", "resnet", "acc", "--points", "20").get(fast.id()).get("downsampled").asBoolean())
                .isTrue();

        JsonNode full = json("metrics", fast.id(), "acc", "--points", "0");
        assertThat(full.get("values")).hasSize(200);
        assertThat(full.get("steps").get(199).asLong()).isEqualTo(199);
        JsonNode downsampled = json("metrics", fast.id(), "acc", "--points", "20");
        assertThat(downsampled.get("values").size()).isLessThan(200);
        assertThat(downsampled.get("downsampled").asBoolean()).isTrue();
    }

    @Test
    void logsArtifactsAndCompare() throws Exception {
        assertThat(ok("logs", "resnet/lr-big").stdout()).isEqualTo("hello\noops\n");
        assertThat(ok("logs", "resnet/lr-big", "--level", "ERROR").stdout()).isEqualTo("oops\n");
        List<JsonNode> lines = new ArrayList<>();
        for (String line : ok("logs", "resnet/lr-big", "--json").stdout().lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1).get("offset").asLong()).isEqualTo(1);
        assertThat(lines.get(1).get("level").asString()).isEqualTo("ERROR");
        assertThat(lines.get(1).get("text").asString()).isEqualTo("oops");

        assertThat(ok("artifacts", "resnet/lr-big").stdout()).contains("outputs/model.bin", "293.0 KiB", "OUTPUT");
        JsonNode artifacts = json("artifacts", "resnet/lr-big");
        assertThat(artifacts).hasSize(1);
        assertThat(artifacts.get(0).get("sizeBytes").asLong()).isEqualTo(300_000);
        Cli.Result download = ok("artifacts", "resnet/lr-big", "get", "outputs/model.bin", "-o", "copy.bin");
        // Progress without a terminal: one final plain line.
        assertThat(download.stderr()).doesNotContain("\r").contains("outputs/model.bin 100%", "292/292 KiB");
        assertThat(download.stderr().lines().filter(l -> l.contains("100%")).count()).isEqualTo(1);
        assertThat(Files.readAllBytes(work.resolve("copy.bin"))).isEqualTo(Files.readAllBytes(work.resolve("model.bin")));
        Files.delete(work.resolve("model.bin"));
        JsonNode got = json("artifacts", fast.id(), "get", "outputs/model.bin");
        assertThat(got.get("file").asString()).isEqualTo(work.resolve("model.bin").toRealPath().toString());
        assertThat(Files.size(work.resolve("model.bin"))).isEqualTo(300_000);
        Cli.Result stdout = ok("artifacts", fast.id(), "get", "outputs/model.bin", "-o", "-");
        assertThat(stdout.stdoutBytes()).isEqualTo(Files.readAllBytes(work.resolve("copy.bin")));

        String compare = ok("compare", "resnet/lr-big", "resnet/lr-small", "--tags").stdout();
        // On the terminal the titles are short: p.<param>, m.<metric>, t.<tag>.
        assertThat(compare).contains("lr-big", "lr-small", "p.lr", "p.epochs", "m.acc", "t.opt");
        String differing = ok("compare", "resnet/lr-big", "resnet/lr-small", "--diff-only").stdout();
        assertThat(differing).contains("p.lr", "m.acc").doesNotContain("p.epochs");
        JsonNode comparison = json("compare", fast.id(), slow.id());
        assertThat(comparison.get("runs")).hasSize(2);
        assertThat(comparison.get("differingParamKeys").toString()).contains("lr").doesNotContain("epochs");
        assertThat(comparison.get("params").get("lr").get(1).asDouble()).isEqualTo(0.001);
    }

    @Test
    void errorsAreOneClearLineWithExitStatusOne() throws Exception {
        Cli.Result missing = cli.run("runs", "show", "resnet/nope");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.stderr().strip()).startsWith("labbook: error: NOT_FOUND").contains("nope")
                .doesNotContain("Exception");
        Cli.Result badId = cli.run("logs", "00000000-0000-0000-0000-000000000000");
        assertThat(badId.exitCode()).isEqualTo(1);
        assertThat(badId.stderr()).startsWith("labbook: error: NOT_FOUND");
        Cli.Result unreachable = cli.run("experiments", "list", "--target", "127.0.0.1:1");
        assertThat(unreachable.exitCode()).isEqualTo(1);
        assertThat(unreachable.stderr()).startsWith("labbook: error: UNAVAILABLE").contains("--target");
        Cli.Result usage = cli.run("compare", "only-one/run");
        assertThat(usage.exitCode()).isEqualTo(2);
        assertThat(usage.stderr()).contains("Usage: labbook compare");
    }
}
