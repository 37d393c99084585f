package dev.labbook.server.grpc;

import static dev.labbook.server.testing.GrpcAssertions.assertInvalidField;
import static dev.labbook.server.testing.GrpcAssertions.assertReason;
import static dev.labbook.server.testing.GrpcAssertions.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.OpenRunResponse;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.CreateRunRequest;
import dev.labbook.api.v1.CreateRunResponse;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.GetRunResponse;
import dev.labbook.api.v1.LifecycleFilter;
import dev.labbook.api.v1.ListRunsRequest;
import dev.labbook.api.v1.ListRunsResponse;
import dev.labbook.api.v1.LogParamsRequest;
import dev.labbook.api.v1.Param;
import dev.labbook.api.v1.PurgeRunRequest;
import dev.labbook.api.v1.RestoreRunRequest;
import dev.labbook.api.v1.ResumeRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunServiceGrpc.RunServiceBlockingStub;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.RunStatusChange;
import dev.labbook.api.v1.SetRunTagsRequest;
import dev.labbook.api.v1.SourceInfo;
import dev.labbook.api.v1.UpdateRunRequest;
import dev.labbook.api.v1.Value;
import dev.labbook.server.testing.LabbookServerExtension;
import dev.labbook.server.testing.RunLifecycle;
import dev.labbook.server.testing.TestServer;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LabbookServerExtension.class)
class RunServiceIT {

