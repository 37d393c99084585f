package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.ExperimentServiceGrpc;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.RenewRunLeaseRequest;
import dev.labbook.api.v1.RenewRunLeaseResponse;
import dev.labbook.api.v1.ResumeRunRequest;
import dev.labbook.api.v1.ResumeRunResponse;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.RunStatusChange;
import dev.labbook.api.v1.StartRunRequest;
import dev.labbook.server.LabbookServer;
import dev.labbook.server.config.ArtifactConfig;
import dev.labbook.server.config.ServerConfig;
import dev.labbook.server.domain.RunLeases;
import dev.labbook.server.store.postgres.DatabaseEndpoint;
import dev.labbook.server.store.postgres.PostgresDatabase;
import dev.labbook.server.testing.SharedPostgres;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run leases on a server whose lease is 2 s (expiry pass every 400 ms): a RUNNING run nobody
 * renews becomes CRASHED with reason lease_expired; renewing keeps it RUNNING; a writer that
 * comes back (RenewRunLease, ResumeRun, StartRun) makes it RUNNING again; FinishRun and CancelRun
 * finish a CRASHED run; passes of several replicas at once crash a run once.
 */
class RunLeaseIT {
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static DatabaseEndpoint db;
    private static LabbookServer server;
    private static ManagedChannel channel;
    private static RunServiceGrpc.RunServiceBlockingStub runs;
    private static String experimentId;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        db = SharedPostgres.newDatabase("labbook_lease_it");
        server = LabbookServer.start(new ServerConfig("127.0.0.1", 0, Path.of("unused"), Optional.of(db.jdbcUrl()),
                db.user(), db.password(), 4, 0, 16 * 1024 * 1024, 0,
                new ArtifactConfig(Files.createDirectories(dir.resolve("artifacts")), Optional.empty(), 1L << 30, 0))
                .withRunLease(LEASE));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        runs = RunServiceGrpc.newBlockingStub(channel);
        experimentId = ExperimentServiceGrpc.newBlockingStub(channel).createExperiment(CreateExperimentRequest
                .newBuilder().setName("lease-" + UUID.randomUUID()).build()).getExperiment().getId();
    }

    @AfterAll
    static void stop() {
        channel.shutdownNow();
        server.close();
    }

    private static Run createRun() {
        return runs.createRun(CreateRunRequest.newBuilder().setExperimentId(experimentId).build()).getRun();
    }

    private static Run get(String runId) {
        return runs.getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
    }

    private static List<RunStatusChange> history(String runId) {
        return runs.getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getStatusHistoryList();
    }

    private static RenewRunLeaseResponse renew(String runId) {
        return runs.renewRunLease(RenewRunLeaseRequest.newBuilder().setRunId(runId).build());
    }

    /** Waits (up to 4 leases) until the run is CRASHED. */
    private static Run awaitCrashed(String runId) throws InterruptedException {
        long deadline = System.nanoTime() + LEASE.multipliedBy(4).toNanos();
        Run run = get(runId);
        while (run.getStatus() != RunStatus.RUN_STATUS_CRASHED && System.nanoTime() < deadline) {
            Thread.sleep(100);
            run = get(runId);
        }
        assertThat(run.getStatus()).as("status of a run nobody renews").isEqualTo(RunStatus.RUN_STATUS_CRASHED);
        return run;
    }

    @Test
    void aRunningRunNobodyRenewsBecomesCrashedWithTheReason() throws Exception {
        Run run = createRun();
        assertThat(run.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);

        Run crashed = awaitCrashed(run.getId());

        assertThat(crashed.getEndTimeMs()).isZero();
        RunStatusChange last = history(run.getId()).get(history(run.getId()).size() - 1);
        assertThat(last.getFromStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(last.getToStatus()).isEqualTo(RunStatus.RUN_STATUS_CRASHED);
        assertThat(last.getReason()).isEqualTo("lease_expired");
        assertThat(crashed.getEtag()).isNotEqualTo(run.getEtag());
    }

    @Test
    void renewingKeepsARunRunning() throws Exception {
        Run run = createRun();
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < end) {
            RenewRunLeaseResponse renewed = renew(run.getId());
            assertThat(renewed.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
            assertThat(renewed.getResumed()).isFalse();
            assertThat(renewed.getLeaseExpireTimeMs()).isGreaterThan(System.currentTimeMillis());
            Thread.sleep(LEASE.toMillis() / 3);
        }
        assertThat(get(run.getId()).getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(history(run.getId())).extracting(RunStatusChange::getReason).containsExactly("create");
    }

    @Test
    void aRenewalBringsACrashedRunBackToRunning() throws Exception {
        Run run = createRun();
        awaitCrashed(run.getId());

        RenewRunLeaseResponse renewed = renew(run.getId());

        assertThat(renewed.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(renewed.getResumed()).isTrue();
        Run back = get(run.getId());
        assertThat(back.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(back.getResumeCount()).isEqualTo(1);
        assertThat(history(run.getId())).extracting(RunStatusChange::getReason)
                .containsExactly("create", "lease_expired", "resume");
        // The fresh lease holds for a while, then the run crashes again unless renewed.
        awaitCrashed(run.getId());
    }

    @Test
    void resumeRunAndStartRunBringACrashedRunBackToRunning() throws Exception {
        Run run = createRun();
        awaitCrashed(run.getId());
        ResumeRunResponse resumed = runs.resumeRun(ResumeRunRequest.newBuilder().setRunId(run.getId()).build());
        assertThat(resumed.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(resumed.getResumed()).isTrue();

        awaitCrashed(run.getId());
        Run started = runs.startRun(StartRunRequest.newBuilder().setRunId(run.getId()).build()).getRun();
        assertThat(started.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(history(run.getId())).extracting(RunStatusChange::getReason)
                .containsExactly("create", "lease_expired", "resume", "lease_expired", "resume");
    }

    @Test
    void finishAndCancelWorkFromCrashed() throws Exception {
        Run completed = createRun();
        Run canceled = createRun();
        awaitCrashed(completed.getId());
        awaitCrashed(canceled.getId());

        Run finished = runs.finishRun(FinishRunRequest.newBuilder().setRunId(completed.getId())
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).build()).getRun();
        Run cancel = runs.cancelRun(CancelRunRequest.newBuilder().setRunId(canceled.getId()).build()).getRun();

        assertThat(finished.getStatus()).isEqualTo(RunStatus.RUN_STATUS_COMPLETED);
        assertThat(finished.getEndTimeMs()).isPositive();
        assertThat(cancel.getStatus()).isEqualTo(RunStatus.RUN_STATUS_CANCELED);
        RunStatusChange last = history(completed.getId()).get(2);
        assertThat(last.getFromStatus()).isEqualTo(RunStatus.RUN_STATUS_CRASHED);
        assertThat(last.getReason()).isEqualTo("finish");
        // A finished run is not renewed back to life, and no pass touches it.
        RenewRunLeaseResponse renewed = renew(completed.getId());
        assertThat(renewed.getStatus()).isEqualTo(RunStatus.RUN_STATUS_COMPLETED);
        assertThat(renewed.getLeaseExpireTimeMs()).isZero();
        Thread.sleep(LEASE.toMillis() + 500);
        assertThat(get(completed.getId()).getStatus()).isEqualTo(RunStatus.RUN_STATUS_COMPLETED);
    }

    @Test
    void passesOfSeveralReplicasAtOnceCrashEachRunOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ids.add(createRun().getId());
        }
        // Two "replicas": passes on their own connection pools, started together on runs that
        // all expired a moment ago (the server's own pass may join in too).
        try (PostgresDatabase replicaA = PostgresDatabase.open(db, 2);
                PostgresDatabase replicaB = PostgresDatabase.open(db, 2);
                Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password())) {
            RunLeases passA = new RunLeases(replicaA.trackingStore(), Clock.systemUTC());
            RunLeases passB = new RunLeases(replicaB.trackingStore(), Clock.systemUTC());
            try (PreparedStatement expire = c.prepareStatement(
                    "UPDATE run SET lease_expires_at = now() - interval '1 second' WHERE id = ANY (?)")) {
                expire.setArray(1, c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
                assertThat(expire.executeUpdate()).isEqualTo(ids.size());
            }
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                CountDownLatch go = new CountDownLatch(1);
                Callable<List<UUID>> a = () -> {
                    go.await();
                    return passA.expire();
                };
                Callable<List<UUID>> b = () -> {
                    go.await();
                    return passB.expire();
                };
                Future<List<UUID>> fa = pool.submit(a);
                Future<List<UUID>> fb = pool.submit(b);
                go.countDown();
                List<UUID> byA = fa.get();
                List<UUID> byB = fb.get();
                Set<UUID> both = new HashSet<>(byA);
                both.retainAll(byB);
                assertThat(both).as("runs crashed by both passes").isEmpty();
            } finally {
                pool.shutdownNow();
            }
            try (PreparedStatement count = c.prepareStatement("SELECT run_id, count(*) FROM run_status_change"
                    + " WHERE reason = 'LEASE_EXPIRED' AND run_id = ANY (?) GROUP BY run_id")) {
                count.setArray(1, c.createArrayOf("uuid", ids.stream().map(UUID::fromString).toArray()));
                ResultSet rs = count.executeQuery();
                Set<String> crashedOnce = new HashSet<>();
                while (rs.next()) {
                    assertThat(rs.getLong(2)).as("crash entries of run " + rs.getString(1)).isEqualTo(1);
                    crashedOnce.add(rs.getString(1));
                }
                assertThat(crashedOnce).containsAll(ids);
            }
        }
        for (String id : ids) {
            assertThat(get(id).getStatus()).isEqualTo(RunStatus.RUN_STATUS_CRASHED);
        }
    }
}
