package dev.labbook.server.domain.submit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.Direction;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.server.domain.ExperimentService;
import dev.labbook.server.domain.IdGenerator;
import dev.labbook.server.domain.PurgeListener;
import dev.labbook.server.domain.RunService;
import dev.labbook.server.domain.RunStatus;
import dev.labbook.server.domain.RunStatusChange;
import dev.labbook.server.domain.access.CurrentCaller;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.ArtifactTransfers;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SubmitService on the real database of the shared test server (runs and snapshots are made over
 * its gRPC API), with a launcher that records what it is asked and what the database held at that
 * moment: the order of SubmitRun's steps, several replicas observing one event, long messages.
 */
@ExtendWith(LabbookServerExtension.class)
class SubmitServiceIT {
    private static final ComputeTarget TARGET = new ComputeTarget("cpu", "training", "runner:1", "", "labbook:7800",
            "", Map.of(), List.of(), "", 1_000, List.of(), 0, 86_400, List.of());

    private TestServer server;
    private PostgresDatabase database;
    private TrackingStore store;
    private RunService runs;
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

    /** Records each call with what the store held for the run when it came. */
    private final JobLauncher launcher = new JobLauncher() {
        @Override
        public void create(JobRequest request) {
            var submission = store.inTransaction(tx -> tx.submissions().find(request.runId(), false));
            var tags = store.inTransaction(tx -> tx.runs().tags(request.runId()));
            calls.add("create " + request.jobName() + " recorded=" + submission.isPresent() + " job_tag="
                    + tags.get(SubmitService.TAG_JOB));
        }

        @Override
        public void delete(ComputeTarget target, String jobName) {
            calls.add("delete " + target.name() + " " + jobName);
        }
    };

    @BeforeEach
    void open(TestServer server) {
        this.server = server;
        database = PostgresDatabase.open(server.database(), 8);
        store = database.trackingStore();
        Clock clock = Clock.systemUTC();
        IdGenerator ids = new IdGenerator(clock);
        runs = new RunService(store, new ExperimentService(store, ids, clock, PurgeListener.NONE, CurrentCaller.NONE),
                ids, clock, PurgeListener.NONE, CurrentCaller.NONE, Duration.ofMinutes(5),
                new JobDeletion(store, List.of(TARGET), launcher));
    }

    @AfterEach
    void close() {
        database.close();
    }

    private SubmitService service() {
        return new SubmitService(store, runs, List.of(TARGET), launcher, Clock.systemUTC());
    }

    private UUID submittableRun() {
        String experiment = server.runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                .setExperimentName("submits").setName("anchor-" + UUID.randomUUID()).build()).getRun().getExperimentId();
        String runId = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experiment)
                .setInitialStatus(dev.labbook.api.v1.RunStatus.RUN_STATUS_QUEUED).build()).getRun().getId();
        byte[] data = ArtifactTransfers.content(0, 100, 1);
        ArtifactTransfers.upload(server.channel(), UploadHeader.newBuilder().setRunId(runId)
                .setPath("snapshot/source.tar.gz").setDirection(Direction.DIRECTION_INPUT).setSizeBytes(100)
                .setSha256(ArtifactTransfers.sha256(data)).build(), data, 1024, -1);
        return UUID.fromString(runId);
    }

    private static SubmitSpec spec() {
        return new SubmitSpec("cpu", "train.py", List.of(), "snapshot/source.tar.gz", "", List.of(), Map.of(), "",
                "", 0);
    }

    @Test
    void theJobIsCreatedOnlyOnceTheSubmissionAndTagsAreCommitted() {
        UUID run = submittableRun();

        SubmitService.Submitted submitted = service().submit(run, spec());

        assertThat(calls).containsExactly("create labbook-" + run + " recorded=true job_tag=labbook-" + run);
        assertThat(submitted.run().tags()).containsEntry(SubmitService.TAG_COMPUTE_TARGET, "cpu")
                .containsEntry(SubmitService.TAG_NAMESPACE, "training");
        assertThat(service().get(run)).isEqualTo(submitted.submission());
    }

    @Test
    void replicasReportingTheSameFailureAtOnceFailTheRunOnce() throws Exception {
        UUID run = submittableRun();
        SubmitService submitted = service();
        submitted.submit(run, spec());
        List<SubmitService> replicas = List.of(submitted, service(), service(), service());
        JobObservation failure = new JobObservation(run, "labbook-" + run + "-p0d", JobState.FAILED,
                "ErrImagePull: pull access denied");
        ExecutorService pool = Executors.newFixedThreadPool(replicas.size());
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> reports = new ArrayList<>();
            for (SubmitService replica : replicas) {
                reports.add(pool.submit(() -> {
                    go.await();
                    replica.observed(failure);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> report : reports) {
                report.get();
            }
        } finally {
            pool.shutdownNow();
        }

        List<RunStatusChange> history = runs.get(run).history();
        assertThat(history).filteredOn(c -> c.reason() == RunStatusChange.Reason.JOB_FAILED).singleElement()
                .satisfies(c -> {
                    assertThat(c.to()).isEqualTo(RunStatus.FAILED);
                    assertThat(c.message()).isEqualTo("ErrImagePull: pull access denied");
                });
        // Each replica that saw the pull failure asks for the Job's deletion; deleting a gone Job is no error.
        assertThat(calls.stream().filter(c -> c.startsWith("delete"))).isNotEmpty()
                .allMatch(c -> c.equals("delete cpu labbook-" + run));
    }

    @Test
    void keepsTheStartOfAVeryLongMessage() {
        UUID run = submittableRun();
        SubmitService service = service();
        service.submit(run, spec());

        service.observed(new JobObservation(run, "", JobState.FAILED, "Evicted: " + "x".repeat(10_000)));

        assertThat(service.get(run).message()).hasSize(SubmitService.MAX_MESSAGE_CHARS).startsWith("Evicted: x");
        assertThat(runs.get(run).history()).last().extracting(RunStatusChange::message)
                .isEqualTo(service.get(run).message());
    }
}
