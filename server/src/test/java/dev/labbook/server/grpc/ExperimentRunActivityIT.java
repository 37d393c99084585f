package dev.labbook.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.Experiment;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.LifecycleFilter;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListExperimentsResponse;
import dev.labbook.api.v1.RestoreExperimentRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.SetExperimentTagsRequest;
import dev.labbook.api.v1.UpdateExperimentRequest;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.TestServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Experiment.run_count (runs not soft-deleted) and last_run_update_time_ms (the latest update of
 * any of its runs, deleted ones included), in every response that carries an experiment.
 */
@ExtendWith(LabbookServerExtension.class)
class ExperimentRunActivityIT {

    @Test
    void anExperimentWithoutRunsHasNoActivity(TestServer server) {
        Experiment e = create(server, "quiet", "empty");

        assertThat(e.getRunCount()).isZero();
        assertThat(e.getLastRunUpdateTimeMs()).isZero();
        assertThat(get(server, e.getId())).isEqualTo(e);
        assertThat(server.experiments().listExperiments(ListExperimentsRequest.newBuilder().setProject("quiet")
                .build()).getExperimentsList()).containsExactly(e);
    }

    @Test
    void countsExcludeDeletedRunsAndLastActivityFollowsEveryRunChange(TestServer server) throws Exception {
        Experiment e = create(server, "", "busy");
        Run r1 = createRun(server, e, "r1");
        Run r2 = createRun(server, e, "r2");
        Run r3 = createRun(server, e, "r3");

        Experiment three = get(server, e.getId());
        assertThat(three.getRunCount()).isEqualTo(3);
        assertThat(three.getLastRunUpdateTimeMs()).isEqualTo(latest(r1, r2, r3));

        Thread.sleep(5);
        Run deleted = server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(r2.getId()).build()).getRun();
        Experiment two = get(server, e.getId());
        assertThat(two.getRunCount()).isEqualTo(2);
        // Deleting a run is activity too: the deleted run still counts for the last update.
        assertThat(two.getLastRunUpdateTimeMs()).isEqualTo(deleted.getUpdateTimeMs())
                .isGreaterThan(three.getLastRunUpdateTimeMs());

