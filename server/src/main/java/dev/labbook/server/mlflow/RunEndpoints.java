package dev.labbook.server.mlflow;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.CancelRunRequest;
import dev.labbook.api.v1.DeleteRunRequest;
import dev.labbook.api.v1.FinishRunRequest;
import dev.labbook.api.v1.GetRunRequest;
import dev.labbook.api.v1.ListMetricsRequest;
import dev.labbook.api.v1.ListMetricsResponse;
import dev.labbook.api.v1.MetricSummary;
import dev.labbook.api.v1.OpenRunRequest;
import dev.labbook.api.v1.ResumePolicy;
import dev.labbook.api.v1.RestoreRunRequest;
import dev.labbook.api.v1.ResumeRunRequest;
import dev.labbook.api.v1.Run;
import dev.labbook.api.v1.RunStatus;
import dev.labbook.api.v1.SearchRunsRequest;
import dev.labbook.api.v1.SearchRunsResponse;
import dev.labbook.api.v1.SetRunTagsRequest;
import dev.labbook.api.v1.SourceInfo;
import dev.labbook.api.v1.UpdateRunRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * MLflow's runs: create, get, update, delete, restore, search. A run made here gets a Labbook
 * name unique in its experiment (the asked one, or {@code <name>-<6 hex>} when taken) and never
 * resumes another run; the tag {@code mlflow.runName} keeps what the client asked.
 */
final class RunEndpoints implements MlflowEndpoints {
    static final int SEARCH_MAX_RESULTS = 50_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final LabbookGateway gateway;
    private final MlflowRunLeases leases;

    RunEndpoints(LabbookGateway gateway, MlflowRunLeases leases) {
        this.gateway = gateway;
        this.leases = leases;
    }

    @Override
    public void register(MlflowRoutes routes) {
        routes.post("runs/create", this::create);
        routes.get("runs/get", this::get);
        routes.post("runs/update", this::update);
        routes.post("runs/delete", this::delete);
        routes.post("runs/restore", this::restore);
        routes.post("runs/search", this::search);
    }

    private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /**
     * The request's run id. One that cannot be a Labbook id (e.g. MLflow's 32 hex digits) is
     * MLflow's RESOURCE_DOES_NOT_EXIST, as an unknown run, not Labbook's malformed-id error.
     */
    static String runId(MlflowRequest request) {
        String id = request.requiredString("run_id", "run_uuid");
        if (!isLabbookId(id)) {
            throw new MlflowException(MlflowErrorCode.RESOURCE_DOES_NOT_EXIST, "Run with id=" + id + " not found");
        }
        return id;
    }

    static boolean isLabbookId(String id) {
        return UUID.matcher(id).matches();
    }

    /** A name not yet taken: {@code name-<6 hex>}. */
    static String suffixed(String name) {
        byte[] bytes = new byte[3];
        RANDOM.nextBytes(bytes);
        String base = name.length() > 240 ? name.substring(0, 240).strip() : name;
        return base + "-" + HexFormat.of().formatHex(bytes);
    }

