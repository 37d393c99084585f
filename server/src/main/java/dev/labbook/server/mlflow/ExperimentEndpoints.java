package dev.labbook.server.mlflow;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.FieldMask;
import dev.labbook.api.v1.CreateExperimentRequest;
import dev.labbook.api.v1.DeleteExperimentRequest;
import dev.labbook.api.v1.Experiment;
import dev.labbook.api.v1.GetExperimentRequest;
import dev.labbook.api.v1.LifecycleFilter;
import dev.labbook.api.v1.ListExperimentsRequest;
import dev.labbook.api.v1.ListExperimentsResponse;
import dev.labbook.api.v1.RestoreExperimentRequest;
import dev.labbook.api.v1.SetExperimentTagsRequest;
import dev.labbook.api.v1.UpdateExperimentRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * MLflow's experiments: create, get, get-by-name, search, update, delete, restore and tags, on
 * Labbook experiments of the caller's project. MLflow's default experiment {@code "0"} is the
 * project's experiment named {@code Default}, created on first use.
 */
final class ExperimentEndpoints implements MlflowEndpoints {
    static final String DEFAULT_EXPERIMENT_ID = "0";
    static final String DEFAULT_EXPERIMENT_NAME = "Default";
    private static final int MAX_RESULTS = 50_000;

    private final LabbookGateway gateway;

    ExperimentEndpoints(LabbookGateway gateway) {
        this.gateway = gateway;
    }

    /** The Labbook experiment id for an MLflow one: {@code "0"} is the project's {@code Default}. */
    static String experimentId(LabbookGateway gateway, MlflowCaller caller, String mlflowId) {
        if (!DEFAULT_EXPERIMENT_ID.equals(mlflowId)) {
            if (!RunEndpoints.isLabbookId(mlflowId)) {
                throw new MlflowException(MlflowErrorCode.RESOURCE_DOES_NOT_EXIST,
                        "No Experiment with id=" + mlflowId + " exists");
            }
            return mlflowId;
        }
        try {
            // Read first: a viewer may use the default experiment without the right to create it.
            return gateway.experiments(caller).getExperiment(GetExperimentRequest.newBuilder()
                    .setProject(caller.project()).setName(DEFAULT_EXPERIMENT_NAME).build()).getExperiment().getId();
        } catch (io.grpc.StatusRuntimeException e) {
            if (e.getStatus().getCode() != io.grpc.Status.Code.NOT_FOUND) {
                throw e;
            }
        }
        return gateway.experiments(caller).createExperiment(CreateExperimentRequest.newBuilder()
                .setProject(caller.project()).setName(DEFAULT_EXPERIMENT_NAME).setReturnExisting(true).build())
                .getExperiment().getId();
    }

    @Override
    public void register(MlflowRoutes routes) {
        routes.post("experiments/create", this::create);
        routes.get("experiments/get", this::get);
        routes.get("experiments/get-by-name", this::getByName);
        routes.post("experiments/search", this::search);
        routes.get("experiments/search", this::search);
        routes.post("experiments/update", this::update);
        routes.post("experiments/delete", this::delete);
        routes.post("experiments/restore", this::restore);
        routes.post("experiments/set-experiment-tag", this::setTag);
        routes.post("experiments/delete-experiment-tag", this::deleteTag);
    }

    private String id(MlflowRequest request) {
        return experimentId(gateway, request.caller(), request.requiredString("experiment_id"));
    }

    private ObjectNode create(MlflowRequest request) {
        String name = request.requiredString("name");
        Experiment experiment = gateway.experiments(request.caller()).createExperiment(CreateExperimentRequest.newBuilder()
                .setProject(request.caller().project()).setName(name)
                .putAllTags(MlflowJsonMapper.keyValues(request.fields().get("tags"), "tags")).build()).getExperiment();
        ObjectNode answer = MlflowJsonMapper.object();
        answer.put("experiment_id", experiment.getId());
        return answer;
    }

    private ObjectNode get(MlflowRequest request) {
        Experiment experiment = gateway.experiments(request.caller()).getExperiment(
                GetExperimentRequest.newBuilder().setExperimentId(id(request)).build()).getExperiment();
        return wrap(experiment);
    }

    private ObjectNode getByName(MlflowRequest request) {
        String name = request.requiredString("experiment_name");
        Experiment experiment = gateway.experiments(request.caller()).getExperiment(GetExperimentRequest.newBuilder()
                .setProject(request.caller().project()).setName(name).build()).getExperiment();
        return wrap(experiment);
    }

    private static ObjectNode wrap(Experiment experiment) {
        ObjectNode answer = MlflowJsonMapper.object();
        answer.set("experiment", MlflowJsonMapper.experiment(experiment));
        return answer;
    }

    static LifecycleFilter lifecycle(MlflowRequest request, String field) {
        String view = request.string(field).orElse("ACTIVE_ONLY").toUpperCase(Locale.ROOT);
        return switch (view) {
            case "ACTIVE_ONLY", "1" -> LifecycleFilter.LIFECYCLE_FILTER_ACTIVE;
            case "DELETED_ONLY", "2" -> LifecycleFilter.LIFECYCLE_FILTER_DELETED;
            case "ALL", "3" -> LifecycleFilter.LIFECYCLE_FILTER_ALL;
            default -> throw MlflowException.invalid("Invalid value '" + view + "' for parameter '" + field
                    + "': expected ACTIVE_ONLY, DELETED_ONLY or ALL");
        };
    }

