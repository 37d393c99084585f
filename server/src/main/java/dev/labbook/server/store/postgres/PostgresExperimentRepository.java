package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.SqlSupport.toInstant;
import static dev.labbook.server.store.postgres.SqlSupport.toTimestamp;
import static dev.labbook.server.store.postgres.internal.generated.Tables.EXPERIMENT;
import static dev.labbook.server.store.postgres.internal.generated.Tables.EXPERIMENT_TAG;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN;

import dev.labbook.server.domain.Experiment;
import dev.labbook.server.domain.Lifecycle;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.Project;
import dev.labbook.server.domain.RunActivity;
import dev.labbook.server.store.ExperimentRepository;
import dev.labbook.server.store.postgres.internal.generated.tables.records.ExperimentRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.exception.DataAccessException;

/** Experiments and their tags in PostgreSQL. */
final class PostgresExperimentRepository implements ExperimentRepository {
    private final DSLContext dsl;

    PostgresExperimentRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public boolean insert(Experiment e) {
        int inserted = dsl.insertInto(EXPERIMENT)
                .set(EXPERIMENT.ID, e.id())
                .set(EXPERIMENT.PROJECT, e.project())
                .set(EXPERIMENT.NAME, e.name())
                .set(EXPERIMENT.NAME_KEY, Limits.nameKey(e.name()))
                .set(EXPERIMENT.DESCRIPTION, e.description())
                .set(EXPERIMENT.FOLDER, e.folder())
                .set(EXPERIMENT.CREATED_AT, toTimestamp(e.createdAt()))
                .set(EXPERIMENT.UPDATED_AT, toTimestamp(e.updatedAt()))
                .set(EXPERIMENT.DELETED_AT, toTimestamp(e.deletedAt()))
                .set(EXPERIMENT.REVISION, e.revision())
                .set(EXPERIMENT.CREATOR, e.creator())
                .onConflictDoNothing()
                .execute();
        if (inserted == 0) {
            return false;
        }
        insertTags(e.id(), e.tags());
        return true;
    }

    @Override
    public java.util.Map<UUID, String> projectsOf(java.util.Collection<UUID> experimentIds) {
        java.util.Map<UUID, String> projects = new java.util.HashMap<>();
        dsl.select(EXPERIMENT.ID, EXPERIMENT.PROJECT).from(EXPERIMENT).where(EXPERIMENT.ID.in(experimentIds))
                .forEach(r -> projects.put(r.value1(), r.value2()));
        return projects;
    }

    @Override
    public Optional<Experiment> findById(UUID id, boolean forUpdate) {
        var query = dsl.selectFrom(EXPERIMENT).where(EXPERIMENT.ID.eq(id));
        ExperimentRecord row = forUpdate ? query.forUpdate().fetchOne() : query.fetchOne();
        return Optional.ofNullable(row).map(r -> toExperiment(r, tags(List.of(r.getId())).get(r.getId())));
    }

    @Override
    public Optional<Experiment> findByName(String project, String nameKey) {
        ExperimentRecord row = dsl.selectFrom(EXPERIMENT)
                .where(EXPERIMENT.PROJECT.eq(project).and(EXPERIMENT.NAME_KEY.eq(nameKey)))
                .fetchOne();
        return Optional.ofNullable(row).map(r -> toExperiment(r, tags(List.of(r.getId())).get(r.getId())));
    }

    @Override
    public List<Experiment> list(String project, Lifecycle lifecycle, String folderPrefix, UUID beforeId, int limit) {
        Condition condition = EXPERIMENT.PROJECT.eq(project).and(SqlSupport.lifecycle(EXPERIMENT.DELETED_AT, lifecycle));
        if (!folderPrefix.isEmpty()) {
            condition = condition.and(EXPERIMENT.FOLDER.eq(folderPrefix)
                    .or(EXPERIMENT.FOLDER.startsWith(folderPrefix + "/")));
        }
        if (beforeId != null) {
            condition = condition.and(EXPERIMENT.ID.lt(beforeId));
        }
        List<ExperimentRecord> rows = dsl.selectFrom(EXPERIMENT)
                .where(condition)
                .orderBy(EXPERIMENT.ID.desc())
                .limit(limit)
                .fetch();
        Map<UUID, Map<String, String>> tags = tags(rows.stream().map(ExperimentRecord::getId).toList());
        List<Experiment> result = new ArrayList<>(rows.size());
        for (ExperimentRecord row : rows) {
            result.add(toExperiment(row, tags.get(row.getId())));
        }
        return result;
    }

