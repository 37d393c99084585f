package dev.labbook.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat: an open run renews its lease in the background, so it stays RUNNING on a server
 * whose lease is 2 s; a run left without a status (attached, then closed), or a heartbeat that
 * stops, lets the server mark it CRASHED; {@code RunsApi.heartbeat} (what {@code labbook run} uses)
 * keeps a run alive without a {@link Run}.
 */
class RunLeaseIT {
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static RestartableServer server;

    @BeforeAll
    static void start() {
        server = new RestartableServer("sdk_run_lease", LEASE).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RunStatus status(LabbookClient client, String runId) {
        return client.runs().get(runId).status();
    }

    private static void awaitCrashed(LabbookClient client, String runId) throws InterruptedException {
        long deadline = System.nanoTime() + LEASE.multipliedBy(4).toNanos();
        while (status(client, runId) != RunStatus.CRASHED && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(status(client, runId)).isEqualTo(RunStatus.CRASHED);
        List<StatusChange> history = client.runs().details(runId).statusHistory();
        assertThat(history.get(history.size() - 1).reason()).isEqualTo("lease_expired");
    }

    @Test
    void anOpenRunStaysRunningAndAnAttachedRunClosedWithoutAStatusCrashes() throws Exception {
        try (Labbook lb = Labbook.connect(server.target())) {
            LabbookClient client = lb.client();
            String runId;
            try (Run run = lb.experiment("lease").startRun("alive")) {
                runId = run.id();
                for (int i = 0; i < 50; i++) {
                    run.logMetric("loss", i);
                    Thread.sleep(100);
                }
                assertThat(status(client, runId)).isEqualTo(RunStatus.RUNNING); // 5 s: 2.5 leases
            }
            assertThat(status(client, runId)).isEqualTo(RunStatus.COMPLETED);

            String attachedId = client.runs().create(NewRun.in("lease").withProject("default")
                    .withName("attached"), false).id();
            try (Run attached = lb.attach(attachedId)) {
                Thread.sleep(LEASE.toMillis() * 2 + 500);
                assertThat(status(client, attachedId)).isEqualTo(RunStatus.RUNNING);
            }
            // closed without a status (it belongs to someone else): nobody renews any more
            awaitCrashed(client, attachedId);

            // its writer comes back: RUNNING again
            try (Run back = lb.attach(attachedId)) {
                long deadline = System.nanoTime() + LEASE.toNanos() * 2;
                while (status(client, attachedId) != RunStatus.RUNNING && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(status(client, attachedId)).isEqualTo(RunStatus.RUNNING);
            }
            client.runs().finish(attachedId, RunStatus.FAILED); // FinishRun from CRASHED or RUNNING
        }
    }

    @Test
    void aHeartbeatKeepsARunAliveUntilClosed() throws Exception {
        try (LabbookClient client = LabbookClient.connect(server.target())) {
            String runId = client.runs().create(NewRun.in("lease").withProject("default").withName("cli"), false).id();
            try (RunsApi.Heartbeat heartbeat = client.runs().heartbeat(runId)) {
                Thread.sleep(LEASE.toMillis() * 2 + 500);
                assertThat(status(client, runId)).isEqualTo(RunStatus.RUNNING);
            }
            awaitCrashed(client, runId);
            assertThat(client.runs().renewLease(runId)).isPositive();
            assertThat(status(client, runId)).isEqualTo(RunStatus.RUNNING);
            client.runs().cancel(runId);
        }
    }
}