    /**
     * MLflow's experiment search over the project's experiments: the adapter lists them (the
     * labbook.v1 API has no experiment filter) and filters, orders and pages itself; the page
     * token is the offset into that order.
     */
    private ObjectNode search(MlflowRequest request) {
        long maxResults = request.longValue("max_results").orElse(1000L);
        if (maxResults < 1 || maxResults > MAX_RESULTS) {
            throw MlflowException.invalid("Invalid value " + maxResults + " for parameter 'max_results' supplied. "
                    + "It must be at most " + MAX_RESULTS + " and at least 1.");
        }
        List<MlflowSearchTranslator.Comparison> filter =
                MlflowSearchTranslator.experimentFilter(request.string("filter").orElse(""));
        Comparator<Experiment> order = order(request.strings("order_by"));
        int offset = offset(request.string("page_token").orElse(""));
        LifecycleFilter lifecycle = lifecycle(request, "view_type");

        List<Experiment> matching = new ArrayList<>();
        String token = "";
        do {
            ListExperimentsResponse page = gateway.experiments(request.caller()).listExperiments(
                    ListExperimentsRequest.newBuilder().setProject(request.caller().project()).setPageSize(1000)
                            .setPageToken(token).setLifecycle(lifecycle).build());
            for (Experiment e : page.getExperimentsList()) {
                if (MlflowSearchTranslator.experimentMatches(filter, e.getName(), e.getTagsMap())) {
                    matching.add(e);
                }
            }
            token = page.getNextPageToken();
        } while (!token.isEmpty());
        matching.sort(order);

        ObjectNode answer = MlflowJsonMapper.object();
        int end = (int) Math.min(matching.size(), offset + maxResults);
        if (offset < end) {
            ArrayNode array = answer.putArray("experiments");
            for (Experiment e : matching.subList(offset, end)) {
                array.add(MlflowJsonMapper.experiment(e));
            }
        }
        if (end < matching.size()) {
            answer.put("next_page_token", Base64.getUrlEncoder().encodeToString(
                    ("{\"offset\": " + end + "}").getBytes(StandardCharsets.UTF_8)));
        }
        return answer;
    }

    private static int offset(String token) {
        if (token.isEmpty()) {
            return 0;
        }
        try {
            String json = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int offset = MlflowApi.JSON.readTree(json).get("offset").asInt(-1);
            if (offset >= 0) {
                return offset;
            }
        } catch (RuntimeException | java.io.IOException e) {
            // falls through
        }
        throw MlflowException.invalid("Invalid page token '" + token + "'");
    }

    /** MLflow's experiment order: name, creation_time, last_update_time, experiment_id; default newest first. */
    static Comparator<Experiment> order(List<String> orderBy) {
        Comparator<Experiment> order = null;
        for (String clause : orderBy) {
            String[] words = clause.strip().split("\\s+");
            if (words.length == 0 || words.length > 2 || words[0].isEmpty()) {
                throw MlflowException.invalid("Invalid order_by clause '" + clause + "'");
            }
            String field = words[0].replace("attributes.", "").replace("`", "").replace("\"", "");
            Comparator<Experiment> key = switch (field) {
                case "name" -> Comparator.comparing(Experiment::getName);
                case "creation_time" -> Comparator.comparingLong(Experiment::getCreateTimeMs);
                case "last_update_time" -> Comparator.comparingLong(Experiment::getUpdateTimeMs);
                case "experiment_id" -> Comparator.comparing(Experiment::getId);
                default -> throw MlflowException.invalid("Invalid order_by field '" + words[0]
                        + "': experiments are ordered by name, creation_time, last_update_time or experiment_id");
            };
            if (words.length == 2) {
                String direction = words[1].toUpperCase(Locale.ROOT);
                if (direction.equals("DESC")) {
                    key = key.reversed();
                } else if (!direction.equals("ASC")) {
                    throw MlflowException.invalid("Invalid order_by clause '" + clause + "': expected ASC or DESC");
                }
            }
            order = order == null ? key : order.thenComparing(key);
        }
        Comparator<Experiment> newestFirst = Comparator.comparingLong(Experiment::getCreateTimeMs).reversed()
                .thenComparing(Experiment::getId);
        return order == null ? newestFirst : order.thenComparing(newestFirst);
    }

    private ObjectNode update(MlflowRequest request) {
        String newName = request.requiredString("new_name");
        gateway.experiments(request.caller()).updateExperiment(UpdateExperimentRequest.newBuilder()
                .setExperimentId(id(request)).setName(newName)
                .setUpdateMask(FieldMask.newBuilder().addPaths("name")).build());
        return MlflowJsonMapper.object();
    }

    private ObjectNode delete(MlflowRequest request) {
        gateway.experiments(request.caller()).deleteExperiment(
                DeleteExperimentRequest.newBuilder().setExperimentId(id(request)).build());
        return MlflowJsonMapper.object();
    }

    private ObjectNode restore(MlflowRequest request) {
        gateway.experiments(request.caller()).restoreExperiment(
                RestoreExperimentRequest.newBuilder().setExperimentId(id(request)).build());
        return MlflowJsonMapper.object();
    }

    private ObjectNode setTag(MlflowRequest request) {
        String key = request.requiredString("key");
        String value = request.string("value").orElse("");
        gateway.experiments(request.caller()).setExperimentTags(SetExperimentTagsRequest.newBuilder()
                .setExperimentId(id(request)).putTags(key, value).build());
        return MlflowJsonMapper.object();
    }

    private ObjectNode deleteTag(MlflowRequest request) {
        String key = request.requiredString("key");
        gateway.experiments(request.caller()).setExperimentTags(SetExperimentTagsRequest.newBuilder()
                .setExperimentId(id(request)).addRemoveKeys(key).build());
        return MlflowJsonMapper.object();
    }
}
