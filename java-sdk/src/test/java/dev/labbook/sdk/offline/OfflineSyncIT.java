package dev.labbook.sdk.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.sdk.Direction;
import dev.labbook.sdk.LabbookClient;
import dev.labbook.sdk.LogLine;
import dev.labbook.sdk.MetricSeries;
import dev.labbook.sdk.NewRun;
import dev.labbook.sdk.Run;
import dev.labbook.sdk.RunInfo;
import dev.labbook.sdk.RunStatus;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LabbookServerExtension.class)
class OfflineSyncIT {
    @TempDir
    Path tmp;
    private LabbookClient client;

    @BeforeEach
    void connect(TestServer server) {
        client = LabbookClient.connect(server.target());
    }

    @AfterEach
    void close() {
        client.close();
    }

    private Path writeOfflineRun(String name) throws Exception {
        byte[] weights = new byte[2 * 1024 * 1024];
        new Random(3).nextBytes(weights);
        Path model = Files.write(tmp.resolve("model.bin"), weights);
        try (Run run = Run.offline(tmp.resolve("offline"), "", "offline-exp", name)) {
            run.logParams(Map.of("lr", 0.01, "epochs", 3));
            run.logParam("lr", 0.02); // later line wins
            for (int i = 0; i < 25_000; i++) {
                run.logMetric("loss", 1.0 / (i + 1));
            }
            run.logMetric("nan", Double.NaN, 5);
            run.logRow("per_class", Map.of("class", "cat", "precision", 0.9));
            run.logList("losses", List.of(3, 2, 1));
            for (int i = 0; i < 10; i++) {
                run.log("line " + i);
            }
            run.logFile(model, "outputs/model.bin", Direction.OUTPUT);
            run.logArtifact("dataset", "s3://b/train.csv", Direction.INPUT);
            run.setTags(Map.of("team", "vision"));
            run.setDescription("offline");
            return run.offlineDir();
        }
    }

    @Test
    void syncingTwiceStoresEverythingOnce() throws Exception {
        Path dir = writeOfflineRun("");
        List<OfflineSync.Progress> progress = new ArrayList<>();
        OfflineSync sync = new OfflineSync(client);
        OfflineSync.Result first = sync.sync(tmp.resolve("offline"), progress::add);
        assertThat(first.ok()).as(first.failures().toString()).isTrue();
        OfflineSync.RunResult r = first.synced().get(0);
        assertThat(r.createdRun()).isTrue();
        assertThat(r.metricPointsStored()).isEqualTo(25_001);
        assertThat(r.filesUploaded()).isEqualTo(1);
        assertThat(r.summary()).contains("25001 metric points");
        assertThat(progress).anyMatch(p -> p.phase().equals("files") && p.bytesDone() == 2 * 1024 * 1024);
        assertThat(Files.readString(dir.resolve(".sync.json"))).contains(r.runId());

        OfflineSync.RunResult again = sync.sync(dir, null).synced().get(0);
        assertThat(again.runId()).isEqualTo(r.runId());
        assertThat(again.createdRun()).isFalse();
        assertThat(again.metricPointsStored()).isZero();
        assertThat(again.tableRowsAppended()).isZero();
        assertThat(again.logLinesAppended()).isZero();
        assertThat(again.filesUploaded()).isZero();
        assertThat(again.referencesCreated()).isZero();

        assertStoredOnce(r.runId(), dir);
    }

