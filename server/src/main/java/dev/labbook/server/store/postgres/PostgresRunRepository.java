package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.SqlSupport.toInstant;
import static dev.labbook.server.store.postgres.SqlSupport.toTimestamp;
import static dev.labbook.server.store.postgres.internal.generated.Tables.EXPERIMENT;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_PARAM;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_STATUS_CHANGE;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_TAG;

import dev.labbook.server.domain.Lifecycle;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.Param;
import dev.labbook.server.domain.ParamValue;
import dev.labbook.server.domain.Run;
import dev.labbook.server.domain.RunStatus;
import dev.labbook.server.domain.RunStatusChange;
import dev.labbook.server.domain.SourceInfo;
import dev.labbook.server.store.RunRepository;
import dev.labbook.server.store.postgres.internal.generated.tables.records.RunRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record1;
import org.jooq.SelectConditionStep;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** Runs, their tags, typed params and status history in PostgreSQL. */
final class PostgresRunRepository implements RunRepository {
    private final DSLContext dsl;

    PostgresRunRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public boolean insert(Run run, String requestId) {
        SourceInfo source = run.source();
        int inserted = dsl.insertInto(RUN)
                .set(RUN.ID, run.id())
                .set(RUN.EXPERIMENT_ID, run.experimentId())
                .set(RUN.NAME, run.name())
                .set(RUN.NAME_KEY, Limits.nameKey(run.name()))
                .set(RUN.STATUS, run.status().name())
                .set(RUN.DESCRIPTION, run.description())
                .set(RUN.PARENT_RUN_ID, run.parentRunId())
                .set(RUN.SOURCE_SCRIPT, source.script())
                .set(RUN.SOURCE_ARGS, source.args().toArray(String[]::new))
                .set(RUN.GIT_COMMIT, source.gitCommit())
                .set(RUN.GIT_DIRTY, source.gitDirty())
                .set(RUN.HOST, source.host())
                .set(RUN.WORKING_DIR, source.workingDir())
                .set(RUN.CREATE_TIME, toTimestamp(run.createTime()))
                .set(RUN.START_TIME, toTimestamp(run.startTime()))
                .set(RUN.END_TIME, toTimestamp(run.endTime()))
                .set(RUN.UPDATED_AT, toTimestamp(run.updatedAt()))
                .set(RUN.DELETED_AT, toTimestamp(run.deletedAt()))
                .set(RUN.RESUME_COUNT, run.resumeCount())
                .set(RUN.REQUEST_ID, requestId)
                .set(RUN.REVISION, run.revision())
                .set(RUN.CREATOR, run.creator())
                // Any unique key: the name, or the request id, in the experiment.
                .onConflictDoNothing()
                .execute();
        if (inserted == 0) {
            return false;
        }
        upsertTags(run.id(), run.tags());
        upsertParams(run.id(), run.params(), run.createTime());
        return true;
    }

    @Override
    public Optional<Run> findById(UUID id, boolean forUpdate) {
        return findOne(RUN.ID.eq(id), forUpdate);
    }

    @Override
    public Map<UUID, String> projectsOf(Collection<UUID> runIds) {
        Map<UUID, String> projects = new HashMap<>();
        dsl.select(RUN.ID, EXPERIMENT.PROJECT).from(RUN).join(EXPERIMENT).on(EXPERIMENT.ID.eq(RUN.EXPERIMENT_ID))
                .where(RUN.ID.in(runIds))
                .forEach(r -> projects.put(r.value1(), r.value2()));
        return projects;
    }

    @Override
    public Optional<Run> findByName(UUID experimentId, String nameKey, boolean forUpdate) {
        return findOne(RUN.EXPERIMENT_ID.eq(experimentId).and(RUN.NAME_KEY.eq(nameKey)), forUpdate);
    }

    @Override
    public Optional<Run> findByRequestId(UUID experimentId, String requestId) {
        return findOne(RUN.EXPERIMENT_ID.eq(experimentId).and(RUN.REQUEST_ID.eq(requestId)), false);
    }

