package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.SqlSupport.toInstant;
import static dev.labbook.server.store.postgres.SqlSupport.toTimestamp;
import static dev.labbook.server.store.postgres.internal.generated.Tables.RUN_SUBMISSION;

import dev.labbook.server.domain.submit.JobState;
import dev.labbook.server.domain.submit.Submission;
import dev.labbook.server.domain.submit.SubmitSpec;
import dev.labbook.server.store.SubmissionRepository;
import dev.labbook.server.store.postgres.internal.generated.tables.records.RunSubmissionRecord;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.SelectConditionStep;

/** Submissions in PostgreSQL (table run_submission), the spec in columns. */
final class PostgresSubmissionRepository implements SubmissionRepository {
    private final DSLContext dsl;

    PostgresSubmissionRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public boolean insert(Submission submission) {
        SubmitSpec spec = submission.spec();
        // Sorted by name: the arrays keep one order whatever map the spec came in.
        Map<String, String> variables = new TreeMap<>(spec.variables());
        return dsl.insertInto(RUN_SUBMISSION)
                .set(RUN_SUBMISSION.RUN_ID, submission.runId())
                .set(RUN_SUBMISSION.COMPUTE_TARGET, spec.computeTarget())
                .set(RUN_SUBMISSION.NAMESPACE, submission.namespace())
                .set(RUN_SUBMISSION.JOB_NAME, submission.jobName())
                .set(RUN_SUBMISSION.POD_NAME, submission.podName())
                .set(RUN_SUBMISSION.STATE, submission.state().name())
                .set(RUN_SUBMISSION.MESSAGE, submission.message())
                .set(RUN_SUBMISSION.SCRIPT, spec.script())
                .set(RUN_SUBMISSION.ARGUMENTS, spec.arguments().toArray(String[]::new))
                .set(RUN_SUBMISSION.SNAPSHOT_PATH, spec.snapshotPath())
                .set(RUN_SUBMISSION.IMAGE, spec.image())
                .set(RUN_SUBMISSION.PIP_REQUIREMENTS, spec.pipRequirements().toArray(String[]::new))
                .set(RUN_SUBMISSION.VARIABLE_NAMES, variables.keySet().toArray(String[]::new))
                .set(RUN_SUBMISSION.VARIABLE_VALUES, variables.values().toArray(String[]::new))
                .set(RUN_SUBMISSION.CPU, spec.cpu())
                .set(RUN_SUBMISSION.MEMORY, spec.memory())
                .set(RUN_SUBMISSION.GPU, spec.gpu())
                .set(RUN_SUBMISSION.CREATE_TIME, toTimestamp(submission.createTime()))
                .set(RUN_SUBMISSION.UPDATE_TIME, toTimestamp(submission.updateTime()))
                .onConflictDoNothing()
                .execute() == 1;
    }

    @Override
    public Optional<Submission> find(UUID runId, boolean forUpdate) {
        SelectConditionStep<RunSubmissionRecord> query = dsl.selectFrom(RUN_SUBMISSION)
                .where(RUN_SUBMISSION.RUN_ID.eq(runId));
        RunSubmissionRecord row = forUpdate ? query.forUpdate().fetchOne() : query.fetchOne();
        return Optional.ofNullable(row).map(PostgresSubmissionRepository::submission);
    }

    @Override
    public void update(Submission submission) {
        dsl.update(RUN_SUBMISSION)
                .set(RUN_SUBMISSION.POD_NAME, submission.podName())
                .set(RUN_SUBMISSION.STATE, submission.state().name())
                .set(RUN_SUBMISSION.MESSAGE, submission.message())
                .set(RUN_SUBMISSION.UPDATE_TIME, toTimestamp(submission.updateTime()))
                .where(RUN_SUBMISSION.RUN_ID.eq(submission.runId()))
                .execute();
    }

    @Override
    public void delete(UUID runId) {
        dsl.deleteFrom(RUN_SUBMISSION).where(RUN_SUBMISSION.RUN_ID.eq(runId)).execute();
    }

    private static Submission submission(RunSubmissionRecord r) {
        Map<String, String> variables = new LinkedHashMap<>();
        String[] names = r.getVariableNames();
        String[] values = r.getVariableValues();
        for (int i = 0; i < names.length; i++) {
            variables.put(names[i], values[i]);
        }
        SubmitSpec spec = new SubmitSpec(r.getComputeTarget(), r.getScript(), List.of(r.getArguments()),
                r.getSnapshotPath(), r.getImage(), List.of(r.getPipRequirements()), variables, r.getCpu(),
                r.getMemory(), r.getGpu());
        return new Submission(r.getRunId(), spec, r.getNamespace(), r.getJobName(), r.getPodName(),
                JobState.valueOf(r.getState()), r.getMessage(), toInstant(r.getCreateTime()),
                toInstant(r.getUpdateTime()));
    }
}
