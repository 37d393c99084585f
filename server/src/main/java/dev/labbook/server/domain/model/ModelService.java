package dev.labbook.server.domain.model;

import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.FailedPreconditionException;
import dev.labbook.server.domain.IdGenerator;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.PageTokens;
import dev.labbook.server.domain.Run;
import dev.labbook.server.domain.RunGuards;
import dev.labbook.server.domain.RunService;
import dev.labbook.server.store.ModelRepository;
import dev.labbook.server.store.TrackingStore;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Rules for the models runs log: created PENDING for a run that is not deleted (nor its
 * experiment), then status, status message, tags and params changed by UpdateModel, all or
 * nothing; a param key once logged keeps its value (another value is FAILED_PRECONDITION
 * PARAM_VALUE_CHANGED, the same value is fine); a deleted model no longer changes. Every check
 * names the request field.
 */
public final class ModelService {
    public static final int MAX_NAME_LENGTH = 250;
    public static final int MAX_MODEL_TYPE_LENGTH = 250;
    public static final int MAX_STATUS_MESSAGE_BYTES = 8 * 1024;
    public static final int MAX_PARAM_VALUE_BYTES = 8 * 1024;
    public static final int MAX_PARAMS = 1000;
    public static final int MAX_LISTED_EXPERIMENTS = 100;

    private final TrackingStore store;
    private final IdGenerator ids;
    private final Clock clock;

    public ModelService(TrackingStore store, IdGenerator ids, Clock clock) {
        this.store = store;
        this.ids = ids;
        this.clock = clock;
    }

    /** CreateModel: a PENDING model of the run. */
    public Model create(NewModel request) {
        if (request.runId() == null) {
            throw new InvalidArgumentException("run_id", "is required");
        }
        String name = name("name", request.name());
        String modelType = request.modelType() == null ? "" : request.modelType();
        if (modelType.codePointCount(0, modelType.length()) > MAX_MODEL_TYPE_LENGTH) {
            throw new InvalidArgumentException("model_type", "is longer than " + MAX_MODEL_TYPE_LENGTH + " characters");
        }
        Limits.rejectControlCharacters("model_type", modelType);
        Limits.tags("tags", request.tags());
        params("params", request.params());
        return store.inTransaction(tx -> {
            Run run = RunGuards.requireRun(tx, request.runId());
            RunGuards.requireWritable(tx, run);
            Instant now = now();
            Model model = new Model(ids.next(), run.experimentId(), run.id(), name, ModelStatus.PENDING, "",
                    modelType, request.tags(), request.params(), now, now, null);
            tx.models().insert(model);
            return model;
        });
    }

    /** GetModel: a deleted model too. */
    public Model get(UUID modelId) {
        return store.inTransaction(tx -> require(tx.models(), modelId, false));
    }

    /** UpdateModel: all of the changes, or none when one is refused. */
    public Model update(UUID modelId, ModelChanges changes) {
        String message = changes.statusMessage();
        if (message != null) {
            Limits.maxBytes("status_message", message, MAX_STATUS_MESSAGE_BYTES);
            Limits.rejectNul("status_message", message);
        }
        Limits.tags("set_tags", changes.setTags());
        List<String> removeKeys = changes.removeTagKeys();
        for (int i = 0; i < removeKeys.size(); i++) {
            String key = Limits.key("remove_tag_keys[" + i + "]", removeKeys.get(i));
            if (changes.setTags().containsKey(key)) {
                throw new InvalidArgumentException("remove_tag_keys[" + i + "]",
                        "'" + key + "' is also in set_tags; a key can be set or removed, not both");
            }
        }
        params("params", changes.params());
        return store.inTransaction(tx -> {
            ModelRepository models = tx.models();
            Model model = require(models, modelId, true);
            if (model.deleted()) {
                FailedPreconditionException error = new FailedPreconditionException(
                        ErrorReason.INVALID_STATUS_TRANSITION, "model " + ModelIds.format(modelId)
                                + " is deleted; a deleted model does not change");
                error.about("model", ModelIds.format(modelId));
                throw error;
            }
            Map<String, String> tags = new TreeMap<>(model.tags());
            tags.putAll(changes.setTags());
            removeKeys.forEach(tags::remove);
            if (tags.size() > Limits.MAX_TAGS) {
                throw new InvalidArgumentException("set_tags", "would give the model " + tags.size()
                        + " tags; at most " + Limits.MAX_TAGS + " allowed");
            }
            Map<String, String> params = new TreeMap<>(model.params());
            Map<String, String> added = new HashMap<>();
            for (Map.Entry<String, String> param : new TreeMap<>(changes.params()).entrySet()) {
                String logged = model.params().get(param.getKey());
                if (logged == null) {
                    added.put(param.getKey(), param.getValue());
                    params.put(param.getKey(), param.getValue());
                } else if (!logged.equals(param.getValue())) {
                    throw RunService.paramChanged("params[" + param.getKey() + "]", param.getKey(), logged, param.getValue());
                }
            }
            if (params.size() > MAX_PARAMS) {
                throw new InvalidArgumentException("params", "would give the model " + params.size()
                        + " params; at most " + MAX_PARAMS + " allowed");
            }
            ModelStatus status = changes.status() != null ? changes.status() : model.status();
            String statusMessage = message != null ? message : model.statusMessage();
            boolean changed = status != model.status() || !statusMessage.equals(model.statusMessage())
                    || !tags.equals(model.tags()) || !added.isEmpty();
            if (!changed) {
                return model;
            }
            Model next = model.with(status, statusMessage, tags, params, now(), null);
            models.updateState(next);
            if (!removeKeys.isEmpty()) {
                models.removeTags(modelId, removeKeys);
            }
            models.upsertTags(modelId, changes.setTags());
            models.insertParams(modelId, added);
            return next;
        });
    }

