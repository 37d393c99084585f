package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.labbook.api.v1.MetricBatch;
import dev.labbook.sdk.internal.Hashing;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LabbookServerExtension.class)
class LabbookClientIT {
    private LabbookClient client;

    @BeforeEach
    void connect(TestServer server) {
        client = LabbookClient.connect(server.target());
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void runsAndExperimentsRenameDeleteRestorePurge() {
        ExperimentInfo e = client.experiments().create("", "lifecycle", "", "", Map.of());
        RunInfo run = client.runs().open(NewRun.in("lifecycle").withName("first")).run();
        assertThat(client.runs().rename(run.id(), "renamed").name()).isEqualTo("renamed");
        assertThat(client.runs().getByName("", "lifecycle", "renamed").id()).isEqualTo(run.id());

        assertThat(client.runs().delete(run.id()).deleted()).isTrue();
        assertThat(client.runs().restore(run.id()).deleted()).isFalse();
        assertThatThrownBy(() -> client.runs().purge(run.id())).isInstanceOf(FailedPreconditionException.class);
        client.runs().delete(run.id());
        assertThat(client.runs().purge(run.id())).isEqualTo(1);
        assertThatThrownBy(() -> client.runs().get(run.id())).isInstanceOf(NotFoundException.class);

        RunInfo other = client.runs().open(NewRun.in("lifecycle").withName("second")).run();
        assertThat(client.experiments().rename(e.id(), "lifecycle-2").name()).isEqualTo("lifecycle-2");
        assertThat(client.experiments().delete(e.id()).deleted()).isTrue();
        assertThat(client.experiments().listAll("")).extracting(ExperimentInfo::name).doesNotContain("lifecycle-2");
        assertThat(client.experiments().restore(e.id()).deleted()).isFalse();
        client.experiments().delete(e.id());
        assertThat(client.experiments().purge(e.id())).isEqualTo(1);
        assertThatThrownBy(() -> client.experiments().get(e.id())).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> client.runs().get(other.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    void experimentsCreateGetList() {
        ExperimentInfo e = client.experiments().create("", "resnet", "desc", "/a/b", Map.of("team", "vision"));
        assertThat(e.project()).isEqualTo("default");
        assertThat(client.experiments().get(e.id())).isEqualTo(e);
        assertThat(client.experiments().getByName("default", "RESNET").id()).isEqualTo(e.id());
        assertThat(client.experiments().getOrCreate("", "resnet").id()).isEqualTo(e.id());
        client.experiments().create("", "other", "", "", Map.of());
        assertThat(client.experiments().listAll("").stream().map(ExperimentInfo::name)).containsExactly("other", "resnet");
        Page<ExperimentInfo> first = client.experiments().list("", 1, "");
        assertThat(first.items()).hasSize(1);
        assertThat(first.hasNext()).isTrue();
        assertThatThrownBy(() -> client.experiments().create("", "resnet", "", "", Map.of()))
                .isInstanceOf(AlreadyExistsException.class);
        assertThatThrownBy(() -> client.experiments().get(UUID.randomUUID().toString()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void invalidArgumentNamesTheField() {
        assertThatThrownBy(() -> client.experiments().create("", " bad", "", "", Map.of()))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> client.runs().open(NewRun.in("x").withName("r").withParams(Map.of("bad key!", 1))))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).startsWith("params[0]"));
    }

    @Test
    void runsOpenResumeUpdateTagsParamsSearchCompare() {
        SourceInfo source = new SourceInfo("train.Main", List.of("--lr", "0.1"), "abc123", false, "host1", "/tmp");
        OpenedRun opened = client.runs().open(NewRun.in("mnist").withName("lr-0.1").withSource(source)
                .withTags(Map.of("a", "1")).withParams(Map.of("lr", 0.1, "epochs", 10, "opt", "adam", "amp", true)));
        assertThat(opened.resumed()).isFalse();
        RunInfo run = opened.run();
        assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(run.source()).isEqualTo(source);
        assertThat(run.params()).containsEntry("lr", 0.1).containsEntry("epochs", 10L).containsEntry("opt", "adam")
                .containsEntry("amp", true);

        client.runs().finish(run.id(), RunStatus.COMPLETED);
        OpenedRun again = client.runs().open(NewRun.in("mnist").withName("lr-0.1"));
        assertThat(again.resumed()).isTrue();
        assertThat(again.run().id()).isEqualTo(run.id());
        RunDetails details = client.runs().details(run.id());
        assertThat(details.statusHistory().stream().map(StatusChange::to))
                .containsExactly(RunStatus.RUNNING, RunStatus.COMPLETED, RunStatus.RUNNING);

        assertThat(client.runs().setTags(run.id(), Map.of("b", "2"), List.of("a"))).isEqualTo(Map.of("b", "2"));
        assertThat(client.runs().setDescription(run.id(), "hello").description()).isEqualTo("hello");
        assertThat(client.runs().logParams(run.id(), Map.of("lr", 0.2))).isEqualTo(1);
        assertThat(client.runs().get(run.id()).params()).containsEntry("lr", 0.2);

        RunInfo other = client.runs().open(NewRun.in("mnist").withName("lr-0.5").withParams(Map.of("lr", 0.5))).run();
        client.metrics().send(List.of(batch(run.id(), "w", 1, "acc", 0.9))); // one run per stream
        client.metrics().send(List.of(batch(other.id(), "w", 1, "acc", 0.7)));
        List<RunInfo> found = client.runs().searchAll(RunSearch.inProject("default").filter("params.lr < 0.3")
                .orderBy("metrics.acc DESC"));
        assertThat(found).extracting(RunInfo::id).containsExactly(run.id());
        assertThat(found.get(0).metrics()).extracting(MetricSummary::key).containsExactly("acc");
        List<RunInfo> best = client.runs().searchAll(RunSearch.inExperiments(run.experimentId())
                .orderBy("metrics.acc ASC").maxResults(1));
        assertThat(best).extracting(RunInfo::id).containsExactly(other.id());
        Page<RunInfo> page = client.runs().search(RunSearch.inProject("").pageSize(1), "");
        assertThat(page.items()).hasSize(1);
        assertThat(client.runs().search(RunSearch.inProject("").pageSize(1), page.nextPageToken()).items())
                .hasSize(1);
        assertThat(client.runs().list(run.experimentId(), 0, "").items()).hasSize(2);

        RunComparison cmp = client.runs().compare(List.of(run.id(), other.id()));
        assertThat(cmp.params().get("lr")).containsExactly(0.2, 0.5);
        assertThat(cmp.differingParamKeys()).contains("lr");
        assertThat(cmp.metrics().get("acc")).extracting(MetricSummary::lastValue).containsExactly(0.9, 0.7);
        assertThatThrownBy(() -> client.runs().search(RunSearch.inProject("").filter("params.lr <<"), ""))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field()).isEqualTo("filter"));
    }

    @Test
    void watchFollowsARunUntilItFinishes() throws Exception {
        String runId = client.runs().open(NewRun.in("w").withName("r")).run().id();
        List<RunStatus> seen = new CopyOnWriteArrayList<>();
        try (RunsApi.RunWatch watch = client.runs().watch(runId)) {
            Thread t = new Thread(() -> watch.forEachRemaining(r -> seen.add(r.status())));
            t.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            client.runs().finish(runId, RunStatus.COMPLETED);
            t.join(20_000);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(seen).startsWith(RunStatus.RUNNING).endsWith(RunStatus.COMPLETED);
    }

    @Test
    void metricsSendHistoryDownsampleWriterState() {
        String runId = client.runs().open(NewRun.in("m").withName("r")).run().id();
        List<MetricBatch> batches = new ArrayList<>();
        for (int b = 0; b < 10; b++) {
            MetricBatch.Builder mb = MetricBatch.newBuilder().setRunId(runId).setWriterId("w1").setSequence(b + 1)
                    .addKeys("loss");
            for (int i = 0; i < 1000; i++) {
                mb.addKeyIndex(0).addStep(b * 1000L + i).addTimestampMs(1000 + i).addValue(1.0 / (1 + b * 1000 + i));
            }
            batches.add(mb.build());
        }
        var resp = client.metrics().send(batches);
        assertThat(resp.getAcceptedPoints()).isEqualTo(10_000);
        assertThat(client.metrics().send(batches.subList(8, 10)).getSkippedDuplicateBatches()).isEqualTo(2);
        assertThat(client.metrics().writerState(runId, "w1")).isEqualTo(10);
        assertThat(client.metrics().writerState(runId, "other")).isZero();
        MetricSeries all = client.metrics().history(runId, "loss");
        assertThat(all.size()).isEqualTo(10_000);
        assertThat(all.steps()[9999]).isEqualTo(9999);
        assertThat(client.metrics().history(runId, "loss", 10L, 19L).size()).isEqualTo(10);
        assertThat(client.metrics().history(runId, "loss", 9990L, null).size()).isEqualTo(10);
        MetricSeries down = client.metrics().downsampled(runId, "loss", 100);
        assertThat(down.downsampled()).isTrue();
        assertThat(down.size()).isLessThanOrEqualTo(100);
        assertThat(client.metrics().list(runId)).extracting(MetricSummary::count).containsExactly(10_000L);
        assertThatThrownBy(() -> client.metrics().history(runId, "nope")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void tablesAppendGetList() {
        String runId = client.runs().open(NewRun.in("t").withName("r")).run().id();
        assertThat(client.tables().rowCount(runId, "per_class")).isZero();
        client.tables().append(runId, "per_class", List.of(Map.of("class", "cat", "precision", 0.91)));
        long n = client.tables().append(runId, "per_class", List.of(Map.of("class", "dog", "precision", 0.88)));
        assertThat(n).isEqualTo(2);
        Table t = client.tables().get(runId, "per_class");
        assertThat(t.columnMap()).containsEntry("class", List.of("cat", "dog"))
                .containsEntry("precision", List.of(0.91, 0.88));
        assertThat(t.columns()).contains(new Table.Column("precision", true), new Table.Column("class", false));
        List<TableInfo> tables = client.tables().list(runId);
        assertThat(tables).extracting(TableInfo::name, TableInfo::rowCount).containsExactly(
                org.assertj.core.groups.Tuple.tuple("per_class", 2L));
        assertThat(tables.get(0).columns()).containsExactlyInAnyOrder(new Table.Column("class", false),
                new Table.Column("precision", true));
        assertThat(client.tables().rowCount(runId, "per_class")).isEqualTo(2);
    }

    @Test
    void logsAppendReadFollow() throws Exception {
        String runId = client.runs().open(NewRun.in("l").withName("r")).run().id();
        assertThat(client.logs().append(runId, List.of(LogLine.of(LogLevel.INFO, "one"),
                LogLine.of(LogLevel.ERROR, "two")))).isEqualTo(2);
        assertThat(client.logs().read(runId, 0, 0, null)).extracting(LogLine::text).containsExactly("one", "two");
        assertThat(client.logs().read(runId, 0, 0, LogLevel.WARNING)).extracting(LogLine::offset).containsExactly(1L);
        List<String> seen = new CopyOnWriteArrayList<>();
        Thread follower;
        try (LogsApi.LogFollower f = client.logs().follow(runId, 1)) {
            follower = new Thread(() -> f.forEachRemaining(l -> seen.add(l.text())));
            follower.start();
            client.logs().append(runId, List.of(LogLine.of(LogLevel.INFO, "three")));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(seen).containsExactly("two", "three");
            client.runs().finish(runId, RunStatus.COMPLETED);
            follower.join(20_000);
            assertThat(follower.isAlive()).isFalse();
        }
    }

    @Test
    void logsCountWithoutReadingTheWholeLog() {
        String runId = client.runs().open(NewRun.in("l").withName("count")).run().id();
        assertThat(client.logs().count(runId)).isZero();
        int total = 0;
        for (int n : new int[] {1, 1, 1022, 1, 1500}) {
            List<LogLine> lines = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                lines.add(LogLine.of(LogLevel.INFO, "l" + (total + i)));
            }
            client.logs().append(runId, lines);
            total += n;
            assertThat(client.logs().count(runId)).as("after %d lines", total).isEqualTo(total);
        }
    }

    @Test
    void artifactsUploadDownloadReferenceList(@TempDir Path tmp) throws Exception {
        String runId = client.runs().open(NewRun.in("a").withName("r")).run().id();
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(data);
        Path file = tmp.resolve("model.bin");
        Files.write(file, data);
        List<long[]> progress = new ArrayList<>();
        Artifact a = client.artifacts().upload(runId, file, "outputs/model.bin", UploadOptions.OUTPUT,
                (d, t) -> progress.add(new long[] {d, t}));
        assertThat(a.sizeBytes()).isEqualTo(data.length);
        assertThat(a.sha256()).isEqualTo(Hashing.sha256(file));
        assertThat(progress.get(progress.size() - 1)).containsExactly(data.length, data.length);

        Artifact s = client.artifacts().upload(runId, new ByteArrayInputStream("hi".getBytes(StandardCharsets.UTF_8)),
                "notes.txt", UploadOptions.of(Direction.INPUT), null);
        assertThat(s.direction()).isEqualTo(Direction.INPUT);
        client.artifacts().reference(runId, "dataset", "s3://bucket/train.csv", Direction.INPUT);

        Path dir = tmp.resolve("ckpt");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("a.txt"), "a");
        Files.writeString(dir.resolve("sub/b.txt"), "bb");
        List<Artifact> uploaded = client.artifacts().uploadDirectory(runId, dir, "ckpt", Direction.OUTPUT, null);
        assertThat(uploaded).extracting(Artifact::path).containsExactly("ckpt/a.txt", "ckpt/sub/b.txt");

        assertThat(client.artifacts().listAll(runId, "")).extracting(Artifact::path)
                .containsExactly("ckpt/a.txt", "ckpt/sub/b.txt", "dataset", "notes.txt", "outputs/model.bin");
        assertThat(client.artifacts().get(runId, "dataset").uri()).isEqualTo("s3://bucket/train.csv");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.artifacts().download(runId, "outputs/model.bin", out, 1000, null);
        assertThat(out.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(data, 1000, data.length));

        Path target = tmp.resolve("down/model.bin");
        Files.createDirectories(target.getParent());
        Files.write(target, java.util.Arrays.copyOf(data, 12345)); // a partial earlier download
        client.artifacts().downloadTo(runId, "outputs/model.bin", target, null);
        assertThat(Files.readAllBytes(target)).isEqualTo(data);
    }

    @Test
    void downloadToReplacesAFileThatIsNotAPrefixOfTheArtifact(@TempDir Path tmp) throws Exception {
        String runId = client.runs().open(NewRun.in("a").withName("r")).run().id();
        byte[] data = new byte[2 * 1024 * 1024 + 5];
        new Random(3).nextBytes(data);
        Path file = tmp.resolve("model.bin");
        Files.write(file, data);
        client.artifacts().upload(runId, file, "model.bin", UploadOptions.OUTPUT, null);
        byte[] other = new byte[data.length];
        new Random(4).nextBytes(other);

        Path sameSize = tmp.resolve("same.bin");
        Files.write(sameSize, other); // another run's file of the same length
        client.artifacts().downloadTo(runId, "model.bin", sameSize, null);
        assertThat(Files.readAllBytes(sameSize)).isEqualTo(data);

        Path shorter = tmp.resolve("shorter.bin");
        Files.write(shorter, java.util.Arrays.copyOf(other, 100_000)); // a head of other bytes
        client.artifacts().downloadTo(runId, "model.bin", shorter, null);
        assertThat(Files.readAllBytes(shorter)).isEqualTo(data);
    }

    @Test
    void namedUploadResumesFromWhatTheServerHas(@TempDir Path tmp) throws Exception {
        String runId = client.runs().open(NewRun.in("a").withName("r")).run().id();
        byte[] data = new byte[26 * 1024 * 1024 + 777];
        new Random(2).nextBytes(data);
        Path file = tmp.resolve("big.bin");
        Files.write(file, data);
        String uploadId = UUID.randomUUID().toString();
        // first attempt broken off after 20 MiB sent: with the server's flow-control window at
        // least one 8 MiB part is stored by then (as in the server's own resume test)
        assertThatThrownBy(() -> client.artifacts().upload(runId, file, "big.bin",
                UploadOptions.OUTPUT.withUploadId(uploadId), (d, total) -> {
                    if (d >= 20L * 1024 * 1024) {
                        throw new IllegalStateException("simulated crash");
                    }
                })).hasMessage("simulated crash");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (client.artifacts().uploadStatus(runId, uploadId).received() < 8L * 1024 * 1024
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(client.artifacts().uploadStatus(runId, uploadId).complete()).isFalse();
        List<Long> seen = new CopyOnWriteArrayList<>();
        Artifact a = client.artifacts().upload(runId, file, "big.bin", UploadOptions.OUTPUT.withUploadId(uploadId),
                (d, total) -> seen.add(d));
        assertThat(a.sizeBytes()).isEqualTo(data.length);
        assertThat(a.sha256()).isEqualTo(Hashing.sha256(file));
        assertThat(seen.get(0)).as("resumed, not restarted").isGreaterThanOrEqualTo(8L * 1024 * 1024);
        assertThat(client.artifacts().uploadStatus(runId, uploadId).complete()).isTrue();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        client.artifacts().download(runId, "big.bin", out, 0, null);
        assertThat(out.toByteArray()).isEqualTo(data);
    }

    @Test
    void runLifecycleQueuedStartedFinishedAndRefusedTransitionsCarryTheirReason() {
        ExperimentInfo e = client.experiments().getOrCreate("", "lifecycle");
        RunInfo queued = client.runs().create(NewRun.inExperimentId(e.id()).withName("job-1"), true);
        assertThat(queued.status()).isEqualTo(RunStatus.QUEUED);
        assertThat(queued.startTimeMs()).isZero();
        assertThat(queued.createTimeMs()).isPositive();
        assertThatThrownBy(() -> client.runs().finish(queued.id(), RunStatus.COMPLETED))
                .isInstanceOfSatisfying(InvalidStatusTransitionException.class,
                        x -> assertThat(x.reason()).isEqualTo(ErrorReason.INVALID_STATUS_TRANSITION));
        RunInfo running = client.runs().start(queued.id());
        assertThat(running.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(running.startTimeMs()).isPositive();
        assertThat(client.runs().start(queued.id()).status()).isEqualTo(RunStatus.RUNNING); // idempotent
        RunInfo done = client.runs().finish(queued.id(), RunStatus.COMPLETED);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(done.endTimeMs()).isPositive();
        assertThat(client.runs().finish(queued.id(), RunStatus.COMPLETED).status()).isEqualTo(RunStatus.COMPLETED);
        assertThatThrownBy(() -> client.runs().cancel(queued.id()))
                .isInstanceOfSatisfying(InvalidStatusTransitionException.class,
                        x -> assertThat(x.runStatus()).isEqualTo(RunStatus.COMPLETED));
        assertThatThrownBy(() -> client.runs().finish(queued.id(), RunStatus.CANCELED))
                .isInstanceOf(IllegalArgumentException.class);

        RunInfo other = client.runs().create(NewRun.inExperimentId(e.id()).withName("job-2"), false);
        assertThat(other.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(client.runs().cancel(other.id()).status()).isEqualTo(RunStatus.CANCELED);
        assertThat(client.runs().resume(other.id()).status()).isEqualTo(RunStatus.RUNNING);
        assertThatThrownBy(() -> client.runs().create(NewRun.inExperimentId(e.id()).withName("JOB-1"), false))
                .isInstanceOfSatisfying(AlreadyExistsException.class,
                        x -> assertThat(x.reason()).isEqualTo(ErrorReason.RUN_ALREADY_EXISTS));
    }

    @Test
    void openRunFollowsItsResumePolicyAndExperimentCreation() {
        assertThatThrownBy(() -> client.runs().open(NewRun.in("not-there").withName("r")
                .withCreateExperimentIfMissing(false)))
                .isInstanceOfSatisfying(NotFoundException.class,
                        x -> assertThat(x.reason()).isEqualTo(ErrorReason.EXPERIMENT_NOT_FOUND));
        OpenedRun first = client.runs().open(NewRun.in("policies").withName("r").withResume(Resume.NEVER));
        assertThat(first.experimentCreated()).isTrue();
        assertThat(first.resumed()).isFalse();
        assertThatThrownBy(() -> client.runs().open(NewRun.in("policies").withName("r").withResume(Resume.NEVER)))
                .isInstanceOfSatisfying(AlreadyExistsException.class,
                        x -> assertThat(x.reason()).isEqualTo(ErrorReason.RUN_ALREADY_EXISTS));
        assertThatThrownBy(() -> client.runs().open(NewRun.in("policies").withName("s").withResume(Resume.MUST)))
                .isInstanceOfSatisfying(NotFoundException.class,
                        x -> assertThat(x.reason()).isEqualTo(ErrorReason.RUN_NOT_FOUND));
        OpenedRun again = client.runs().open(NewRun.in("policies").withName("r").withResume(Resume.MUST));
        assertThat(again.resumed()).isTrue();
        assertThat(again.experimentCreated()).isFalse();
        assertThat(again.run().id()).isEqualTo(first.run().id());

        assertThat(client.runs().getByName("", "POLICIES", "R").id()).isEqualTo(first.run().id());
        assertThat(client.runs().getInExperiment(first.run().experimentId(), "r").id()).isEqualTo(first.run().id());
        assertThatThrownBy(() -> client.runs().getByName("", "policies", "nope"))
                .isInstanceOfSatisfying(NotFoundException.class,
                        x -> assertThat(x.reason()).isEqualTo(ErrorReason.RUN_NOT_FOUND));
    }

    @Test
    void updatesByFieldMaskRefuseAStaleEtag() {
        RunInfo run = client.runs().open(NewRun.in("etag").withName("before")).run();
        assertThat(run.etag()).isNotEmpty();
        RunInfo renamed = client.runs().update(run.id(), RunUpdate.name("after").withDescription("d"), run.etag());
        assertThat(renamed.name()).isEqualTo("after");
        assertThat(renamed.description()).isEqualTo("d");
        assertThat(renamed.etag()).isNotEqualTo(run.etag());
        assertThatThrownBy(() -> client.runs().update(run.id(), RunUpdate.description("lost"), run.etag()))
                .isInstanceOfSatisfying(EtagMismatchException.class,
                        x -> assertThat(x.reason()).isEqualTo(ErrorReason.ETAG_MISMATCH));
        assertThat(client.runs().get(run.id()).description()).isEqualTo("d");
        assertThat(client.runs().update(run.id(), RunUpdate.description("no etag"), "").description())
                .isEqualTo("no etag");

        ExperimentInfo e = client.experiments().get(run.experimentId());
        ExperimentInfo changed = client.experiments().update(e.id(), ExperimentUpdate.description("about")
                .withFolder("/a/b"), e.etag());
        assertThat(changed.description()).isEqualTo("about");
        assertThat(changed.folder()).isEqualTo("/a/b");
        assertThatThrownBy(() -> client.experiments().update(e.id(), ExperimentUpdate.name("x"), e.etag()))
                .isInstanceOf(EtagMismatchException.class);
        assertThat(client.experiments().setTags(e.id(), Map.of("a", "1", "b", "2"), List.of())).containsOnlyKeys("a", "b");
        assertThat(client.experiments().setTags(e.id(), Map.of("c", "3"), List.of("a"))).containsOnlyKeys("b", "c");
    }

    @Test
    void projectsListAndGet() {
        client.experiments().create("vision", "resnet", "", "", Map.of());
        client.experiments().create("vision", "vit", "", "", Map.of());
        assertThat(client.projects().listAll()).extracting(ProjectInfo::name).contains("default", "vision");
        assertThat(client.projects().get("vision").experimentCount()).isEqualTo(2);
        assertThat(client.projects().get("").name()).isEqualTo("default");
        assertThatThrownBy(() -> client.projects().get("nothing-here")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void metricKeysArePagedAndManySeriesReadInOneCall() {
        List<String> runIds = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            String runId = client.runs().open(NewRun.in("paging").withName("r" + r)).run().id();
            runIds.add(runId);
            List<MetricBatch> batches = new ArrayList<>();
            for (int from = 0; from < 2500; from += 1000) { // at most 1000 keys per batch
                MetricBatch.Builder b = MetricBatch.newBuilder().setRunId(runId).setWriterId("w")
                        .setSequence(batches.size() + 1);
                for (int k = from; k < Math.min(2500, from + 1000); k++) {
                    b.addKeys(String.format("k/%04d", k));
                    for (int step = 0; step < 3; step++) {
                        b.addKeyIndex(k - from).addStep(step).addTimestampMs(1).addValue(r * 10 + step);
                    }
                }
                batches.add(b.build());
            }
            client.metrics().send(batches);
        }
        String run0 = runIds.get(0);
        Page<MetricSummary> page = client.metrics().list(run0, "", 1000, "");
        assertThat(page.items()).hasSize(1000);
        assertThat(page.hasNext()).isTrue();
        assertThat(client.metrics().list(run0)).hasSize(2500);
        assertThat(client.metrics().list(run0, "k/24")).hasSize(100);

        Map<String, Map<String, MetricSeries>> many = client.metrics().batchHistory(runIds,
                List.of("k/0000", "k/0001", "missing"), 100, 1L, null);
        assertThat(many.keySet()).containsExactlyElementsOf(runIds);
        assertThat(many.get(runIds.get(2))).containsOnlyKeys("k/0000", "k/0001");
        MetricSeries s = many.get(runIds.get(2)).get("k/0001");
        assertThat(s.steps()).containsExactly(1, 2);
        assertThat(s.values()).containsExactly(21, 22);
    }

    @Test
    void sequencedAppendsOfLinesAndRowsAreStoredOnce() {
        String runId = client.runs().open(NewRun.in("dedup").withName("r")).run().id();
        List<LogLine> lines = List.of(LogLine.of(LogLevel.INFO, "a"), LogLine.of(LogLevel.INFO, "b"));
        assertThat(client.logs().append(runId, "logs-1", 1, lines)).isEqualTo(new AppendResult(2, false));
        assertThat(client.logs().append(runId, "logs-1", 1, lines).duplicate()).isTrue();
        assertThat(client.logs().read(runId, 0, 0, null)).extracting(LogLine::text).containsExactly("a", "b");

        List<Map<String, Object>> rows = List.of(Map.of("x", 1), Map.of("x", 2));
        assertThat(client.tables().append(runId, "rows-1", 1, "t", rows)).isEqualTo(new AppendResult(2, false));
        AppendResult again = client.tables().append(runId, "rows-1", 1, "t", rows);
        assertThat(again.duplicate()).isTrue();
        assertThat(client.tables().rowCount(runId, "t")).isEqualTo(2);
        assertThat(client.metrics().writerState(runId, "rows-1")).isEqualTo(1);

        AppendWriter writer = new AppendWriter("rows");
        PendingAppend p = client.tables().prepare(runId, writer, "t", List.of(Map.of("x", 3)));
        p.send();
        p.send(); // a repeat of a confirmed append sends nothing
        assertThat(client.tables().get(runId, "t").column("x")).containsExactly(1.0, 2.0, 3.0);
    }

    private static MetricBatch batch(String runId, String writer, long seq, String key, double value) {
        return MetricBatch.newBuilder().setRunId(runId).setWriterId(writer).setSequence(seq).addKeys(key)
                .addKeyIndex(0).addStep(0).addTimestampMs(1).addValue(value).build();
    }
}