    private Optional<Run> findOne(Condition condition, boolean forUpdate) {
        SelectConditionStep<RunRecord> query = dsl.selectFrom(RUN).where(condition);
        RunRecord row = forUpdate ? query.forUpdate().fetchOne() : query.fetchOne();
        if (row == null) {
            return Optional.empty();
        }
        return Optional.of(withDetails(List.of(row)).get(0));
    }

    @Override
    public List<Run> list(UUID experimentId, UUID parentRunId, Lifecycle lifecycle, UUID beforeId, int limit) {
        Condition condition = RUN.EXPERIMENT_ID.eq(experimentId).and(SqlSupport.lifecycle(RUN.DELETED_AT, lifecycle));
        if (parentRunId != null) {
            condition = condition.and(RUN.PARENT_RUN_ID.eq(parentRunId));
        }
        if (beforeId != null) {
            condition = condition.and(RUN.ID.lt(beforeId));
        }
        return withDetails(dsl.selectFrom(RUN).where(condition).orderBy(RUN.ID.desc()).limit(limit).fetch());
    }

    @Override
    public long updateState(Run run) {
        ChangeNotices.runChanged(dsl, run.id());
        return dsl.update(RUN)
                .set(RUN.STATUS, run.status().name())
                .set(RUN.DESCRIPTION, run.description())
                .set(RUN.START_TIME, toTimestamp(run.startTime()))
                .set(RUN.END_TIME, toTimestamp(run.endTime()))
                .set(RUN.UPDATED_AT, toTimestamp(run.updatedAt()))
                .set(RUN.DELETED_AT, toTimestamp(run.deletedAt()))
                .set(RUN.RESUME_COUNT, run.resumeCount())
                .set(RUN.REVISION, RUN.REVISION.plus(1))
                .where(RUN.ID.eq(run.id()))
                .returning(RUN.REVISION)
                .fetchOptional()
                .map(RunRecord::getRevision)
                .orElseThrow(() -> new IllegalStateException("run " + run.id() + " vanished during its update"));
    }

