package dev.labbook.sdk.offline;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.labbook.sdk.Direction;
import dev.labbook.sdk.LogLevel;
import dev.labbook.sdk.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An offline run writes exactly the directory format of docs/offline-format.md. */
class OfflineRunTest {
    @TempDir
    Path tmp;

    @Test
    void aLineTornByAFailedWriteIsCutBeforeTheNextOne() throws Exception {
        OfflineRunWriter w = OfflineRunWriter.create(tmp, "", "e", "torn", "", Map.of(), dev.labbook.sdk.SourceInfo.EMPTY);
        w.log(dev.labbook.sdk.LogLine.of(LogLevel.INFO, "first"));
        w.close(); // what a failed write leaves: the stream dropped, part of a line in the file
        Files.writeString(w.dir().resolve(OfflineFormat.LOGS), "{\"timestamp_ms\":1,\"te", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        w.log(dev.labbook.sdk.LogLine.of(LogLevel.INFO, "second"));
        w.close();
        assertThat(new OfflineRunReader(w.dir()).lines(OfflineFormat.LOGS)).extracting(o -> o.get("text").getAsString())
                .containsExactly("first", "second");

        Path noNewline = Files.writeString(tmp.resolve("torn.jsonl"), "{\"a\":");
        OfflineRunWriter.cutTornLine(noNewline);
        assertThat(Files.size(noNewline)).isZero();
        Path big = tmp.resolve("big.jsonl");
        Files.writeString(big, "{}\n" + "x".repeat(200_000));
        OfflineRunWriter.cutTornLine(big);
        assertThat(Files.readString(big)).isEqualTo("{}\n");
    }

    @Test
    void reopeningAnOfflineRunByNameContinuesItsDirectory() throws Exception {
        Path root = tmp.resolve("offline");
        Path first;
        try (Run run = Run.offline(root, "", "exp", "resume-me")) {
            first = run.offlineDir();
            for (int i = 0; i < 5; i++) {
                run.logMetric("loss", 1.0);
            }
        }
        assertThat(runJson(first).get("status").getAsString()).isEqualTo("COMPLETED");
        try (Run again = Run.offline(root, "", "exp", "RESUME-ME")) {
            assertThat(again.offlineDir()).isEqualTo(first);
            assertThat(runJson(first).get("status").getAsString()).isEqualTo("RUNNING");
            again.logMetric("loss", 2.0); // the automatic step goes on after the last one
            // Another writer of the same name while this one is open gets a directory of its own.
            try (Run rival = Run.offline(root, "", "exp", "resume-me")) {
                assertThat(rival.offlineDir()).isNotEqualTo(first);
            }
        }
        assertThat(runJson(first).get("status").getAsString()).isEqualTo("COMPLETED");
        List<Long> steps = new java.util.ArrayList<>();
        for (JsonObject line : new OfflineRunReader(first).lines(OfflineFormat.METRICS)) {
            line.getAsJsonArray("step").forEach(s -> steps.add(s.getAsLong()));
        }
        assertThat(steps).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        try (var dirs = Files.list(root)) {
            assertThat(dirs.count()).isEqualTo(2);
        }
    }

    private static JsonObject runJson(Path dir) throws Exception {
        return JsonParser.parseString(Files.readString(dir.resolve("run.json"))).getAsJsonObject();
    }

    @Test
    void writesTheSharedFormat() throws Exception {
        Path model = Files.writeString(tmp.resolve("model.bin"), "weights");
        Path runDir;
        try (Run run = Run.offline(tmp.resolve("offline"), "", "mnist", "")) {
            runDir = run.offlineDir();
            assertThat(run.isOffline()).isTrue();
            assertThat(runDir.getFileName().toString()).matches("\\d{8}-\\d{6}-[0-9a-f]{8}");
            assertThat(run.name()).isEqualTo("offline-" + runDir.getFileName().toString().substring(16));
            run.logParam("lr", 0.001);
            run.logParam("epochs", 10);
            run.logParam("optimizer", "adam");
            run.logParam("amp", true);
            run.logMetric("loss", 0.9, 0, 1764000000001L);
            run.logMetric("acc", 0.1, 0, 1764000000001L);
            run.logMetric("loss", Double.NaN, 1, 1764000000002L);
            run.logRow("per_class", Map.of("class", "cat"));
            run.logList("losses", List.of(1, 2));
            Map<String, List<?>> cols = new LinkedHashMap<>();
            cols.put("a", List.of(1, 2));
            cols.put("b", List.of("x", "y"));
            run.logTable("t", cols);
            run.log("epoch 1 done");
            run.log("oops", LogLevel.ERROR);
            run.logFile(model, "outputs/model.pt", Direction.OUTPUT);
            run.logArtifact("dataset", "s3://bucket/train.csv", Direction.INPUT);
            run.setTags(Map.of("team", "vision"));
            run.setDescription("offline try");
        }
        JsonObject runJson = JsonParser.parseString(Files.readString(runDir.resolve("run.json"))).getAsJsonObject();
        assertThat(runJson.get("format").getAsString()).isEqualTo("labbook-offline/1");
        assertThat(runJson.get("local_id").getAsString()).startsWith(runDir.getFileName().toString().substring(16));
        assertThat(runJson.get("project").getAsString()).isEqualTo("default");
        assertThat(runJson.get("experiment").getAsString()).isEqualTo("mnist");
        assertThat(runJson.get("status").getAsString()).isEqualTo("COMPLETED");
        assertThat(runJson.get("end_time_ms").getAsLong()).isGreaterThanOrEqualTo(runJson.get("start_time_ms").getAsLong());
        assertThat(runJson.getAsJsonObject("tags").get("team").getAsString()).isEqualTo("vision");
        assertThat(runJson.get("description").getAsString()).isEqualTo("offline try");
        assertThat(runJson.get("sdk").getAsString()).startsWith("java/");
        assertThat(runJson.getAsJsonObject("source").keySet())
                .containsExactlyInAnyOrder("script", "args", "git_commit", "git_dirty", "host", "working_dir");
        assertThat(Files.exists(runDir.resolve("run.json.tmp"))).isFalse();

        assertThat(lines(runDir, "params.jsonl")).containsExactly("{\"key\":\"lr\",\"double\":0.001}",
                "{\"key\":\"epochs\",\"int\":10}", "{\"key\":\"optimizer\",\"string\":\"adam\"}",
                "{\"key\":\"amp\",\"bool\":true}");
        assertThat(lines(runDir, "metrics.jsonl")).containsExactly("{\"keys\":[\"loss\",\"acc\"],\"key_index\":[0,1,0],"
                + "\"step\":[0,0,1],\"timestamp_ms\":[1764000000001,1764000000001,1764000000002],"
                + "\"value\":[0.9,0.1,\"NaN\"]}");
        assertThat(lines(runDir, "tables.jsonl")).containsExactly(
                "{\"table\":\"per_class\",\"rows\":[{\"class\":\"cat\"}]}",
                "{\"table\":\"losses\",\"rows\":[{\"value\":1.0},{\"value\":2.0}]}",
                "{\"table\":\"t\",\"rows\":[{\"a\":1.0,\"b\":\"x\"},{\"a\":2.0,\"b\":\"y\"}]}");
        List<String> logs = lines(runDir, "logs.jsonl");
        assertThat(logs).hasSize(2);
        JsonObject log = JsonParser.parseString(logs.get(1)).getAsJsonObject();
        assertThat(log.keySet()).containsExactly("timestamp_ms", "level", "stream", "text");
        assertThat(log.get("level").getAsString()).isEqualTo("ERROR");
        assertThat(log.get("stream").getAsString()).isEqualTo("USER");
        List<String> artifacts = lines(runDir, "artifacts.jsonl");
        JsonObject file = JsonParser.parseString(artifacts.get(0)).getAsJsonObject();
        assertThat(file.get("kind").getAsString()).isEqualTo("file");
        assertThat(file.get("file").getAsString()).isEqualTo("files/outputs/model.pt");
        assertThat(file.get("size_bytes").getAsLong()).isEqualTo(7);
        assertThat(file.get("sha256").getAsString()).hasSize(64);
        assertThat(file.get("step").isJsonNull()).isTrue();
        assertThat(Files.readString(runDir.resolve("files/outputs/model.pt"))).isEqualTo("weights");
        assertThat(artifacts.get(1)).isEqualTo("{\"kind\":\"reference\",\"path\":\"dataset\","
                + "\"uri\":\"s3://bucket/train.csv\",\"direction\":\"INPUT\"}");
    }

    @Test
    void theResumePolicyAppliesToTheOfflineRunsOfTheRoot() throws Exception {
        try (dev.labbook.sdk.Labbook lb = dev.labbook.sdk.Labbook.offline(tmp.resolve("policy"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> lb.experiment("exp").startRun("later", dev.labbook.sdk.Resume.MUST))
                    .isInstanceOfSatisfying(dev.labbook.sdk.NotFoundException.class, e -> assertThat(e.reason())
                            .isEqualTo(dev.labbook.sdk.ErrorReason.RUN_NOT_FOUND));
            Path dir;
            try (Run first = lb.experiment("exp").startRun("later", dev.labbook.sdk.Resume.NEVER)) {
                first.logMetric("loss", 1);
                dir = first.offlineDir();
            }
            org.assertj.core.api.Assertions.assertThatThrownBy(
                    () -> lb.experiment("exp").startRun("LATER", dev.labbook.sdk.Resume.NEVER))
                    .isInstanceOfSatisfying(dev.labbook.sdk.AlreadyExistsException.class, e -> assertThat(e.reason())
                            .isEqualTo(dev.labbook.sdk.ErrorReason.RUN_ALREADY_EXISTS))
                    .hasMessageContaining("Resume.NEVER");
            try (Run again = lb.experiment("exp").startRun("later", dev.labbook.sdk.Resume.MUST)) {
                assertThat(again.offlineDir()).isEqualTo(dir);
            }
            // a refused open leaves no directory behind: still the one run
            try (var dirs = Files.list(tmp.resolve("policy"))) {
                assertThat(dirs.toList()).containsExactly(dir);
            }
        }
    }

    @Test
    void anOfflineLabbookOpensOfflineRuns() throws Exception {
        try (dev.labbook.sdk.Labbook lb = dev.labbook.sdk.Labbook.offline(tmp.resolve("lb"));
                Run run = lb.experiment("proj", "exp").startRun("named", Map.of("lr", 0.5))) {
            assertThat(lb.isOffline()).isTrue();
            assertThat(run.isOffline()).isTrue();
            assertThat(run.name()).isEqualTo("named");
            assertThat(Files.readString(run.offlineDir().resolve("params.jsonl"))).contains("\"lr\"");
            String runJson = Files.readString(run.offlineDir().resolve("run.json"));
            assertThat(runJson).contains("\"project\":\"proj\"").contains("\"experiment\":\"exp\"");
        }
    }

    @Test
    void anUnwritableDirectoryNeverThrows() throws Exception {
        Path blocker = Files.writeString(tmp.resolve("not-a-dir"), "x");
        try (Run run = Run.offline(blocker.resolve("sub"), "", "e", "n")) {
            run.logMetric("loss", 1);
            run.log("still fine");
        }
    }

    private static List<String> lines(Path dir, String file) throws Exception {
        String text = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n");
        return List.of(text.substring(0, text.length() - 1).split("\n"));
    }
}