    /** DeleteModel: soft deletion; a deleted model is left as it is. */
    public Model delete(UUID modelId) {
        return store.inTransaction(tx -> {
            Model model = require(tx.models(), modelId, true);
            if (model.deleted()) {
                return model;
            }
            Instant now = now();
            Model next = model.with(model.status(), model.statusMessage(), model.tags(), model.params(), now, now);
            tx.models().updateState(next);
            return next;
        });
    }

    /**
     * ListModels: the models of the experiments (1-100) and/or of the run, newest first; each
     * experiment and the run must exist.
     */
    public Page<Model> list(List<UUID> experimentIds, UUID runId, String name, boolean includeDeleted, int pageSize,
            String pageToken) {
        if (experimentIds.isEmpty() && runId == null) {
            throw new InvalidArgumentException("experiment_ids", "is empty and run_id is not set; give one of them");
        }
        if (experimentIds.size() > MAX_LISTED_EXPERIMENTS) {
            throw new InvalidArgumentException("experiment_ids", "has " + experimentIds.size()
                    + " experiments; at most " + MAX_LISTED_EXPERIMENTS + " allowed");
        }
        int size = Limits.pageSize("page_size", pageSize);
        List<UUID> experiments = experimentIds.stream().distinct().sorted().toList();
        String nameFilter = name == null || name.isEmpty() ? null : name;
        String fingerprint = "models|" + experiments + "|" + runId + "|" + nameFilter + "|" + includeDeleted;
        UUID before = PageTokens.decode("page_token", pageToken, fingerprint);
        List<Model> rows = store.inTransaction(tx -> {
            if (!experiments.isEmpty()) {
                Map<UUID, String> found = tx.experiments().projectsOf(experiments);
                for (UUID id : experiments) {
                    if (!found.containsKey(id)) {
                        NotFoundException error = new NotFoundException(ErrorReason.EXPERIMENT_NOT_FOUND,
                                "experiment " + id + " not found");
                        error.about("experiment", id);
                        throw error;
                    }
                }
            }
            if (runId != null) {
                RunGuards.requireRun(tx, runId);
            }
            return tx.models().list(experiments, runId, nameFilter, includeDeleted, before, size + 1);
        });
        return Page.ofKeyset(rows, size, Model::id, fingerprint);
    }

    private static Model require(ModelRepository models, UUID id, boolean forUpdate) {
        return models.find(id, forUpdate).orElseThrow(() -> {
            NotFoundException error = new NotFoundException(ErrorReason.MODEL_NOT_FOUND,
                    "model " + ModelIds.format(id) + " not found");
            error.about("model", ModelIds.format(id));
            return error;
        });
    }

    private static String name(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidArgumentException(field, "is required");
        }
        if (value.codePointCount(0, value.length()) > MAX_NAME_LENGTH) {
            throw new InvalidArgumentException(field, "is longer than " + MAX_NAME_LENGTH + " characters");
        }
        if (value.isBlank()) {
            throw new InvalidArgumentException(field, "must not be blank");
        }
        Limits.rejectControlCharacters(field, value);
        return value;
    }

    /** Keys 1-250 characters as tag keys, values up to 8 KiB without NUL. */
    private static void params(String field, Map<String, String> params) {
        if (params.size() > MAX_PARAMS) {
            throw new InvalidArgumentException(field, "has " + params.size() + " params; at most " + MAX_PARAMS
                    + " allowed");
        }
        for (Map.Entry<String, String> param : new TreeMap<>(params).entrySet()) {
            Limits.key(field + ".key", param.getKey());
            Limits.maxBytes(field + "[" + param.getKey() + "]", param.getValue(), MAX_PARAM_VALUE_BYTES);
            Limits.rejectNul(field + "[" + param.getKey() + "]", param.getValue());
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