        Thread.sleep(5);
        Run finished = server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(r1.getId())
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).build()).getRun();
        Experiment afterFinish = get(server, e.getId());
        assertThat(afterFinish.getRunCount()).isEqualTo(2);
        assertThat(afterFinish.getLastRunUpdateTimeMs()).isEqualTo(finished.getUpdateTimeMs())
                .isGreaterThan(two.getLastRunUpdateTimeMs());
        // The experiment itself did not change: only its runs did.
        assertThat(afterFinish.getUpdateTimeMs()).isEqualTo(e.getUpdateTimeMs());
        assertThat(afterFinish.getEtag()).isEqualTo(e.getEtag());
    }

    @Test
    void everyResponseWithAnExperimentCarriesItsRunActivity(TestServer server) {
        Experiment e = create(server, "carried", "all-calls");
        createRun(server, e, "a");
        Run b = createRun(server, e, "b");
        Run deleted = server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(b.getId()).build()).getRun();
        long last = deleted.getUpdateTimeMs();

        var existing = server.experiments().createExperiment(CreateExperimentRequest.newBuilder()
                .setProject("carried").setName("ALL-CALLS").setReturnExisting(true).build());
        assertThat(existing.getCreated()).isFalse();
        List<Experiment> answers = new ArrayList<>();
        answers.add(existing.getExperiment());
        answers.add(get(server, e.getId()));
        answers.add(server.experiments().getExperiment(GetExperimentRequest.newBuilder().setProject("carried")
                .setName("all-calls").build()).getExperiment());
        answers.add(server.experiments().updateExperiment(UpdateExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).setUpdateMask(FieldMask.newBuilder().addPaths("description"))
                .setDescription("changed").build()).getExperiment());
        answers.add(server.experiments().setExperimentTags(SetExperimentTagsRequest.newBuilder()
                .setExperimentId(e.getId()).putTags("k", "v").build()).getExperiment());
        answers.add(server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).build()).getExperiment());
        answers.addAll(server.experiments().listExperiments(ListExperimentsRequest.newBuilder().setProject("carried")
                .setLifecycle(LifecycleFilter.LIFECYCLE_FILTER_DELETED).build()).getExperimentsList());
        answers.add(server.experiments().restoreExperiment(RestoreExperimentRequest.newBuilder()
                .setExperimentId(e.getId()).build()).getExperiment());
        answers.addAll(server.experiments().listExperiments(ListExperimentsRequest.newBuilder().setProject("carried")
                .build()).getExperimentsList());

        assertThat(answers).hasSize(9).allSatisfy(answer -> {
            assertThat(answer.getId()).isEqualTo(e.getId());
            assertThat(answer.getRunCount()).isEqualTo(1);
            assertThat(answer.getLastRunUpdateTimeMs()).isEqualTo(last);
        });
    }

    @Test
    void aPageOfFiftyExperimentsCarriesEachOnesNumbers(TestServer server) {
        Map<String, Long> expectedCount = new HashMap<>();
        Map<String, Long> expectedLast = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            Experiment e = create(server, "many", "exp-" + i);
            long count = 0;
            long last = 0;
            for (int r = 0; r < i % 5; r++) {
                Run run = createRun(server, e, "run-" + r);
                count++;
                last = Math.max(last, run.getUpdateTimeMs());
            }
            if (i % 5 >= 2 && i % 3 == 0) {
                Run gone = createRun(server, e, "deleted");
                gone = server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(gone.getId()).build()).getRun();
                last = Math.max(last, gone.getUpdateTimeMs());
            }
            expectedCount.put(e.getId(), count);
            expectedLast.put(e.getId(), last);
        }
        // Runs of another project's experiment must not leak into this page.
        createRun(server, create(server, "elsewhere", "exp-0"), "noise");

        ListExperimentsResponse page = server.experiments().listExperiments(ListExperimentsRequest.newBuilder()
                .setProject("many").setPageSize(50).build());

        assertThat(page.getExperimentsList()).hasSize(50);
        assertThat(page.getNextPageToken()).isEmpty();
        for (Experiment e : page.getExperimentsList()) {
            assertThat(e.getRunCount()).as(e.getName()).isEqualTo(expectedCount.get(e.getId()));
            assertThat(e.getLastRunUpdateTimeMs()).as(e.getName()).isEqualTo(expectedLast.get(e.getId()));
        }
        assertThat(page.getExperimentsList().stream().mapToLong(Experiment::getRunCount).sum()).isEqualTo(100);

        // Smaller pages give every experiment the same numbers.
        List<Experiment> paged = new ArrayList<>();
        String token = "";
        do {
            ListExperimentsResponse p = server.experiments().listExperiments(ListExperimentsRequest.newBuilder()
                    .setProject("many").setPageSize(15).setPageToken(token).build());
            paged.addAll(p.getExperimentsList());
            token = p.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(paged).isEqualTo(page.getExperimentsList());
    }

    private static Experiment create(TestServer server, String project, String name) {
        return server.experiments().createExperiment(CreateExperimentRequest.newBuilder()
                .setProject(project).setName(name).build()).getExperiment();
    }

    private static Run createRun(TestServer server, Experiment experiment, String name) {
        return server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experiment.getId())
                .setName(name).build()).getRun();
    }

    private static Experiment get(TestServer server, String id) {
        return server.experiments().getExperiment(GetExperimentRequest.newBuilder().setExperimentId(id).build())
                .getExperiment();
    }

    private static long latest(Run... runs) {
        long latest = 0;
        for (Run run : runs) {
            latest = Math.max(latest, run.getUpdateTimeMs());
        }
        return latest;
    }
}