    @Test
    void anInterruptedSyncResumesWithoutDuplicates() throws Exception {
        Path dir = writeOfflineRun("interrupted");
        // what an interrupted sync saw: the first half of every record file (same run.json)
        Path partial = tmp.resolve("partial").resolve(dir.getFileName());
        Files.createDirectories(partial);
        Files.copy(dir.resolve("run.json"), partial.resolve("run.json"));
        for (String f : List.of("params.jsonl", "metrics.jsonl", "tables.jsonl", "logs.jsonl")) {
            List<String> lines = Files.readAllLines(dir.resolve(f));
            Files.write(partial.resolve(f), lines.subList(0, (lines.size() + 1) / 2));
            // plus a torn last line, as a crashed writer leaves it
            Files.writeString(partial.resolve(f), "{\"torn\":", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        OfflineSync sync = new OfflineSync(client);
        OfflineSync.RunResult half = sync.sync(partial, null).synced().get(0);
        assertThat(half.metricPointsStored()).isEqualTo(20_000);
        OfflineSync.RunResult rest = sync.sync(dir, null).synced().get(0);
        assertThat(rest.runId()).isEqualTo(half.runId());
        assertThat(rest.metricPointsStored()).isEqualTo(5_001);
        assertStoredOnce(rest.runId(), dir);
    }

    /** Sets run.json's times (and status) as an offline run that ran earlier would have them. */
    private static void setTimes(Path dir, long start, long end, String status) throws Exception {
        Path file = dir.resolve("run.json");
        com.google.gson.JsonObject run = com.google.gson.JsonParser.parseString(Files.readString(file))
                .getAsJsonObject();
        run.addProperty("start_time_ms", start);
        run.addProperty("end_time_ms", end);
        run.addProperty("status", status);
        Files.writeString(file, run.toString());
    }

    @Test
    void syncKeepsTheRunsRealStartAndEndTimes() throws Exception {
        long start = System.currentTimeMillis() - 7_200_000L - 7;  // two hours ago, to the ms
        long end = start + 3_600_123L;
        Path done;
        try (Run run = Run.offline(tmp.resolve("timed"), "", "offline-exp", "timed")) {
            run.logMetric("loss", 1);
            done = run.offlineDir();
        }
        setTimes(done, start, end, "COMPLETED");
        OfflineSync.Result result = new OfflineSync(client).sync(done, null);
        assertThat(result.ok()).as(result.failures().toString()).isTrue();
        RunInfo synced = client.runs().get(result.synced().get(0).runId());
        assertThat(synced.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(synced.startTimeMs()).isEqualTo(start);
        assertThat(synced.endTimeMs()).isEqualTo(end);

        // synced while still RUNNING, finished later and synced again: both times still its own
        Path later;
        try (Run run = Run.offline(tmp.resolve("timed"), "", "offline-exp", "later")) {
            later = run.offlineDir();
        }
        setTimes(later, start, 0, "RUNNING");
        OfflineSync.Result running = new OfflineSync(client).sync(later, null);
        assertThat(running.ok()).as(running.failures().toString()).isTrue();
        RunInfo first = client.runs().get(running.synced().get(0).runId());
        assertThat(first.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(first.startTimeMs()).isEqualTo(start);
        setTimes(later, start, end + 1, "FAILED");
        OfflineSync.Result finished = new OfflineSync(client).sync(later, null);
        assertThat(finished.ok()).as(finished.failures().toString()).isTrue();
        RunInfo last = client.runs().get(first.id());
        assertThat(last.status()).isEqualTo(RunStatus.FAILED);
        assertThat(last.startTimeMs()).isEqualTo(start);
        assertThat(last.endTimeMs()).isEqualTo(end + 1);

        Path canceled;
        try (Run run = Run.offline(tmp.resolve("timed"), "", "offline-exp", "canceled")) {
            canceled = run.offlineDir();
        }
        setTimes(canceled, start, end + 2, "CANCELED");
        OfflineSync.Result cancel = new OfflineSync(client).sync(canceled, null);
        assertThat(cancel.ok()).as(cancel.failures().toString()).isTrue();
        RunInfo c = client.runs().get(cancel.synced().get(0).runId());
        assertThat(c.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(c.startTimeMs()).isEqualTo(start);
        assertThat(c.endTimeMs()).isEqualTo(end + 2);
    }

    @Test
    void aSameNamedRunOfSomeoneElseIsRefused() throws Exception {
        client.runs().open(NewRun.in("offline-exp").withName("taken"));
        Path dir = writeOfflineRun("taken");
        OfflineSync.Result result = new OfflineSync(client).sync(dir, null);
        assertThat(result.ok()).isFalse();
        assertThat(result.failures().get(0).message()).contains("labbook.offline_id");
    }

    @Test
    void longLinesAreSplitOfflineAndCutWhenSyncedFromAnotherWriter() throws Exception {
        String big = "\u20ac".repeat(30_000); // 90,000 UTF-8 bytes
        Path dir;
        try (Run run = Run.offline(tmp.resolve("offline"), "", "offline-exp", "long")) {
            run.log(big);
            run.log("after");
            dir = run.offlineDir();
        }
        // a line another writer (an older SDK, a hand-made file) stored whole
        Files.writeString(dir.resolve(OfflineFormat.LOGS), "{\"timestamp_ms\":1,\"level\":\"INFO\",\"stream\":\"USER\","
                + "\"text\":\"" + "x".repeat(70_000) + "\"}\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.APPEND);
        OfflineSync sync = new OfflineSync(client);
        OfflineSync.Result result = sync.sync(dir, null);
        assertThat(result.ok()).as(result.failures().toString()).isTrue();
        String runId = result.synced().get(0).runId();
        List<String> texts = client.logs().read(runId, 0, 0, null).stream().map(LogLine::text).toList();
        assertThat(texts).hasSize(4);
        assertThat(texts.get(0) + texts.get(1)).isEqualTo(big);
        assertThat(texts.get(2)).isEqualTo("after");
        assertThat(texts.get(3)).isEqualTo("x".repeat(64 * 1024));
        assertThat(sync.sync(dir, null).synced().get(0).logLinesAppended()).isZero();
    }

    @Test
    void aMalformedRunDirectoryIsAFailureAndTheOthersStillSync() throws Exception {
        Path root = tmp.resolve("offline");
        Path good;
        Path badLine;
        Path badJson;
        try (Run run = Run.offline(root, "", "offline-exp", "good")) {
            run.log("fine");
            good = run.offlineDir();
        }
        try (Run run = Run.offline(root, "", "offline-exp", "bad-line")) {
            run.log("fine");
            badLine = run.offlineDir();
        }
        Files.writeString(badLine.resolve(OfflineFormat.LOGS), "{\"level\":\"INFO\",\"text\":null}\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        Files.writeString(badLine.resolve(OfflineFormat.TABLES), "{\"table\":\"t\",\"rows\":[{\"a\":null}]}\n"
                + "{\"rows\":[]}\n", StandardCharsets.UTF_8);
        try (Run run = Run.offline(root, "", "offline-exp", "bad-json")) {
            badJson = run.offlineDir();
        }
        Files.writeString(badJson.resolve(OfflineFormat.RUN_JSON), "{\"format\": 1, \"local_id\": [", StandardCharsets.UTF_8);
        OfflineSync.Result result = new OfflineSync(client).sync(root, null);
        assertThat(result.synced()).extracting(OfflineSync.RunResult::runName).contains("good");
        assertThat(result.failures()).extracting(OfflineSync.Failure::dir).contains(badJson);
        assertThat(result.failures()).allSatisfy(f -> assertThat(f.message()).isNotBlank());
        assertThat(result.synced().size() + result.failures().size()).isEqualTo(3);
    }

    private void assertStoredOnce(String runId, Path dir) throws Exception {
        RunInfo run = client.runs().get(runId);
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.params()).containsEntry("lr", 0.02).containsEntry("epochs", 3L);
        assertThat(run.tags()).containsEntry("team", "vision").containsKey(OfflineFormat.OFFLINE_ID_TAG);
        assertThat(run.description()).isEqualTo("offline");
        MetricSeries loss = client.metrics().history(runId, "loss");
        assertThat(loss.size()).isEqualTo(25_000);
        for (int i = 0; i < loss.size(); i++) {
            assertThat(loss.steps()[i]).isEqualTo(i);
        }
        assertThat(client.metrics().history(runId, "nan").values()[0]).isNaN();
        assertThat(client.tables().get(runId, "per_class").rows()).hasSize(1);
        assertThat(client.tables().get(runId, "losses").column("value")).containsExactly(3.0, 2.0, 1.0);
        assertThat(client.logs().read(runId, 0, 0, null)).extracting(LogLine::text)
                .containsExactly("line 0", "line 1", "line 2", "line 3", "line 4", "line 5", "line 6", "line 7",
                        "line 8", "line 9");
        assertThat(client.artifacts().get(runId, "outputs/model.bin").sha256())
                .isEqualTo(dev.labbook.sdk.internal.Hashing.sha256(dir.resolve("files/outputs/model.bin")));
        assertThat(client.artifacts().get(runId, "dataset").uri()).isEqualTo("s3://b/train.csv");
        assertThat(client.runs().details(runId).statusHistory()).hasSize(2);
        try (Stream<Path> s = Files.list(dir.getParent())) {
            assertThat(s.count()).isEqualTo(1);
        }
    }
}
