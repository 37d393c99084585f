package dev.labbook.server.mlflow;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.labbook.api.v1.CreateModelRequest;
import dev.labbook.api.v1.DeleteModelRequest;
import dev.labbook.api.v1.GetModelRequest;
import dev.labbook.api.v1.ListModelsRequest;
import dev.labbook.api.v1.ListModelsResponse;
import dev.labbook.api.v1.Model;
import dev.labbook.api.v1.UpdateModelRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * MLflow 3's logged models on Labbook's ModelService: a model belongs to the run that logs it
 * and its files are that run's artifacts under {@code models/<model id>/}, so its artifact_uri
 * is {@code mlflow-artifacts:/<exp>/<run>/artifacts/models/<model id>}.
 */
final class LoggedModelEndpoints implements MlflowEndpoints {
    private static final int MAX_RESULTS = 1000;

    private final LabbookGateway gateway;

    LoggedModelEndpoints(LabbookGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void register(MlflowRoutes routes) {
        routes.post("logged-models", this::create);
        routes.post("logged-models/search", this::search);
        routes.get("logged-models/{model_id}", this::get);
        routes.patch("logged-models/{model_id}", this::finalizeModel);
        routes.delete("logged-models/{model_id}", this::delete);
        routes.patch("logged-models/{model_id}/tags", this::setTags);
        routes.delete("logged-models/{model_id}/tags/{key}", this::deleteTag);
        routes.post("logged-models/{model_id}/params", this::logParams);
    }

    private static ObjectNode wrap(Model model) {
        ObjectNode answer = MlflowJsonMapper.object();
        answer.set("model", MlflowJsonMapper.model(model));
        return answer;
    }

    private ObjectNode create(MlflowRequest request) {
        request.requiredString("experiment_id");
        String runId = request.string("source_run_id").orElseThrow(() -> MlflowException.invalid(
                "Labbook's MLflow API needs 'source_run_id' to create a logged model: Labbook keeps a model's files "
                        + "with the run that logs it (log the model inside a run)"));
        Model model = gateway.models(request.caller()).createModel(CreateModelRequest.newBuilder()
                .setRunId(runId).setName(request.string("name").orElse("model"))
                .setModelType(request.string("model_type").orElse(""))
                .putAllTags(MlflowJsonMapper.keyValues(request.fields().get("tags"), "tags"))
                .putAllParams(MlflowJsonMapper.keyValues(request.fields().get("params"), "params")).build()).getModel();
        return wrap(model);
    }

    private ObjectNode get(MlflowRequest request) {
        String modelId = request.pathParam("model_id");
        Model model = gateway.models(request.caller()).getModel(GetModelRequest.newBuilder().setModelId(modelId).build()).getModel();
        if (model.getDeleted() && !request.booleanValue("allow_deleted").orElse(false)) {
            throw new MlflowException(MlflowErrorCode.RESOURCE_DOES_NOT_EXIST, "Logged model with ID '" + modelId + "' not found");
        }
        return wrap(model);
    }

    private ObjectNode finalizeModel(MlflowRequest request) {
        UpdateModelRequest.Builder update = UpdateModelRequest.newBuilder().setModelId(request.pathParam("model_id"))
                .setStatus(MlflowJsonMapper.modelStatus(request.requiredString("status")));
        return wrap(gateway.models(request.caller()).updateModel(update.build()).getModel());
    }

    private ObjectNode delete(MlflowRequest request) {
        gateway.models(request.caller()).deleteModel(
                DeleteModelRequest.newBuilder().setModelId(request.pathParam("model_id")).build());
        return MlflowJsonMapper.object();
    }

    private ObjectNode setTags(MlflowRequest request) {
        return wrap(gateway.models(request.caller()).updateModel(UpdateModelRequest.newBuilder()
                .setModelId(request.pathParam("model_id"))
                .putAllSetTags(MlflowJsonMapper.keyValues(request.fields().get("tags"), "tags")).build()).getModel());
    }

    private ObjectNode deleteTag(MlflowRequest request) {
        gateway.models(request.caller()).updateModel(UpdateModelRequest.newBuilder()
                .setModelId(request.pathParam("model_id")).addRemoveTagKeys(
                        java.net.URLDecoder.decode(request.pathParam("key"), java.nio.charset.StandardCharsets.UTF_8))
                .build());
        return MlflowJsonMapper.object();
    }

    private ObjectNode logParams(MlflowRequest request) {
        gateway.models(request.caller()).updateModel(UpdateModelRequest.newBuilder()
                .setModelId(request.pathParam("model_id"))
                .putAllParams(MlflowJsonMapper.keyValues(request.fields().get("params"), "params")).build());
        return MlflowJsonMapper.object();
    }

    /**
     * MLflow's logged-model search, on what ListModels can answer: the experiments, and a filter
     * of {@code name = '...'} and/or {@code source_run_id = '...'} (AND); anything else is
     * INVALID_PARAMETER_VALUE. Pages are Labbook's.
     */
    private ObjectNode search(MlflowRequest request) {
        ListModelsRequest.Builder list = ListModelsRequest.newBuilder();
        for (String id : request.strings("experiment_ids")) {
            list.addExperimentIds(ExperimentEndpoints.experimentId(gateway, request.caller(), id));
        }
        for (MlflowSearchTranslator.Comparison c : MlflowSearchTranslator.parse(request.string("filter").orElse(""))) {
            String field = c.entity().equals("attributes") ? c.key() : c.entity() + "." + c.key();
            if (!c.op().equals("=") || c.values().size() != 1 || !c.values().get(0).string()) {
                throw MlflowException.invalid("Unsupported logged model filter on '" + field
                        + "': Labbook's MLflow API filters logged models by name = '<name>' and source_run_id = '<run id>' only");
            }
            switch (field) {
                case "name" -> list.setName(c.values().get(0).text());
                case "source_run_id" -> list.setRunId(c.values().get(0).text());
                default -> throw MlflowException.invalid("Unsupported logged model filter on '" + field
                        + "': Labbook's MLflow API filters logged models by name = '<name>' and source_run_id = '<run id>' only");
            }
        }
        if (!request.strings("order_by").isEmpty() || request.field("datasets").filter(d -> !d.isEmpty()).isPresent()) {
            throw MlflowException.invalid("Labbook's MLflow API does not order or filter logged models by datasets "
                    + "or order_by: they come newest first");
        }
        long maxResults = request.longValue("max_results").orElse(100L);
        if (maxResults < 1 || maxResults > MAX_RESULTS) {
            throw MlflowException.invalid("Invalid value " + maxResults + " for parameter 'max_results' supplied. "
                    + "It must be at most " + MAX_RESULTS + " and at least 1.");
        }
        ListModelsResponse page = gateway.models(request.caller()).listModels(list.setPageSize((int) maxResults)
                .setPageToken(request.string("page_token").orElse("")).build());
        List<Model> models = new ArrayList<>(page.getModelsList());
        ObjectNode answer = MlflowJsonMapper.object();
        if (!models.isEmpty()) {
            ArrayNode array = answer.putArray("models");
            models.forEach(m -> array.add(MlflowJsonMapper.model(m)));
        }
        if (!page.getNextPageToken().isEmpty()) {
            answer.put("next_page_token", page.getNextPageToken());
        }
        return answer;
    }
}