    /**
     * Tries {@code attempt} with the asked name, then with suffixed ones while the name is taken;
     * with a name Labbook refuses (e.g. edge whitespace) it lets Labbook make one (empty name).
     */
    static <T> T withUniqueName(String asked, Function<String, T> attempt) {
        String name = asked;
        for (int i = 0; ; i++) {
            try {
                return attempt.apply(name);
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.ALREADY_EXISTS && i < 5 && !asked.isEmpty()) {
                    name = suffixed(asked);
                } else if (code == Status.Code.INVALID_ARGUMENT && !name.isEmpty()
                        && String.valueOf(e.getStatus().getDescription()).contains("name")) {
                    name = "";
                } else {
                    throw e;
                }
            }
        }
    }

    private ObjectNode create(MlflowRequest request) {
        String experimentId = ExperimentEndpoints.experimentId(gateway, request.caller(),
                request.string("experiment_id").orElse(ExperimentEndpoints.DEFAULT_EXPERIMENT_ID));
        Map<String, String> tags = new LinkedHashMap<>(MlflowJsonMapper.keyValues(request.fields().get("tags"), "tags"));
        String asked = request.string("run_name").orElse(tags.getOrDefault(MlflowJsonMapper.RUN_NAME_TAG, ""));
        if (!asked.isEmpty()) {
            tags.put(MlflowJsonMapper.RUN_NAME_TAG, asked);
        }
        request.string("user_id").ifPresent(user -> tags.putIfAbsent(MlflowJsonMapper.USER_TAG, user));
        OpenRunRequest.Builder open = OpenRunRequest.newBuilder().setExperimentId(experimentId)
                .setResume(ResumePolicy.RESUME_POLICY_NEVER).putAllTags(tags)
                .setParentRunId(tags.getOrDefault(MlflowJsonMapper.PARENT_TAG, ""));
        SourceInfo source = source(tags);
        if (!source.equals(SourceInfo.getDefaultInstance())) {
            open.setSource(source);
        }
        request.longValue("start_time").filter(t -> t > 0 && t <= System.currentTimeMillis())
                .ifPresent(open::setStartTimeMs);
        Run run = withUniqueName(asked, name -> gateway.runs(request.caller())
                .openRun(open.clone().setName(name).build()).getRun());
        ObjectNode answer = MlflowJsonMapper.object();
        answer.set("run", MlflowJsonMapper.run(run, List.of()));
        return answer;
    }

    /** {@code mlflow.source.*} as Labbook's source info (the tags stay too). */
    static SourceInfo source(Map<String, String> tags) {
        SourceInfo.Builder source = SourceInfo.newBuilder();
        String name = tags.getOrDefault("mlflow.source.name", "");
        if (!name.isEmpty()) {
            source.setScript(name);
        }
        String commit = tags.getOrDefault("mlflow.source.git.commit", "");
        if (!commit.isEmpty()) {
            source.setGitCommit(commit);
        }
        return source.build();
    }

    /** The run with its params, tags and the latest value of each metric. */
    static Run getRun(LabbookGateway gateway, MlflowCaller caller, String runId) {
        return gateway.runs(caller).getRun(GetRunRequest.newBuilder().setRunId(runId).build()).getRun();
    }

    static List<MetricSummary> metrics(LabbookGateway gateway, MlflowCaller caller, String runId) {
        List<MetricSummary> metrics = new ArrayList<>();
        String token = "";
        do {
            ListMetricsResponse page = gateway.metrics(caller).listMetrics(ListMetricsRequest.newBuilder()
                    .setRunId(runId).setPageSize(10_000).setPageToken(token).build());
            metrics.addAll(page.getMetricsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        return metrics;
    }

    private ObjectNode get(MlflowRequest request) {
        String runId = runId(request);
        Run run = getRun(gateway, request.caller(), runId);
        ObjectNode answer = MlflowJsonMapper.object();
        answer.set("run", MlflowJsonMapper.run(run, metrics(gateway, request.caller(), runId)));
        return answer;
    }

    /**
     * Status (FINISHED and FAILED finish the run, KILLED cancels it, RUNNING resumes a finished
     * one), end_time and run_name.
     */
    private ObjectNode update(MlflowRequest request) {
        String runId = runId(request);
        MlflowCaller caller = request.caller();
        Run run = getRun(gateway, caller, runId);
        var runs = gateway.runs(caller);
        var newName = request.string("run_name");
        if (newName.isPresent() && !newName.get().equals(MlflowJsonMapper.runName(run))) {
            rename(gateway, caller, run, newName.get());
        }
        var status = request.string("status");
        if (status.isPresent()) {
            String target = MlflowJsonMapper.labbookStatus(status.get());
            String current = MlflowJsonMapper.labbookStatus(MlflowJsonMapper.status(run.getStatus()));
            boolean terminal = run.getStatus() == RunStatus.RUN_STATUS_COMPLETED || run.getStatus() == RunStatus.RUN_STATUS_FAILED
                    || run.getStatus() == RunStatus.RUN_STATUS_CANCELED;
            if (!target.equals(current)) {
                if (terminal && !target.equals("QUEUED")) {
                    runs.resumeRun(ResumeRunRequest.newBuilder().setRunId(runId).build());
                }
                long start = run.getStartTimeMs();
                var end = request.longValue("end_time").map(t -> Math.max(t, start));
                switch (target) {
                    case "COMPLETED", "FAILED" -> {
                        FinishRunRequest.Builder finish = FinishRunRequest.newBuilder().setRunId(runId)
                                .setStatus(target.equals("COMPLETED") ? RunStatus.RUN_STATUS_COMPLETED : RunStatus.RUN_STATUS_FAILED);
                        end.ifPresent(finish::setEndTimeMs);
                        runs.finishRun(finish.build());
                    }
                    case "CANCELED" -> {
                        CancelRunRequest.Builder cancel = CancelRunRequest.newBuilder().setRunId(runId);
                        end.ifPresent(cancel::setEndTimeMs);
                        runs.cancelRun(cancel.build());
                    }
                    case "RUNNING" -> {
                        if (run.getStatus() == RunStatus.RUN_STATUS_QUEUED) {
                            runs.startRun(dev.labbook.api.v1.StartRunRequest.newBuilder().setRunId(runId).build());
                        }
                    }
                    default -> throw MlflowException.invalid("Labbook's MLflow API cannot set a run back to SCHEDULED");
                }
            }
        }
        leases.wrote(caller, runId);
        ObjectNode answer = MlflowJsonMapper.object();
        answer.set("run_info", MlflowJsonMapper.runInfo(getRun(gateway, caller, runId)));
        return answer;
    }

    /** MLflow's rename: the tag mlflow.runName, and the Labbook name when it is free. */
    static void rename(LabbookGateway gateway, MlflowCaller caller, Run run, String name) {
        gateway.runs(caller).setRunTags(SetRunTagsRequest.newBuilder().setRunId(run.getId())
                .putTags(MlflowJsonMapper.RUN_NAME_TAG, name).build());
        if (name.equalsIgnoreCase(run.getName())) {
            return;
        }
        try {
            withUniqueName(name, labbookName -> labbookName.isEmpty() ? null : gateway.runs(caller).updateRun(
                    UpdateRunRequest.newBuilder().setRunId(run.getId()).setName(labbookName)
                            .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build()));
        } catch (StatusRuntimeException e) {
            // The MLflow name (the tag) is set; the Labbook name stays when no free one was found.
            if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                throw e;
            }
        }
    }

    private ObjectNode delete(MlflowRequest request) {
        gateway.runs(request.caller()).deleteRun(DeleteRunRequest.newBuilder().setRunId(runId(request)).build());
        return MlflowJsonMapper.object();
    }

    private ObjectNode restore(MlflowRequest request) {
        gateway.runs(request.caller()).restoreRun(RestoreRunRequest.newBuilder().setRunId(runId(request)).build());
        return MlflowJsonMapper.object();
    }

    /**
     * MLflow's search translated to Labbook's ({@link MlflowSearchTranslator}); up to
     * {@code max_results} runs (default 1000, at most 50000 as MLflow) fetched in Labbook pages
     * of at most 1000, the last page's token handed on as MLflow's page token.
     */
    private ObjectNode search(MlflowRequest request) {
        long maxResults = request.longValue("max_results").orElse(1000L);
        if (maxResults < 1 || maxResults > SEARCH_MAX_RESULTS) {
            throw MlflowException.invalid("Invalid value " + maxResults + " for parameter 'max_results' supplied. "
                    + "It must be at most " + SEARCH_MAX_RESULTS + " and at least 1.");
        }
        SearchRunsRequest.Builder search = SearchRunsRequest.newBuilder()
                .setFilter(MlflowSearchTranslator.runFilter(request.string("filter").orElse("")))
                .addAllOrderBy(MlflowSearchTranslator.runOrder(request.strings("order_by")))
                .setLifecycle(ExperimentEndpoints.lifecycle(request, "run_view_type"));
        List<String> experiments = request.strings("experiment_ids");
        if (experiments.isEmpty()) {
            search.setProject(request.caller().project());
        }
        for (String id : experiments) {
            search.addExperimentIds(ExperimentEndpoints.experimentId(gateway, request.caller(), id));
        }
        String token = request.string("page_token").orElse("");
        List<Run> runs = new ArrayList<>();
        do {
            int pageSize = (int) Math.min(1000, maxResults - runs.size());
            SearchRunsResponse page = gateway.runs(request.caller()).searchRuns(
                    search.setPageSize(pageSize).setPageToken(token).build());
            runs.addAll(page.getRunsList());
            token = page.getNextPageToken();
        } while (!token.isEmpty() && runs.size() < maxResults);
        return answer(runs, token);
    }

    private static ObjectNode answer(List<Run> runs, String token) {
        ObjectNode answer = MlflowJsonMapper.object();
        if (!runs.isEmpty()) {
            ArrayNode array = answer.putArray("runs");
            for (Run run : runs) {
                array.add(MlflowJsonMapper.run(run, run.getMetricsList()));
            }
        }
        if (!token.isEmpty()) {
            answer.put("next_page_token", token);
        }
        return answer;
    }
}
