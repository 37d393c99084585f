package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.SetRunTagsRequest;
import dev.labbook.api.v1.StartRunRequest;
import dev.labbook.api.v1.WatchRunRequest;
import dev.labbook.api.v1.WatchRunResponse;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.StreamEvents;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** WatchRun: a live view of a run until it finishes. */
@ExtendWith(LabbookServerExtension.class)
class WatchRunIT {

    private static Run open(TestServer server) {
        return server.runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true).setExperimentName("watched")
                .setName("r-" + UUID.randomUUID()).build()).getRun();
    }

    @Test
    void sendsTheStateThenEachChangeAndCompletesWhenTheRunFinishes(TestServer server) throws Exception {
        Run run = open(server);
        BlockingQueue<Object> events = watch(server, run.getId());

        assertThat(((Run) events.poll(10, TimeUnit.SECONDS)).getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        server.runs().setRunTags(SetRunTagsRequest.newBuilder().setRunId(run.getId()).putTags("phase", "eval")
                .build());
        Run tagged = (Run) events.poll(10, TimeUnit.SECONDS);
        assertThat(tagged.getTagsMap()).containsEntry("phase", "eval");

        server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(run.getId()).setStatus(RunStatus.RUN_STATUS_COMPLETED).build());
        Run finished = (Run) events.poll(10, TimeUnit.SECONDS);
        assertThat(finished.getStatus()).isEqualTo(RunStatus.RUN_STATUS_COMPLETED);
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void aQueuedRunIsWatchedUntilItStartsAndFinishes(TestServer server) throws Exception {
        String exp = server.runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true)
                .setExperimentName("watched").setName("anchor").build()).getRun().getExperimentId();
        Run queued = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).setName("job")
                .setInitialStatus(RunStatus.RUN_STATUS_QUEUED).build()).getRun();
        BlockingQueue<Object> events = watch(server, queued.getId());

        assertThat(((Run) events.poll(10, TimeUnit.SECONDS)).getStatus()).isEqualTo(RunStatus.RUN_STATUS_QUEUED);
        // A queued run is not finished: the watch stays open through a few polls.
        assertThat(events.poll(1200, TimeUnit.MILLISECONDS)).isNull();

        server.runs().startRun(StartRunRequest.newBuilder().setRunId(queued.getId()).build());
        Run started = (Run) events.poll(10, TimeUnit.SECONDS);
        assertThat(started.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(started.getStartTimeMs()).isPositive();

        server.runs().cancelRun(CancelRunRequest.newBuilder().setRunId(queued.getId()).build());
        assertThat(((Run) events.poll(10, TimeUnit.SECONDS)).getStatus()).isEqualTo(RunStatus.RUN_STATUS_CANCELED);
        assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    /** Watches a run; the queue receives each Run, then "completed" or the error. */
    private static BlockingQueue<Object> watch(TestServer server, String runId) {
        StreamEvents<WatchRunResponse> events = StreamEvents.of(WatchRunResponse::getRun);
        RunServiceGrpc.newStub(server.channel()).watchRun(WatchRunRequest.newBuilder().setRunId(runId).build(), events);
        return events.events();
    }

    @Test
    void aFinishedRunIsSentOnceAndTheStreamEnds(TestServer server) {
        Run run = open(server);
        server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(run.getId()).setStatus(RunStatus.RUN_STATUS_FAILED).build());

        Iterator<WatchRunResponse> stream = server.runs().watchRun(WatchRunRequest.newBuilder()
                .setRunId(run.getId()).build());

        assertThat(stream.next().getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_FAILED);
        assertThat(stream.hasNext()).isFalse();
    }

    @Test
    void unknownAndMalformedRuns(TestServer server) {
        assertStatus(Code.NOT_FOUND, () -> server.runs().watchRun(WatchRunRequest.newBuilder()
                .setRunId(UUID.randomUUID().toString()).build()).hasNext());
        assertStatus(Code.INVALID_ARGUMENT, () -> server.runs().watchRun(WatchRunRequest.newBuilder()
                .setRunId("nope").build()).hasNext());
    }
}