    private static String experiment(TestServer server, String name) {
        return server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setName(name).build())
                .getExperiment().getId();
    }

    private static Run create(TestServer server, String experimentId, String name) {
        return server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experimentId).setName(name)
                .build()).getRun();
    }

    /** OpenRun, the upsert: creates the run or resumes the one of that name. */
    private static Run upsert(TestServer server, String experimentId, String name) {
        return server.runs().openRun(OpenRunRequest.newBuilder().setExperimentId(experimentId).setName(name).build())
                .getRun();
    }

    private static GetRunResponse get(TestServer server, String runId) {
        return server.runs().getRun(GetRunRequest.newBuilder().setRunId(runId).build());
    }

    private static Run setStatus(TestServer server, String runId, RunStatus status) {
        return RunLifecycle.finish(server, runId, status);
    }

    private static Param param(String key, Value value) {
        return Param.newBuilder().setKey(key).setValue(value).build();
    }

    @Test
    void createsARunningRunWithSourceTagsAndParams(TestServer server) {
        String exp = experiment(server, "train");
        CreateRunResponse response = server.runs().createRun(CreateRunRequest.newBuilder()
                .setExperimentId(exp).setName("baseline").setDescription("first try").putTags("model", "resnet")
                .setSource(SourceInfo.newBuilder().setScript("train.py").addArgs("--lr").addArgs("0.1")
                        .setGitCommit("0123abcd").setGitDirty(true).setHost("pod-1").setWorkingDir("/work"))
                .addParams(param("lr", Value.newBuilder().setDoubleValue(0.1).build()))
                .build());

        Run run = response.getRun();
        assertThat(run.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(run.getExperimentId()).isEqualTo(exp);
        assertThat(run.getStartTimeMs()).isPositive();
        assertThat(run.getEndTimeMs()).isZero();
        assertThat(run.getSource().getArgsList()).containsExactly("--lr", "0.1");
        assertThat(run.getSource().getGitDirty()).isTrue();
        assertThat(run.getTagsMap()).containsExactly(Map.entry("model", "resnet"));
        assertThat(run.getParamsList()).containsExactly(param("lr", Value.newBuilder().setDoubleValue(0.1).build()));

        GetRunResponse stored = get(server, run.getId());
        assertThat(stored.getRun()).isEqualTo(run);
        assertThat(stored.getStatusHistoryList()).extracting(RunStatusChange::getReason).containsExactly("create");
    }

    @Test
    void createByExperimentNameCreatesTheExperimentOnce(TestServer server) {
        Run a = server.runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true).setProject("nlp")
                .setExperimentName("bert").setName("a").build()).getRun();
        Run b = server.runs().openRun(OpenRunRequest.newBuilder().setCreateExperimentIfMissing(true).setProject("nlp")
                .setExperimentName("BERT").setName("b").build()).getRun();

        assertThat(a.getExperimentId()).isEqualTo(b.getExperimentId());
        assertThat(server.experiments().getExperiment(GetExperimentRequest.newBuilder().setProject("nlp")
                .setName("bert").build()).getExperiment().getId()).isEqualTo(a.getExperimentId());
    }

    @Test
    void runsWithoutANameGetAUniqueGeneratedOne(TestServer server) {
        String exp = experiment(server, "e");
        Run a = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).build()).getRun();
        Run b = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).build()).getRun();
        assertThat(a.getName()).startsWith("run-").isNotEqualTo(b.getName());
    }

    @Test
    void openingAnExistingNameResumesItAndRecordsTheResume(TestServer server) {
        String exp = experiment(server, "e");
        Run first = create(server, exp, "nightly");
        setStatus(server, first.getId(), RunStatus.RUN_STATUS_COMPLETED);

        OpenRunResponse again = server.runs().openRun(OpenRunRequest.newBuilder().setExperimentId(exp)
                .setName("NIGHTLY").putTags("attempt", "2")
                .addParams(param("epochs", Value.newBuilder().setIntValue(20).build())).build());

        assertThat(again.getResumed()).isTrue();
        Run resumed = again.getRun();
        assertThat(resumed.getId()).isEqualTo(first.getId());
        assertThat(resumed.getName()).isEqualTo("nightly");
        assertThat(resumed.getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(resumed.getEndTimeMs()).isZero();
        assertThat(resumed.getResumeCount()).isEqualTo(1);
        assertThat(resumed.getStartTimeMs()).isEqualTo(first.getStartTimeMs());
        assertThat(resumed.getTagsMap()).containsEntry("attempt", "2");
        assertThat(resumed.getParamsList()).extracting(Param::getKey).containsExactly("epochs");
        assertThat(get(server, first.getId()).getStatusHistoryList())
                .extracting(c -> c.getReason() + ":" + c.getFromStatus() + "->" + c.getToStatus())
                .containsExactly(
                        "create:RUN_STATUS_UNSPECIFIED->RUN_STATUS_RUNNING",
                        "finish:RUN_STATUS_RUNNING->RUN_STATUS_COMPLETED",
                        "resume:RUN_STATUS_COMPLETED->RUN_STATUS_RUNNING");
    }

    @Test
    void concurrentOpensOfOneNameYieldOneRun(TestServer server) throws Exception {
        String exp = experiment(server, "race");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<OpenRunResponse>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                Callable<OpenRunResponse> call = () -> server.runs().openRun(OpenRunRequest.newBuilder()
                        .setExperimentId(exp).setName("shared").build());
                futures.add(pool.submit(call));
            }
            List<OpenRunResponse> responses = new ArrayList<>();
            for (Future<OpenRunResponse> f : futures) {
                responses.add(f.get());
            }
            assertThat(responses).extracting(r -> r.getRun().getId()).containsOnly(responses.get(0).getRun().getId());
            assertThat(responses).filteredOn(r -> !r.getResumed()).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void resumeRunReopensAFinishedRunById(TestServer server) {
        String exp = experiment(server, "e");
        Run run = create(server, exp, "r");
        assertThat(server.runs().resumeRun(ResumeRunRequest.newBuilder().setRunId(run.getId()).build())
                .getResumed()).isFalse();
        setStatus(server, run.getId(), RunStatus.RUN_STATUS_CANCELED);

        var resumed = server.runs().resumeRun(ResumeRunRequest.newBuilder().setRunId(run.getId()).build());

        assertThat(resumed.getResumed()).isTrue();
        assertThat(resumed.getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
        assertThat(resumed.getRun().getResumeCount()).isEqualTo(1);
        assertThat(get(server, run.getId()).getRun()).isEqualTo(resumed.getRun());
    }

    @Test
    void updateSetsDescriptionAndExplicitEndTime(TestServer server) {
        Run run = create(server, experiment(server, "e"), "r");
        long end = run.getStartTimeMs() + 5_000;

        Run finished = server.runs().finishRun(FinishRunRequest.newBuilder().setRunId(run.getId())
                .setStatus(RunStatus.RUN_STATUS_COMPLETED).setEndTimeMs(end).build()).getRun();
        Run updated = server.runs().updateRun(UpdateRunRequest.newBuilder().setRunId(run.getId())
                .setUpdateMask(FieldMask.newBuilder().addPaths("description"))
                .setDescription("done").build()).getRun();

        assertThat(finished.getEndTimeMs()).isEqualTo(end);
        assertThat(updated.getEndTimeMs()).isEqualTo(end);
        assertThat(updated.getDescription()).isEqualTo("done");
        Run other = create(server, run.getExperimentId(), "other");
        assertInvalidField("end_time_ms", () -> server.runs().finishRun(FinishRunRequest.newBuilder()
                .setRunId(other.getId()).setStatus(RunStatus.RUN_STATUS_COMPLETED).setEndTimeMs(1).build()));
        assertThat(get(server, other.getId()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
    }

    @Test
    void paramsKeepTheirTypesAndLoggingAgainOverwrites(TestServer server) {
        Run run = create(server, experiment(server, "e"), "r");
        String big = "x".repeat(64 * 1024);
        List<Param> params = List.of(
                param("optimizer", Value.newBuilder().setStringValue("adam").build()),
                param("epochs", Value.newBuilder().setIntValue(Long.MAX_VALUE).build()),
                param("lr", Value.newBuilder().setDoubleValue(1e-3).build()),
                param("nan", Value.newBuilder().setDoubleValue(Double.NaN).build()),
                param("neg_inf", Value.newBuilder().setDoubleValue(Double.NEGATIVE_INFINITY).build()),
                param("tiny", Value.newBuilder().setDoubleValue(Double.MIN_VALUE).build()),
                param("amp", Value.newBuilder().setBoolValue(true).build()),
                param("config", Value.newBuilder().setStringValue(big).build()),
                param("unicode", Value.newBuilder().setStringValue("λ = 0.5 ✓").build()));

        assertThat(server.runs().logParams(LogParamsRequest.newBuilder().setRunId(run.getId()).addAllParams(params)
                .build()).getWritten()).isEqualTo(params.size());
        Map<String, Value> stored = new java.util.HashMap<>();
        get(server, run.getId()).getRun().getParamsList().forEach(p -> stored.put(p.getKey(), p.getValue()));
        params.forEach(p -> assertThat(stored.get(p.getKey())).as(p.getKey()).isEqualTo(p.getValue()));
        assertThat(get(server, run.getId()).getRun().getParamsList()).extracting(Param::getKey).isSorted();

        server.runs().logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(param("lr", Value.newBuilder().setStringValue("cosine").build())).build());
        assertThat(get(server, run.getId()).getRun().getParamsList()).filteredOn(p -> p.getKey().equals("lr"))
                .extracting(Param::getValue).containsExactly(Value.newBuilder().setStringValue("cosine").build());
        assertThat(get(server, run.getId()).getRun().getParamsCount()).isEqualTo(params.size());
    }

    @Test
    void refuseChangesRefusesAnotherValueStoresNothingAndAcceptsTheSameValue(TestServer server) {
        Run run = create(server, experiment(server, "e"), "r");
        RunServiceBlockingStub runs = server.runs();
        runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(param("lr", Value.newBuilder().setStringValue("0.01").build()))
                .addParams(param("epochs", Value.newBuilder().setIntValue(10).build())).build());
        List<Param> before = get(server, run.getId()).getRun().getParamsList();

        var refused = assertReason(Code.FAILED_PRECONDITION, "PARAM_VALUE_CHANGED",
                () -> runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId()).setRefuseChanges(true)
                        .addParams(param("lr", Value.newBuilder().setStringValue("0.02").build()))
                        .addParams(param("new", Value.newBuilder().setStringValue("x").build())).build()));
        assertThat(refused.getStatus().getDescription()).isEqualTo("params[0]: changing param values is not "
                + "allowed: param 'lr' was already logged with value '0.01'; attempted '0.02'");
        refused = assertReason(Code.FAILED_PRECONDITION, "PARAM_VALUE_CHANGED",
                () -> runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId()).setRefuseChanges(true)
                        .addParams(param("new", Value.newBuilder().setStringValue("x").build()))
                        .addParams(param("epochs", Value.newBuilder().setIntValue(11).build())).build()));
        assertThat(refused.getStatus().getDescription()).startsWith("params[1]: ")
                .endsWith("param 'epochs' was already logged with value '10'; attempted '11'");
        assertThat(get(server, run.getId()).getRun().getParamsList()).isEqualTo(before);

        // The same value (compared as text, whatever its type) is accepted; new keys are stored.
        assertThat(runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId()).setRefuseChanges(true)
                .addParams(param("lr", Value.newBuilder().setStringValue("0.01").build()))
                .addParams(param("epochs", Value.newBuilder().setStringValue("10").build()))
                .addParams(param("new", Value.newBuilder().setStringValue("x").build())).build()).getWritten())
                .isEqualTo(3);
        Map<String, Value> stored = new java.util.HashMap<>();
        get(server, run.getId()).getRun().getParamsList().forEach(p -> stored.put(p.getKey(), p.getValue()));
        assertThat(stored).containsOnly(Map.entry("lr", Value.newBuilder().setStringValue("0.01").build()),
                Map.entry("epochs", Value.newBuilder().setIntValue(10).build()),
                Map.entry("new", Value.newBuilder().setStringValue("x").build()));

        // Without refuse_changes a value is still overwritten.
        runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(param("lr", Value.newBuilder().setStringValue("0.02").build())).build());
        assertThat(get(server, run.getId()).getRun().getParamsList()).filteredOn(p -> p.getKey().equals("lr"))
                .extracting(Param::getValue).containsExactly(Value.newBuilder().setStringValue("0.02").build());
    }

    @Test
    void badParamsAreRefusedNamingTheFieldAndNoneOfTheBatchIsStored(TestServer server) {
        Run run = create(server, experiment(server, "e"), "r");
        RunServiceBlockingStub runs = server.runs();
        Param ok = param("ok", Value.newBuilder().setIntValue(1).build());

        assertInvalidField("params[1].value", () -> runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(ok).addParams(Param.newBuilder().setKey("novalue")).build()));
        assertInvalidField("params[1].value", () -> runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(ok).addParams(param("huge", Value.newBuilder()
                        .setStringValue("y".repeat(256 * 1024 + 1)).build())).build()));
        assertInvalidField("params[1].key", () -> runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(ok).addParams(ok).build()));
        assertInvalidField("params[0].key", () -> runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(param("bad key!", Value.newBuilder().setIntValue(1).build())).build()));
        assertInvalidField("params[0].key", () -> runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(param("k".repeat(251), Value.newBuilder().setIntValue(1).build())).build()));
        assertInvalidField("params", () -> runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId()).build()));

        assertThat(get(server, run.getId()).getRun().getParamsList()).isEmpty();
        assertThat(runs.logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(param("edge", Value.newBuilder().setStringValue("y".repeat(256 * 1024)).build()))
                .build()).getWritten()).isEqualTo(1);
    }

    @Test
    void tagsAreSetOverwrittenAndRemoved(TestServer server) {
        Run run = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experiment(server, "e"))
                .putTags("a", "1").putTags("b", "2").build()).getRun();

        Map<String, String> tags = server.runs().setRunTags(SetRunTagsRequest.newBuilder().setRunId(run.getId())
                .putTags("a", "one").putTags("c", "3").addRemoveKeys("b").addRemoveKeys("absent").build())
                .getTagsMap();

        assertThat(tags).containsExactlyInAnyOrderEntriesOf(Map.of("a", "one", "c", "3"));
        assertThat(get(server, run.getId()).getRun().getTagsMap()).isEqualTo(tags);
        assertInvalidField("remove_keys[0]", () -> server.runs().setRunTags(SetRunTagsRequest.newBuilder()
                .setRunId(run.getId()).putTags("a", "x").addRemoveKeys("a").build()));
        assertInvalidField("tags[a]", () -> server.runs().setRunTags(SetRunTagsRequest.newBuilder()
                .setRunId(run.getId()).putTags("a", "v".repeat(8 * 1024 + 1)).build()));
        assertThat(get(server, run.getId()).getRun().getTagsMap()).isEqualTo(tags);
    }

    @Test
    void childRunsLiveInTheirParentsExperiment(TestServer server) {
        String exp = experiment(server, "sweep");
        Run parent = create(server, exp, "sweep-parent");
        for (int i = 0; i < 3; i++) {
            server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).setName("trial-" + i)
                    .setParentRunId(parent.getId()).build());
        }
        create(server, exp, "unrelated");

        ListRunsResponse children = server.runs().listRuns(ListRunsRequest.newBuilder().setExperimentId(exp)
                .setParentRunId(parent.getId()).build());
        assertThat(children.getRunsList()).extracting(Run::getName).containsExactly("trial-2", "trial-1", "trial-0");
        assertThat(children.getRunsList()).extracting(Run::getParentRunId).containsOnly(parent.getId());

        String otherExp = experiment(server, "other");
        assertStatus(Code.FAILED_PRECONDITION, () -> server.runs().createRun(CreateRunRequest.newBuilder()
                .setExperimentId(otherExp).setName("x").setParentRunId(parent.getId()).build()));
        assertStatus(Code.NOT_FOUND, () -> server.runs().createRun(CreateRunRequest.newBuilder()
                .setExperimentId(exp).setName("x").setParentRunId(UUID.randomUUID().toString()).build()));
    }

    @Test
    void listsRunsNewestFirstInPages(TestServer server) {
        String exp = experiment(server, "e");
        for (int i = 0; i < 5; i++) {
            create(server, exp, "r" + i);
        }
        List<String> names = new ArrayList<>();
        String token = "";
        do {
            ListRunsResponse page = server.runs().listRuns(ListRunsRequest.newBuilder().setExperimentId(exp)
                    .setPageSize(2).setPageToken(token).build());
            page.getRunsList().forEach(r -> names.add(r.getName()));
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        assertThat(names).containsExactly("r4", "r3", "r2", "r1", "r0");
        assertStatus(Code.NOT_FOUND, () -> server.runs().listRuns(ListRunsRequest.newBuilder()
                .setExperimentId(UUID.randomUUID().toString()).build()));
    }

    @Test
    void deletedRunsRefuseWritesUntilRestoredAndPurgeTakesTheirChildren(TestServer server) {
        String exp = experiment(server, "e");
        Run parent = create(server, exp, "parent");
        Run child = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).setName("child")
                .setParentRunId(parent.getId()).build()).getRun();

        assertStatus(Code.FAILED_PRECONDITION, () -> server.runs().purgeRun(PurgeRunRequest.newBuilder()
                .setRunId(parent.getId()).build()));
        Run deleted = server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(parent.getId()).build()).getRun();
        assertThat(deleted.getDeleted()).isTrue();
        assertThat(server.runs().listRuns(ListRunsRequest.newBuilder().setExperimentId(exp).build()).getRunsList())
                .extracting(Run::getName).containsExactly("child");
        assertThat(server.runs().listRuns(ListRunsRequest.newBuilder().setExperimentId(exp)
                .setLifecycle(LifecycleFilter.LIFECYCLE_FILTER_DELETED).build()).getRunsList())
                .extracting(Run::getName).containsExactly("parent");
        assertStatus(Code.FAILED_PRECONDITION, () -> server.runs().logParams(LogParamsRequest.newBuilder()
                .setRunId(parent.getId()).addParams(param("a", Value.newBuilder().setIntValue(1).build())).build()));
        assertReason(Code.FAILED_PRECONDITION, "RUN_DELETED", () -> upsert(server, exp, "parent"));
        assertReason(Code.ALREADY_EXISTS, "RUN_ALREADY_EXISTS", () -> create(server, exp, "parent"));
        assertReason(Code.FAILED_PRECONDITION, "RUN_DELETED",
                () -> setStatus(server, parent.getId(), RunStatus.RUN_STATUS_COMPLETED));

        server.runs().restoreRun(RestoreRunRequest.newBuilder().setRunId(parent.getId()).build());
        assertThat(setStatus(server, parent.getId(), RunStatus.RUN_STATUS_COMPLETED).getStatus())
                .isEqualTo(RunStatus.RUN_STATUS_COMPLETED);

        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(parent.getId()).build());
        assertThat(server.runs().purgeRun(PurgeRunRequest.newBuilder().setRunId(parent.getId()).build())
                .getPurgedRuns()).isEqualTo(2);
        assertStatus(Code.NOT_FOUND, () -> get(server, child.getId()));
        assertThat(create(server, exp, "parent").getId()).isNotEqualTo(parent.getId());
    }

    @Test
    void runsOfADeletedExperimentRefuseWrites(TestServer server) {
        String exp = experiment(server, "e");
        Run run = create(server, exp, "r");
        server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder().setExperimentId(exp).build());

        assertReason(Code.FAILED_PRECONDITION, "EXPERIMENT_DELETED", () -> create(server, exp, "new"));
        assertReason(Code.FAILED_PRECONDITION, "EXPERIMENT_DELETED", () -> server.runs().openRun(OpenRunRequest
                .newBuilder().setCreateExperimentIfMissing(true).setExperimentName("e").setName("new").build()));
        assertReason(Code.FAILED_PRECONDITION, "EXPERIMENT_DELETED",
                () -> setStatus(server, run.getId(), RunStatus.RUN_STATUS_COMPLETED));
        assertThat(get(server, run.getId()).getRun().getStatus()).isEqualTo(RunStatus.RUN_STATUS_RUNNING);
    }

    @Test
    void badRunRequestsNameTheField(TestServer server) {
        String exp = experiment(server, "e");
        RunServiceBlockingStub runs = server.runs();
        assertInvalidField("experiment_id", () -> runs.createRun(CreateRunRequest.newBuilder().setName("r").build()));
        assertInvalidField("experiment_id", () -> runs.createRun(CreateRunRequest.newBuilder()
                .setExperimentId("nope").build()));
        assertStatus(Code.NOT_FOUND, () -> runs.createRun(CreateRunRequest.newBuilder()
                .setExperimentId(UUID.randomUUID().toString()).build()));
        assertInvalidField("name", () -> create(server, exp, "tab\tname"));
        assertInvalidField("name", () -> create(server, exp, "n".repeat(257)));
        assertInvalidField("source.git_commit", () -> runs.createRun(CreateRunRequest.newBuilder()
                .setExperimentId(exp).setSource(SourceInfo.newBuilder().setGitCommit("not-a-hash")).build()));
        assertInvalidField("run_id", () -> runs.getRun(GetRunRequest.newBuilder().setRunId("../etc").build()));
        assertInvalidField("run_id", () -> runs.getRun(GetRunRequest.getDefaultInstance()));
        assertStatus(Code.NOT_FOUND, () -> runs.getRun(GetRunRequest.newBuilder()
                .setRunId(UUID.randomUUID().toString()).build()));
        assertInvalidField("update_mask.paths[0]", () -> runs.updateRun(UpdateRunRequest.newBuilder()
                .setRunId(UUID.randomUUID().toString()).setUpdateMask(FieldMask.newBuilder().addPaths("status"))
                .build()));
        assertThat(runs.listRuns(ListRunsRequest.newBuilder().setExperimentId(exp)
                .setLifecycle(LifecycleFilter.LIFECYCLE_FILTER_ALL).build()).getRunsList()).isEmpty();
    }

    // ---- CreateRun only creates ----

    @Test
    void createRefusesATakenNameAlsoOfADeletedRunAndCaseInsensitively(TestServer server) {
        String exp = experiment(server, "e");
        Run first = create(server, exp, "baseline");

        var clash = assertReason(Code.ALREADY_EXISTS, "RUN_ALREADY_EXISTS", () -> create(server, exp, "BASELINE"));
        assertThat(clash.getStatus().getDescription()).contains("baseline");
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(first.getId()).build());
        var deleted = assertReason(Code.ALREADY_EXISTS, "RUN_ALREADY_EXISTS", () -> create(server, exp, "baseline"));
        assertThat(deleted.getStatus().getDescription()).contains("deleted");
        assertThat(server.runs().listRuns(ListRunsRequest.newBuilder().setExperimentId(exp)
                .setLifecycle(LifecycleFilter.LIFECYCLE_FILTER_ALL).build()).getRunsList()).hasSize(1);
        // The same name in another experiment is another run.
        assertThat(create(server, experiment(server, "other"), "baseline").getId()).isNotEqualTo(first.getId());
    }

    @Test
    void aRetriedCreateWithTheSameRequestIdReturnsTheFirstRun(TestServer server) {
        String exp = experiment(server, "e");
        CreateRunRequest request = CreateRunRequest.newBuilder().setExperimentId(exp).setName("retry-me")
                .setRequestId(UUID.randomUUID().toString()).putTags("a", "1").build();

        Run first = server.runs().createRun(request).getRun();
        Run retried = server.runs().createRun(request).getRun();
        // The other fields are not compared: the id alone says it is the same call.
        Run retriedOtherwise = server.runs().createRun(request.toBuilder().setName("other-name")
                .putTags("a", "2").build()).getRun();

        assertThat(retried).isEqualTo(first);
        assertThat(retriedOtherwise).isEqualTo(first);
        assertThat(get(server, first.getId()).getStatusHistoryList()).hasSize(1);
        // Without a request id the same name is a clash; another request id with a new name is a new run.
        assertReason(Code.ALREADY_EXISTS, "RUN_ALREADY_EXISTS", () -> server.runs().createRun(
                request.toBuilder().clearRequestId().build()));
        Run second = server.runs().createRun(request.toBuilder().setRequestId(UUID.randomUUID().toString())
                .setName("second").build()).getRun();
        assertThat(second.getId()).isNotEqualTo(first.getId());
        // Generated names too: a retry does not make a second run-<hex>.
        CreateRunRequest unnamed = CreateRunRequest.newBuilder().setExperimentId(exp)
                .setRequestId(UUID.randomUUID().toString()).build();
        assertThat(server.runs().createRun(unnamed).getRun().getId())
                .isEqualTo(server.runs().createRun(unnamed).getRun().getId());
        assertThat(server.runs().listRuns(ListRunsRequest.newBuilder().setExperimentId(exp).build()).getRunsList())
                .hasSize(3);
        assertInvalidField("request_id", () -> server.runs().createRun(CreateRunRequest.newBuilder()
                .setExperimentId(exp).setRequestId("x".repeat(129)).build()));
    }

    @Test
    void concurrentRetriesOfOneCreateYieldOneRun(TestServer server) throws Exception {
        String exp = experiment(server, "race");
        CreateRunRequest request = CreateRunRequest.newBuilder().setExperimentId(exp)
                .setRequestId(UUID.randomUUID().toString()).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> server.runs().createRun(request).getRun().getId()));
            }
            List<String> ids = new ArrayList<>();
            for (Future<String> f : futures) {
                ids.add(f.get());
            }
            assertThat(ids).containsOnly(ids.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void createsAQueuedRunThatWaitsWithoutAStartTime(TestServer server) {
        String exp = experiment(server, "queue");
        Run queued = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(exp).setName("job-1")
                .setInitialStatus(RunStatus.RUN_STATUS_QUEUED).build()).getRun();

        assertThat(queued.getStatus()).isEqualTo(RunStatus.RUN_STATUS_QUEUED);
        assertThat(queued.getStartTimeMs()).isZero();
        assertThat(queued.getEndTimeMs()).isZero();
        assertThat(queued.getCreateTimeMs()).isPositive();
        assertThat(queued.getEtag()).isNotEmpty();
        assertThat(queued.getCreator()).isEmpty();
        GetRunResponse stored = get(server, queued.getId());
        assertThat(stored.getRun()).isEqualTo(queued);
        assertThat(stored.getStatusHistoryList()).extracting(c -> c.getReason() + ":" + c.getToStatus())
                .containsExactly("create:RUN_STATUS_QUEUED");

        Run running = create(server, exp, "job-2");
        assertThat(running.getCreateTimeMs()).isEqualTo(running.getStartTimeMs());
        for (RunStatus refused : List.of(RunStatus.RUN_STATUS_COMPLETED, RunStatus.RUN_STATUS_FAILED,
                RunStatus.RUN_STATUS_CANCELED)) {
            assertInvalidField("initial_status", () -> server.runs().createRun(CreateRunRequest.newBuilder()
                    .setExperimentId(exp).setInitialStatus(refused).build()));
        }
    }

    @Test
    void createNeedsAnActiveExperimentById(TestServer server) {
        assertReason(Code.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> server.runs().createRun(CreateRunRequest
                .newBuilder().setExperimentId(UUID.randomUUID().toString()).setName("r").build()));
        String exp = experiment(server, "gone");
        server.experiments().deleteExperiment(DeleteExperimentRequest.newBuilder().setExperimentId(exp).build());
        assertReason(Code.FAILED_PRECONDITION, "EXPERIMENT_DELETED", () -> create(server, exp, "r"));
    }

    // ---- GetRun by name ----

    @Test
    void getsARunByNameInAnExperimentGivenByIdOrByProjectAndName(TestServer server) {
        String exp = server.experiments().createExperiment(CreateExperimentRequest.newBuilder().setProject("nlp")
                .setName("Bert").build()).getExperiment().getId();
        Run run = create(server, exp, "Fold-1");
        RunServiceBlockingStub runs = server.runs();

        GetRunResponse byId = runs.getRun(GetRunRequest.newBuilder().setExperimentId(exp).setRunName("fold-1").build());
        GetRunResponse byName = runs.getRun(GetRunRequest.newBuilder().setProject("nlp").setExperimentName("BERT")
                .setRunName("FOLD-1").build());

        assertThat(byId.getRun()).isEqualTo(run);
        assertThat(byName.getRun()).isEqualTo(run);
        assertThat(byName.getStatusHistoryCount()).isEqualTo(1);
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> runs.getRun(GetRunRequest.newBuilder()
                .setExperimentId(exp).setRunName("fold-2").build()));
        assertReason(Code.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> runs.getRun(GetRunRequest.newBuilder()
                .setExperimentName("bert").setRunName("fold-1").build()));
        assertReason(Code.NOT_FOUND, "EXPERIMENT_NOT_FOUND", () -> runs.getRun(GetRunRequest.newBuilder()
                .setExperimentId(UUID.randomUUID().toString()).setRunName("fold-1").build()));
        // Read-only: a lookup never creates the experiment or the run.
        assertThat(server.runs().listRuns(ListRunsRequest.newBuilder().setExperimentId(exp).build()).getRunsList())
                .hasSize(1);
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run.getId()).build());
        assertThat(runs.getRun(GetRunRequest.newBuilder().setExperimentId(exp).setRunName("fold-1").build())
                .getRun().getDeleted()).isTrue();
    }

    @Test
    void getRunTakesExactlyOneWayOfNamingTheRun(TestServer server) {
        String exp = experiment(server, "e");
        Run run = create(server, exp, "r");
        RunServiceBlockingStub runs = server.runs();

        assertInvalidField("run_id", () -> runs.getRun(GetRunRequest.getDefaultInstance()));
        assertInvalidField("run_id", () -> runs.getRun(GetRunRequest.newBuilder().setRunId(run.getId())
                .setExperimentId(exp).setRunName("r").build()));
        assertInvalidField("run_name", () -> runs.getRun(GetRunRequest.newBuilder().setExperimentId(exp).build()));
        assertInvalidField("experiment_id", () -> runs.getRun(GetRunRequest.newBuilder().setRunName("r").build()));
        assertInvalidField("experiment_name", () -> runs.getRun(GetRunRequest.newBuilder().setExperimentId(exp)
                .setExperimentName("e").setRunName("r").build()));
        assertInvalidField("experiment_id", () -> runs.getRun(GetRunRequest.newBuilder().setExperimentId("nope")
                .setRunName("r").build()));
        assertInvalidField("run_name", () -> runs.getRun(GetRunRequest.newBuilder().setExperimentId(exp)
                .setRunName(" padded").build()));
    }

    // ---- UpdateRun: field mask, rename, etag ----

    private static UpdateRunRequest.Builder update(String runId, String... paths) {
        return UpdateRunRequest.newBuilder().setRunId(runId).setUpdateMask(FieldMask.newBuilder().addAllPaths(
                List.of(paths)));
    }

    @Test
    void updateChangesOnlyTheFieldsInTheMask(TestServer server) {
        Run run = server.runs().createRun(CreateRunRequest.newBuilder().setExperimentId(experiment(server, "e"))
                .setName("r").setDescription("keep").build()).getRun();

        Run renamed = server.runs().updateRun(update(run.getId(), "name").setName("r2").setDescription("ignored")
                .build()).getRun();
        assertThat(renamed.getName()).isEqualTo("r2");
        assertThat(renamed.getDescription()).isEqualTo("keep");
        Run both = server.runs().updateRun(update(run.getId(), "name", "description").setName("R3")
                .setDescription("").build()).getRun();
        assertThat(both.getName()).isEqualTo("R3");
        assertThat(both.getDescription()).isEmpty();
        assertThat(get(server, run.getId()).getRun()).isEqualTo(both);
        assertThat(server.runs().getRun(GetRunRequest.newBuilder().setExperimentId(run.getExperimentId())
                .setRunName("r3").build()).getRun().getId()).isEqualTo(run.getId());
        // Changing only the case of the own name is allowed.
        assertThat(server.runs().updateRun(update(run.getId(), "name").setName("r3").build()).getRun().getName())
                .isEqualTo("r3");
    }

    @Test
    void renamingOntoATakenNameIsRefusedAndChangesNothing(TestServer server) {
        String exp = experiment(server, "e");
        create(server, exp, "taken");
        Run gone = create(server, exp, "deleted-one");
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(gone.getId()).build());
        Run mine = create(server, exp, "mine");

        assertReason(Code.ALREADY_EXISTS, "RUN_ALREADY_EXISTS", () -> server.runs().updateRun(
                update(mine.getId(), "name", "description").setName("TAKEN").setDescription("changed").build()));
        assertReason(Code.ALREADY_EXISTS, "RUN_ALREADY_EXISTS", () -> server.runs().updateRun(
                update(mine.getId(), "name").setName("deleted-one").build()));
        assertInvalidField("name", () -> server.runs().updateRun(update(mine.getId(), "name").setName("").build()));

        assertThat(get(server, mine.getId()).getRun()).isEqualTo(mine);
    }

    @Test
    void updateMaskMustNameKnownFields(TestServer server) {
        Run run = create(server, experiment(server, "e"), "r");
        RunServiceBlockingStub runs = server.runs();

        assertInvalidField("update_mask.paths", () -> runs.updateRun(UpdateRunRequest.newBuilder()
                .setRunId(run.getId()).setDescription("x").build()));
        assertInvalidField("update_mask.paths[0]", () -> runs.updateRun(update(run.getId(), "*").build()));
        assertInvalidField("update_mask.paths[1]", () -> runs.updateRun(update(run.getId(), "description",
                "end_time_ms").build()));
        assertInvalidField("update_mask.paths[0]", () -> runs.updateRun(update(run.getId(), "status").build()));
        assertThat(get(server, run.getId()).getRun()).isEqualTo(run);
    }

    @Test
    void aStaleEtagRefusesTheUpdateAndEveryChangeMakesANewEtag(TestServer server) {
        Run run = create(server, experiment(server, "e"), "r");
        String created = run.getEtag();

        Run described = server.runs().updateRun(update(run.getId(), "description").setDescription("v1")
                .setEtag(created).build()).getRun();
        assertThat(described.getEtag()).isNotEqualTo(created);

        var stale = assertReason(Code.FAILED_PRECONDITION, "ETAG_MISMATCH", () -> server.runs().updateRun(
                update(run.getId(), "description", "name").setDescription("v2").setName("other")
                        .setEtag(created).build()));
        assertThat(stale.getStatus().getDescription()).contains(run.getId());
        assertThat(get(server, run.getId()).getRun()).isEqualTo(described);

        server.runs().setRunTags(SetRunTagsRequest.newBuilder().setRunId(run.getId()).putTags("k", "v").build());
        String afterTags = get(server, run.getId()).getRun().getEtag();
        assertThat(afterTags).isNotEqualTo(described.getEtag());
        assertReason(Code.FAILED_PRECONDITION, "ETAG_MISMATCH", () -> server.runs().updateRun(
                update(run.getId(), "description").setDescription("v2").setEtag(described.getEtag()).build()));

        server.runs().logParams(LogParamsRequest.newBuilder().setRunId(run.getId())
                .addParams(param("lr", Value.newBuilder().setDoubleValue(0.1).build())).build());
        String afterParams = get(server, run.getId()).getRun().getEtag();
        assertThat(afterParams).isNotEqualTo(afterTags);

        Run finished = setStatus(server, run.getId(), RunStatus.RUN_STATUS_COMPLETED);
        assertThat(finished.getEtag()).isNotEqualTo(afterParams).isEqualTo(get(server, run.getId()).getRun().getEtag());

        // The current etag is accepted; an empty etag means unconditional.
        Run updated = server.runs().updateRun(update(run.getId(), "description").setDescription("v2")
                .setEtag(finished.getEtag()).build()).getRun();
        assertThat(updated.getDescription()).isEqualTo("v2");
        assertThat(server.runs().updateRun(update(run.getId(), "description").setDescription("v3").build())
                .getRun().getDescription()).isEqualTo("v3");
        // Reads do not change it.
        String current = get(server, run.getId()).getRun().getEtag();
        assertThat(get(server, run.getId()).getRun().getEtag()).isEqualTo(current);
    }

    @Test
    void updateRefusesADeletedRun(TestServer server) {
        Run run = create(server, experiment(server, "e"), "r");
        server.runs().deleteRun(DeleteRunRequest.newBuilder().setRunId(run.getId()).build());
        assertReason(Code.FAILED_PRECONDITION, "RUN_DELETED", () -> server.runs().updateRun(
                update(run.getId(), "description").setDescription("x").build()));
        assertReason(Code.NOT_FOUND, "RUN_NOT_FOUND", () -> server.runs().updateRun(
                update(UUID.randomUUID().toString(), "description").build()));
    }
}