    @Override
    public boolean rename(UUID runId, String name) {
        try {
            ChangeNotices.runChanged(dsl, runId);
            dsl.update(RUN)
                    .set(RUN.NAME, name)
                    .set(RUN.NAME_KEY, Limits.nameKey(name))
                    .where(RUN.ID.eq(runId))
                    .execute();
            return true;
        } catch (DataAccessException e) {
            if (SqlSupport.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void upsertTags(UUID runId, Map<String, String> tags) {
        if (tags.isEmpty()) {
            return;
        }
        ChangeNotices.runChanged(dsl, runId);
        var insert = dsl.insertInto(RUN_TAG, RUN_TAG.RUN_ID, RUN_TAG.TAG_KEY, RUN_TAG.TAG_VALUE);
        for (var tag : tags.entrySet()) {
            insert = insert.values(runId, tag.getKey(), tag.getValue());
        }
        insert.onConflict(RUN_TAG.RUN_ID, RUN_TAG.TAG_KEY)
                .doUpdate()
                .set(RUN_TAG.TAG_VALUE, DSL.excluded(RUN_TAG.TAG_VALUE))
                .execute();
    }

    @Override
    public void removeTags(UUID runId, Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        ChangeNotices.runChanged(dsl, runId);
        dsl.deleteFrom(RUN_TAG).where(RUN_TAG.RUN_ID.eq(runId).and(RUN_TAG.TAG_KEY.in(keys))).execute();
    }

    @Override
    public Map<String, String> tags(UUID runId) {
        Map<String, String> tags = tagsOf(List.of(runId)).get(runId);
        return tags == null ? Map.of() : tags;
    }

    @Override
    public void upsertParams(UUID runId, List<Param> params, Instant time) {
        if (params.isEmpty()) {
            return;
        }
        ChangeNotices.runChanged(dsl, runId);
        var insert = dsl.insertInto(RUN_PARAM, RUN_PARAM.RUN_ID, RUN_PARAM.PARAM_KEY, RUN_PARAM.VALUE_TYPE,
                RUN_PARAM.VALUE_TEXT, RUN_PARAM.VALUE_NUM, RUN_PARAM.UPDATED_AT);
        for (Param param : params) {
            ParamValue value = param.value();
            insert = insert.values(runId, param.key(), value.typeName(), value.text(), value.number(),
                    toTimestamp(time));
        }
        insert.onConflict(RUN_PARAM.RUN_ID, RUN_PARAM.PARAM_KEY)
                .doUpdate()
                .set(RUN_PARAM.VALUE_TYPE, DSL.excluded(RUN_PARAM.VALUE_TYPE))
                .set(RUN_PARAM.VALUE_TEXT, DSL.excluded(RUN_PARAM.VALUE_TEXT))
                .set(RUN_PARAM.VALUE_NUM, DSL.excluded(RUN_PARAM.VALUE_NUM))
                .set(RUN_PARAM.UPDATED_AT, DSL.excluded(RUN_PARAM.UPDATED_AT))
                .execute();
    }

    @Override
    public void recordStatusChange(UUID runId, RunStatusChange change) {
        dsl.insertInto(RUN_STATUS_CHANGE)
                .set(RUN_STATUS_CHANGE.RUN_ID, runId)
                .set(RUN_STATUS_CHANGE.FROM_STATUS, change.from() == null ? null : change.from().name())
                .set(RUN_STATUS_CHANGE.TO_STATUS, change.to().name())
                .set(RUN_STATUS_CHANGE.CHANGED_AT, toTimestamp(change.at()))
                .set(RUN_STATUS_CHANGE.REASON, change.reason().name())
                .set(RUN_STATUS_CHANGE.MESSAGE, change.message())
                .execute();
    }

    @Override
    public void setLease(UUID runId, Instant expiresAt) {
        dsl.update(RUN).set(RUN.LEASE_EXPIRES_AT, toTimestamp(expiresAt)).where(RUN.ID.eq(runId)).execute();
    }

    @Override
    public boolean renewRunningLease(UUID runId, Instant expiresAt) {
        return dsl.update(RUN)
                .set(RUN.LEASE_EXPIRES_AT, toTimestamp(expiresAt))
                .where(RUN.ID.eq(runId)
                        .and(RUN.STATUS.eq(RunStatus.RUNNING.name()))
                        .and(RUN.DELETED_AT.isNull()))
                .execute() == 1;
    }

    @Override
    public List<UUID> crashExpired(Instant now) {
        // Served by the partial index run_lease_idx (RUNNING runs by lease expiry). A concurrent
        // pass waits for this one's row locks, then re-checks the status and skips the row.
        List<UUID> crashed = dsl.update(RUN)
                .set(RUN.STATUS, RunStatus.CRASHED.name())
                .set(RUN.UPDATED_AT, toTimestamp(now))
                .set(RUN.REVISION, RUN.REVISION.plus(1))
                .where(RUN.STATUS.eq(RunStatus.RUNNING.name())
                        .and(RUN.LEASE_EXPIRES_AT.lt(toTimestamp(now))))
                .returning(RUN.ID)
                .fetch(RunRecord::getId);
        crashed.forEach(id -> ChangeNotices.runChanged(dsl, id));
        return crashed;
    }

    @Override
    public List<RunStatusChange> statusHistory(UUID runId) {
        return dsl.selectFrom(RUN_STATUS_CHANGE)
                .where(RUN_STATUS_CHANGE.RUN_ID.eq(runId))
                .orderBy(RUN_STATUS_CHANGE.ID)
                .fetch(r -> new RunStatusChange(
                        r.getFromStatus() == null ? null : RunStatus.valueOf(r.getFromStatus()),
                        RunStatus.valueOf(r.getToStatus()),
                        toInstant(r.getChangedAt()),
                        RunStatusChange.Reason.valueOf(r.getReason()),
                        r.getMessage()));
    }

    @Override
    public List<UUID> purge(UUID runId) {
        var tree = DSL.name("tree");
        var treeId = DSL.field(DSL.name("tree", "id"), RUN.ID.getDataType());
        CommonTableExpression<Record1<UUID>> descendants = tree.fields("id").as(
                dsl.select(RUN.ID).from(RUN).where(RUN.ID.eq(runId))
                        .unionAll(dsl.select(RUN.ID).from(RUN).join(tree).on(RUN.PARENT_RUN_ID.eq(treeId))));
        List<UUID> runs = dsl.withRecursive(descendants).select(descendants.field(0, UUID.class)).from(descendants)
                .fetch(0, UUID.class);
        // Foreign keys cascade to child runs, tags, params and history; watchers of each are woken.
        runs.forEach(id -> ChangeNotices.runChanged(dsl, id));
        dsl.deleteFrom(RUN).where(RUN.ID.eq(runId)).execute();
        return runs;
    }

    /** The runs of these rows with their tags and params (used by search too). */
    List<Run> withDetails(List<RunRecord> rows) {
        List<UUID> ids = rows.stream().map(RunRecord::getId).toList();
        Map<UUID, Map<String, String>> tags = tagsOf(ids);
        Map<UUID, List<Param>> params = paramsOf(ids);
        List<Run> runs = new ArrayList<>(rows.size());
        for (RunRecord r : rows) {
            SourceInfo source = new SourceInfo(r.getSourceScript(), List.of(r.getSourceArgs()), r.getGitCommit(),
                    r.getGitDirty(), r.getHost(), r.getWorkingDir());
            runs.add(new Run(r.getId(), r.getExperimentId(), r.getName(), RunStatus.valueOf(r.getStatus()),
                    toInstant(r.getCreateTime()), toInstant(r.getStartTime()), toInstant(r.getEndTime()),
                    r.getDescription(), tags.getOrDefault(r.getId(), Map.of()), r.getParentRunId(), source,
                    params.getOrDefault(r.getId(), List.of()), toInstant(r.getUpdatedAt()),
                    toInstant(r.getDeletedAt()), r.getResumeCount(), r.getRevision(), r.getCreator()));
        }
        return runs;
    }

    private Map<UUID, Map<String, String>> tagsOf(Collection<UUID> runIds) {
        Map<UUID, Map<String, String>> tags = new HashMap<>();
        if (runIds.isEmpty()) {
            return tags;
        }
        dsl.select(RUN_TAG.RUN_ID, RUN_TAG.TAG_KEY, RUN_TAG.TAG_VALUE)
                .from(RUN_TAG)
                .where(RUN_TAG.RUN_ID.in(runIds))
                .forEach(r -> tags.computeIfAbsent(r.value1(), k -> new HashMap<>()).put(r.value2(), r.value3()));
        return tags;
    }

    private Map<UUID, List<Param>> paramsOf(Collection<UUID> runIds) {
        Map<UUID, List<Param>> params = new HashMap<>();
        if (runIds.isEmpty()) {
            return params;
        }
        dsl.select(RUN_PARAM.RUN_ID, RUN_PARAM.PARAM_KEY, RUN_PARAM.VALUE_TYPE, RUN_PARAM.VALUE_TEXT)
                .from(RUN_PARAM)
                .where(RUN_PARAM.RUN_ID.in(runIds))
                .orderBy(RUN_PARAM.RUN_ID, RUN_PARAM.PARAM_KEY.collate("C"))
                .forEach(r -> params.computeIfAbsent(r.value1(), k -> new ArrayList<>())
                        .add(new Param(r.value2(), ParamValue.parse(r.value3(), r.value4()))));
        return params;
    }
}