    /**
     * One aggregate over the runs of all the given experiments: an index-only scan of
     * run_experiment_id_idx, which carries deleted_at and updated_at for it (V8).
     */
    @Override
    public Map<UUID, RunActivity> runActivity(Collection<UUID> experimentIds) {
        Map<UUID, RunActivity> activity = new HashMap<>();
        if (experimentIds.isEmpty()) {
            return activity;
        }
        dsl.select(RUN.EXPERIMENT_ID, DSL.count().filterWhere(RUN.DELETED_AT.isNull()), DSL.max(RUN.UPDATED_AT))
                .from(RUN)
                .where(RUN.EXPERIMENT_ID.in(experimentIds))
                .groupBy(RUN.EXPERIMENT_ID)
                .forEach(r -> activity.put(r.value1(), new RunActivity(r.value2(), toInstant(r.value3()))));
        return activity;
    }

    @Override
    public boolean update(Experiment e) {
        try {
            dsl.update(EXPERIMENT)
                    .set(EXPERIMENT.NAME, e.name())
                    .set(EXPERIMENT.NAME_KEY, Limits.nameKey(e.name()))
                    .set(EXPERIMENT.DESCRIPTION, e.description())
                    .set(EXPERIMENT.FOLDER, e.folder())
                    .set(EXPERIMENT.UPDATED_AT, toTimestamp(e.updatedAt()))
                    .set(EXPERIMENT.REVISION, EXPERIMENT.REVISION.plus(1))
                    .where(EXPERIMENT.ID.eq(e.id()))
                    .execute();
        } catch (DataAccessException ex) {
            if (SqlSupport.isUniqueViolation(ex)) {
                return false;
            }
            throw ex;
        }
        dsl.deleteFrom(EXPERIMENT_TAG).where(EXPERIMENT_TAG.EXPERIMENT_ID.eq(e.id())).execute();
        insertTags(e.id(), e.tags());
        return true;
    }

    @Override
    public void upsertTags(UUID id, Map<String, String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        var insert = dsl.insertInto(EXPERIMENT_TAG, EXPERIMENT_TAG.EXPERIMENT_ID, EXPERIMENT_TAG.TAG_KEY,
                EXPERIMENT_TAG.TAG_VALUE);
        for (var tag : tags.entrySet()) {
            insert = insert.values(id, tag.getKey(), tag.getValue());
        }
        insert.onConflict(EXPERIMENT_TAG.EXPERIMENT_ID, EXPERIMENT_TAG.TAG_KEY)
                .doUpdate()
                .set(EXPERIMENT_TAG.TAG_VALUE, DSL.excluded(EXPERIMENT_TAG.TAG_VALUE))
                .execute();
    }

    @Override
    public void removeTags(UUID id, Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        dsl.deleteFrom(EXPERIMENT_TAG)
                .where(EXPERIMENT_TAG.EXPERIMENT_ID.eq(id).and(EXPERIMENT_TAG.TAG_KEY.in(keys)))
                .execute();
    }

    @Override
    public void touch(UUID id, Instant updatedAt) {
        dsl.update(EXPERIMENT)
                .set(EXPERIMENT.UPDATED_AT, toTimestamp(updatedAt))
                .set(EXPERIMENT.REVISION, EXPERIMENT.REVISION.plus(1))
                .where(EXPERIMENT.ID.eq(id))
                .execute();
    }

    @Override
    public void setDeletedAt(UUID id, Instant deletedAt, Instant updatedAt) {
        dsl.update(EXPERIMENT)
                .set(EXPERIMENT.DELETED_AT, toTimestamp(deletedAt))
                .set(EXPERIMENT.UPDATED_AT, toTimestamp(updatedAt))
                .set(EXPERIMENT.REVISION, EXPERIMENT.REVISION.plus(1))
                .where(EXPERIMENT.ID.eq(id))
                .execute();
    }

    @Override
    public List<UUID> purge(UUID id) {
        List<UUID> runs = dsl.select(RUN.ID).from(RUN).where(RUN.EXPERIMENT_ID.eq(id)).fetch(RUN.ID);
        // Foreign keys cascade to runs, their tags, params and history.
        dsl.deleteFrom(EXPERIMENT).where(EXPERIMENT.ID.eq(id)).execute();
        return runs;
    }

