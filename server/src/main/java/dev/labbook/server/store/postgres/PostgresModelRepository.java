package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.SqlSupport.toInstant;
import static dev.labbook.server.store.postgres.SqlSupport.toTimestamp;
import static dev.labbook.server.store.postgres.internal.generated.Tables.EXPERIMENT;
import static dev.labbook.server.store.postgres.internal.generated.Tables.MODEL;
import static dev.labbook.server.store.postgres.internal.generated.Tables.MODEL_PARAM;
import static dev.labbook.server.store.postgres.internal.generated.Tables.MODEL_TAG;

import dev.labbook.server.domain.model.Model;
import dev.labbook.server.domain.model.ModelStatus;
import dev.labbook.server.store.ModelRepository;
import dev.labbook.server.store.postgres.internal.generated.tables.records.ModelRecord;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.SelectConditionStep;
import org.jooq.impl.DSL;

/** Models in PostgreSQL (tables model, model_tag, model_param). */
final class PostgresModelRepository implements ModelRepository {
    private final DSLContext dsl;

    PostgresModelRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public void insert(Model model) {
        dsl.insertInto(MODEL)
                .set(MODEL.ID, model.id())
                .set(MODEL.RUN_ID, model.runId())
                .set(MODEL.EXPERIMENT_ID, model.experimentId())
                .set(MODEL.NAME, model.name())
                .set(MODEL.STATUS, model.status().name())
                .set(MODEL.STATUS_MESSAGE, model.statusMessage())
                .set(MODEL.MODEL_TYPE, model.modelType())
                .set(MODEL.CREATE_TIME, toTimestamp(model.createTime()))
                .set(MODEL.UPDATE_TIME, toTimestamp(model.updateTime()))
                .set(MODEL.DELETED_AT, toTimestamp(model.deletedAt()))
                .execute();
        upsertTags(model.id(), model.tags());
        insertParams(model.id(), model.params());
    }

    @Override
    public Optional<Model> find(UUID id, boolean forUpdate) {
        SelectConditionStep<ModelRecord> query = dsl.selectFrom(MODEL).where(MODEL.ID.eq(id));
        ModelRecord row = forUpdate ? query.forUpdate().fetchOne() : query.fetchOne();
        return row == null ? Optional.empty() : Optional.of(withDetails(List.of(row)).get(0));
    }

    @Override
    public void updateState(Model model) {
        dsl.update(MODEL)
                .set(MODEL.STATUS, model.status().name())
                .set(MODEL.STATUS_MESSAGE, model.statusMessage())
                .set(MODEL.UPDATE_TIME, toTimestamp(model.updateTime()))
                .set(MODEL.DELETED_AT, toTimestamp(model.deletedAt()))
                .where(MODEL.ID.eq(model.id()))
                .execute();
    }

    @Override
    public void upsertTags(UUID id, Map<String, String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        var insert = dsl.insertInto(MODEL_TAG, MODEL_TAG.MODEL_ID, MODEL_TAG.TAG_KEY, MODEL_TAG.TAG_VALUE);
        for (Map.Entry<String, String> tag : tags.entrySet()) {
            insert = insert.values(id, tag.getKey(), tag.getValue());
        }
        insert.onConflict(MODEL_TAG.MODEL_ID, MODEL_TAG.TAG_KEY)
                .doUpdate()
                .set(MODEL_TAG.TAG_VALUE, DSL.excluded(MODEL_TAG.TAG_VALUE))
                .execute();
    }

    @Override
    public void removeTags(UUID id, Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        dsl.deleteFrom(MODEL_TAG).where(MODEL_TAG.MODEL_ID.eq(id)).and(MODEL_TAG.TAG_KEY.in(keys)).execute();
    }

    @Override
    public void insertParams(UUID id, Map<String, String> params) {
        if (params.isEmpty()) {
            return;
        }
        var insert = dsl.insertInto(MODEL_PARAM, MODEL_PARAM.MODEL_ID, MODEL_PARAM.PARAM_KEY, MODEL_PARAM.PARAM_VALUE);
        for (Map.Entry<String, String> param : params.entrySet()) {
            insert = insert.values(id, param.getKey(), param.getValue());
        }
        insert.onConflictDoNothing().execute();
    }

    @Override
    public List<Model> list(Collection<UUID> experimentIds, UUID runId, String name, boolean includeDeleted,
            UUID beforeId, int limit) {
        Condition where = DSL.noCondition();
        if (!experimentIds.isEmpty()) {
            where = where.and(MODEL.EXPERIMENT_ID.in(experimentIds));
        }
        if (runId != null) {
            where = where.and(MODEL.RUN_ID.eq(runId));
        }
        if (name != null) {
            where = where.and(MODEL.NAME.eq(name));
        }
        if (!includeDeleted) {
            where = where.and(MODEL.DELETED_AT.isNull());
        }
        if (beforeId != null) {
            where = where.and(MODEL.ID.lt(beforeId));
        }
        return withDetails(dsl.selectFrom(MODEL).where(where).orderBy(MODEL.ID.desc()).limit(limit).fetch());
    }

    @Override
    public Map<UUID, String> projectsOf(Collection<UUID> modelIds) {
        Map<UUID, String> projects = new HashMap<>();
        dsl.select(MODEL.ID, EXPERIMENT.PROJECT).from(MODEL).join(EXPERIMENT).on(EXPERIMENT.ID.eq(MODEL.EXPERIMENT_ID))
                .where(MODEL.ID.in(modelIds))
                .forEach(r -> projects.put(r.value1(), r.value2()));
        return projects;
    }

    private List<Model> withDetails(List<ModelRecord> rows) {
        if (rows.isEmpty()) {
            return List.of();
        }
        List<UUID> ids = rows.stream().map(ModelRecord::getId).toList();
        Map<UUID, Map<String, String>> tags = new HashMap<>();
        dsl.select(MODEL_TAG.MODEL_ID, MODEL_TAG.TAG_KEY, MODEL_TAG.TAG_VALUE).from(MODEL_TAG)
                .where(MODEL_TAG.MODEL_ID.in(ids))
                .forEach(r -> tags.computeIfAbsent(r.value1(), k -> new HashMap<>()).put(r.value2(), r.value3()));
        Map<UUID, Map<String, String>> params = new HashMap<>();
        dsl.select(MODEL_PARAM.MODEL_ID, MODEL_PARAM.PARAM_KEY, MODEL_PARAM.PARAM_VALUE).from(MODEL_PARAM)
                .where(MODEL_PARAM.MODEL_ID.in(ids))
                .forEach(r -> params.computeIfAbsent(r.value1(), k -> new HashMap<>()).put(r.value2(), r.value3()));
        List<Model> models = new ArrayList<>(rows.size());
        for (ModelRecord r : rows) {
            models.add(new Model(r.getId(), r.getExperimentId(), r.getRunId(), r.getName(),
                    ModelStatus.valueOf(r.getStatus()), r.getStatusMessage(), r.getModelType(),
                    tags.getOrDefault(r.getId(), Map.of()), params.getOrDefault(r.getId(), Map.of()),
                    toInstant(r.getCreateTime()), toInstant(r.getUpdateTime()), toInstant(r.getDeletedAt())));
        }
        return models;
    }
}