    /**
     * One row per project with its active experiments and time range, plus {@code alwaysListed}
     * as an empty project when it holds no experiment; in byte order of the names (they are
     * ASCII), so pages are stable.
     */
    @Override
    public List<Project> projects(String alwaysListed, Optional<java.util.Set<String>> only, long offset, int limit) {
        Condition visible = only.map(EXPERIMENT.PROJECT::in).orElse(DSL.trueCondition());
        boolean listAlways = only.map(names -> names.contains(alwaysListed)).orElse(true);
        Field<String> project = EXPERIMENT.PROJECT.as("project");
        Field<Integer> active = DSL.count().filterWhere(EXPERIMENT.DELETED_AT.isNull()).as("active");
        Field<OffsetDateTime> created = DSL.min(EXPERIMENT.CREATED_AT).as("created");
        Field<OffsetDateTime> updated = DSL.max(EXPERIMENT.UPDATED_AT).as("updated");
        var summaries = dsl.select(project, active, created, updated).from(EXPERIMENT).where(visible)
                .groupBy(EXPERIMENT.PROJECT)
                .unionAll(dsl.select(DSL.val(alwaysListed).as("project"), DSL.inline(0).as("active"),
                        DSL.castNull(OffsetDateTime.class).as("created"), DSL.castNull(OffsetDateTime.class)
                                .as("updated"))
                        .where(DSL.val(listAlways).isTrue())
                        .and(DSL.notExists(dsl.selectOne().from(EXPERIMENT)
                                .where(EXPERIMENT.PROJECT.eq(alwaysListed)))))
                .asTable("p");
        Field<String> name = summaries.field("project", String.class);
        return dsl.selectFrom(summaries)
                .orderBy(name.collate("C"))
                .limit(limit)
                .offset(offset)
                .fetch(r -> new Project(r.get(name), r.get("active", Integer.class),
                        toInstant(r.get("created", OffsetDateTime.class)),
                        toInstant(r.get("updated", OffsetDateTime.class))));
    }

    @Override
    public Optional<Project> project(String name) {
        return dsl.select(DSL.count().filterWhere(EXPERIMENT.DELETED_AT.isNull()), DSL.min(EXPERIMENT.CREATED_AT),
                        DSL.max(EXPERIMENT.UPDATED_AT))
                .from(EXPERIMENT)
                .where(EXPERIMENT.PROJECT.eq(name))
                .having(DSL.count().gt(0))
                .fetchOptional(r -> new Project(name, r.value1(), toInstant(r.value2()), toInstant(r.value3())));
    }

    private void insertTags(UUID experimentId, Map<String, String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        var insert = dsl.insertInto(EXPERIMENT_TAG, EXPERIMENT_TAG.EXPERIMENT_ID, EXPERIMENT_TAG.TAG_KEY,
                EXPERIMENT_TAG.TAG_VALUE);
        for (var tag : tags.entrySet()) {
            insert = insert.values(experimentId, tag.getKey(), tag.getValue());
        }
        insert.execute();
    }

    private Map<UUID, Map<String, String>> tags(Collection<UUID> experimentIds) {
        Map<UUID, Map<String, String>> tags = new HashMap<>();
        if (experimentIds.isEmpty()) {
            return tags;
        }
        dsl.select(EXPERIMENT_TAG.EXPERIMENT_ID, EXPERIMENT_TAG.TAG_KEY, EXPERIMENT_TAG.TAG_VALUE)
                .from(EXPERIMENT_TAG)
                .where(EXPERIMENT_TAG.EXPERIMENT_ID.in(experimentIds))
                .forEach(r -> tags.computeIfAbsent(r.value1(), k -> new HashMap<>()).put(r.value2(), r.value3()));
        return tags;
    }

    private static Experiment toExperiment(ExperimentRecord r, Map<String, String> tags) {
        return new Experiment(r.getId(), r.getProject(), r.getName(), r.getDescription(), r.getFolder(),
                tags == null ? Map.of() : tags, toInstant(r.getCreatedAt()), toInstant(r.getUpdatedAt()),
                toInstant(r.getDeletedAt()), r.getRevision(), r.getCreator());
    }
}
