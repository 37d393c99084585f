package dev.labbook.server.domain;

import dev.labbook.server.domain.RunStatusChange.Reason;
import dev.labbook.server.domain.RunTransitions.Transition;
import dev.labbook.server.domain.access.CurrentCaller;
import dev.labbook.server.store.ExperimentRepository;
import dev.labbook.server.store.RunRepository;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.store.TrackingStore.TrackingTransaction;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Rules for runs: create (retry-safe by request id) and open-or-resume by name, the status
 * lifecycle (see {@link RunTransitions}; every change recorded in the status history), renames
 * and conditional updates by etag, tags, typed params with overwrite, child runs, soft deletion
 * and purge. Every change of a run bumps its revision, so its etag changes.
 */
public final class RunService {
    private final CurrentCaller caller;
    private final TrackingStore store;
    private final ExperimentService experiments;
    private final IdGenerator ids;
    private final Clock clock;
    private final PurgeListener purgeListener;
    private final Duration lease;
    private final RunCancelListener cancelListener;

    public RunService(TrackingStore store, ExperimentService experiments, IdGenerator ids, Clock clock,
            PurgeListener purgeListener, CurrentCaller caller, Duration lease) {
        this(store, experiments, ids, clock, purgeListener, caller, lease, RunCancelListener.NONE);
    }

    /** @param cancelListener told after CancelRun changed a run to CANCELED (not for a run canceled already) */
    public RunService(TrackingStore store, ExperimentService experiments, IdGenerator ids, Clock clock,
            PurgeListener purgeListener, CurrentCaller caller, Duration lease, RunCancelListener cancelListener) {
        this.cancelListener = cancelListener;
        this.lease = lease;
        this.caller = caller;
        this.purgeListener = purgeListener;
        this.store = store;
        this.experiments = experiments;
        this.ids = ids;
        this.clock = clock;
    }

    /**
     * The outcome of an open or resume: the run, whether an existing run was opened
     * ({@code resumed}), and whether the open created the experiment.
     */
    public record Opened(Run run, boolean resumed, boolean experimentCreated) {
    }

    /**
     * The outcome of a lease renewal: the run's status after it, when its lease expires (null
     * when the run is not RUNNING), and whether the renewal made a CRASHED run RUNNING again.
     */
    public record Renewal(RunStatus status, Instant leaseExpiresAt, boolean resumed) {
    }

    /** A run with its status history. */
    public record RunDetails(Run run, List<RunStatusChange> history) {
    }

    // ---- creation ----

    /**
     * CreateRun: only creates. A retry with the request id of an earlier call returns the run
     * that call made; a taken name (also by a soft-deleted run) is ALREADY_EXISTS.
     */
    public Run create(NewRun request) {
        String name = optionalName("name", request.name());
        String description = Limits.description("description", request.description());
        Limits.tags("tags", request.tags());
        SourceInfo source = Limits.source("source", request.source());
        List<Param> params = validParams("params", request.params());
        String requestId = Limits.requestId("request_id", request.requestId());
        if (request.initialStatus() != RunStatus.RUNNING && request.initialStatus() != RunStatus.QUEUED) {
            throw new InvalidArgumentException("initial_status", "must be RUN_STATUS_RUNNING (the default) or "
                    + "RUN_STATUS_QUEUED");
        }
        if (request.experimentId() == null) {
            throw new InvalidArgumentException("experiment_id", "is required");
        }
        return store.inTransaction(tx -> {
            Experiment experiment = ExperimentService.require(tx.experiments(), request.experimentId(), false);
            ExperimentService.requireActive(experiment);
            RunRepository runs = tx.runs();
            if (requestId != null) {
                var earlier = runs.findByRequestId(experiment.id(), requestId);
                if (earlier.isPresent()) {
                    return earlier.get();
                }
            }
            requireParentIn(tx, request.parentRunId(), experiment);
            if (name != null) {
                runs.findByName(experiment.id(), Limits.nameKey(name), false).ifPresent(taken -> {
                    throw nameTaken(taken.name(), taken.deleted());
                });
            }
            Run fresh = newRun(experiment, name, description, request.tags(), request.parentRunId(), source,
                    params, request.initialStatus());
            if (!runs.insert(fresh, requestId)) {
                // A concurrent call took the name or the request id first.
                if (requestId != null) {
                    var earlier = runs.findByRequestId(experiment.id(), requestId);
                    if (earlier.isPresent()) {
                        return earlier.get();
                    }
                }
                throw nameTaken(fresh.name(), false);
            }
            runs.recordStatusChange(fresh.id(), new RunStatusChange(null, fresh.status(), fresh.createTime(),
                    Reason.CREATE));
            leaseIfRunning(runs, fresh, fresh.createTime());
            return fresh;
        });
    }

    /**
     * OpenRun, the upsert by name: creates the run, or resumes the existing one as
     * {@code resume} allows. Concurrent opens of one name yield one run: the loser of the insert
     * race resumes the winner's run.
     */
    public Opened open(OpenRun request) {
        String name = optionalName("name", request.name());
        String description = Limits.description("description", request.description());
        Limits.tags("tags", request.tags());
        SourceInfo source = Limits.source("source", request.source());
        List<Param> params = validParams("params", request.params());
        boolean byName = request.experimentName() != null && !request.experimentName().isEmpty();
        if (request.experimentId() == null && !byName) {
            throw new InvalidArgumentException("experiment_id", "is required (or give project and experiment_name)");
        }
        if (request.experimentId() != null && byName) {
            throw new InvalidArgumentException("experiment_name",
                    "give experiment_id or experiment_name (with project), not both");
        }
        if (request.resume() == ResumePolicy.MUST && name == null) {
            throw new InvalidArgumentException("name", "is required with RESUME_POLICY_MUST");
        }
        Instant startTime = startTime(request.startTime(), now());
        return store.inTransaction(tx -> {
            ExperimentService.OpenedExperiment target = experimentOf(tx.experiments(), request);
            Experiment experiment = target.experiment();
            ExperimentService.requireActive(experiment);
            requireParentIn(tx, request.parentRunId(), experiment);
            RunRepository runs = tx.runs();
            Instant now = now();
            if (name != null) {
                var existing = runs.findByName(experiment.id(), Limits.nameKey(name), true);
                if (existing.isPresent()) {
                    return new Opened(reopen(tx, existing.get(), request.resume(), description, request.tags(),
                            params, now), true, target.created());
                }
                if (request.resume() == ResumePolicy.MUST) {
                    NotFoundException error = new NotFoundException(ErrorReason.RUN_NOT_FOUND, "experiment '"
                            + experiment.name() + "' has no run named '" + name + "' to resume");
                    error.about("run", experiment.id() + "/" + name);
                    throw error;
                }
            }
            Run created = newRun(experiment, name, description, request.tags(), request.parentRunId(), source,
                    params, RunStatus.RUNNING);
            Run fresh = startTime == null ? created
                    : created.withStatus(RunStatus.RUNNING, startTime, null, created.resumeCount());
            if (!runs.insert(fresh, null)) {
                // Another client created the same name concurrently: theirs is the run of that name.
                Run theirs = runs.findByName(experiment.id(), Limits.nameKey(fresh.name()), true)
                        .orElseThrow(() -> new IllegalStateException("name conflict without a row for " + fresh.name()));
                return new Opened(reopen(tx, theirs, request.resume(), description, request.tags(), params, now),
                        true, target.created());
            }
            runs.recordStatusChange(fresh.id(), new RunStatusChange(null, RunStatus.RUNNING, now, Reason.CREATE));
            leaseIfRunning(runs, fresh, now);
            return new Opened(fresh, false, target.created());
        });
    }

    /**
     * OpenRun's {@code start_time_ms}: null when absent; refused before 1970 and after now (a
     * start in the future would let a run end before it began).
     */
    private static Instant startTime(Instant requested, Instant now) {
        if (requested == null) {
            return null;
        }
        if (requested.toEpochMilli() < 0) {
            throw new InvalidArgumentException("start_time_ms", "must not be before 1970 (got "
                    + requested.toEpochMilli() + ")");
        }
        if (requested.isAfter(now)) {
            throw new InvalidArgumentException("start_time_ms", "is in the future (" + requested.toEpochMilli()
                    + " > the server's time " + now.toEpochMilli() + ")");
        }
        return requested;
    }

    private ExperimentService.OpenedExperiment experimentOf(ExperimentRepository repository, OpenRun request) {
        if (request.experimentId() != null) {
            return new ExperimentService.OpenedExperiment(
                    ExperimentService.require(repository, request.experimentId(), false), false);
        }
        if (request.createExperimentIfMissing()) {
            return experiments.openByName(repository, request.project(), request.experimentName());
        }
        return new ExperimentService.OpenedExperiment(ExperimentService.requireByName(repository, "project",
                request.project(), "experiment_name", request.experimentName()), false);
    }

    /** OpenRun of an existing run: resumes or starts it, merges tags, overwrites params. */
    private Run reopen(TrackingTransaction tx, Run existing, ResumePolicy policy, String description,
            Map<String, String> tags, List<Param> params, Instant now) {
        if (policy == ResumePolicy.NEVER) {
            throw nameTaken(existing.name(), existing.deleted());
        }
        RunGuards.requireWritable(tx, existing);
        new TagEdits(tags, List.of()).applyTo(existing.tags(), "run");
        RunRepository runs = tx.runs();
        Transition transition = RunTransitions.resume(existing, now);
        Run next = transition.run();
        if (!description.isEmpty()) {
            next = next.withDescription(description);
        }
        record(runs, transition);
        save(runs, next.withUpdatedAt(now));
        leaseIfRunning(runs, next, now);
        runs.upsertTags(existing.id(), tags);
        runs.upsertParams(existing.id(), params, now);
        return require(runs, existing.id(), false);
    }

    private Run newRun(Experiment experiment, String name, String description, Map<String, String> tags,
            UUID parentRunId, SourceInfo source, List<Param> params, RunStatus status) {
        UUID id = ids.next();
        Instant now = now();
        return new Run(id, experiment.id(), name != null ? name : generatedName(id), status, now,
                status == RunStatus.RUNNING ? now : null, null, description, tags, parentRunId, source,
                sorted(params), now, null, 0, ExperimentService.FIRST_REVISION, caller.name());
    }

    private static void requireParentIn(TrackingTransaction tx, UUID parentRunId, Experiment experiment) {
        if (parentRunId == null) {
            return;
        }
        Run parent = require(tx.runs(), parentRunId, false);
        if (!parent.experimentId().equals(experiment.id())) {
            FailedPreconditionException error = new FailedPreconditionException(ErrorReason.PARENT_RUN_MISMATCH,
                    "parent run " + parent.id() + " belongs to another experiment; a child run must be in its "
                            + "parent's experiment");
            error.about("run", parent.id());
            throw error;
        }
    }

    private static AlreadyExistsException nameTaken(String name, boolean deleted) {
        AlreadyExistsException error = new AlreadyExistsException(ErrorReason.RUN_ALREADY_EXISTS, "a run named '"
                + name + "' already exists in the experiment" + (deleted
                        ? " (soft-deleted: restore it, or purge it to reuse the name)" : ""));
        error.about("run", name);
        return error;
    }

    // ---- reads ----

    public RunDetails get(UUID runId) {
        return store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, false);
            return new RunDetails(run, tx.runs().statusHistory(runId));
        });
    }

    /**
     * GetRun by name: the run {@code runName} of the experiment {@code experimentId}, or when
     * that is null of the experiment {@code experimentName} in {@code project}. Never creates.
     */
    public RunDetails getByName(UUID experimentId, String project, String experimentName, String runName) {
        String name = Limits.name("run_name", runName);
        return store.inTransaction(tx -> {
            Experiment experiment = experimentId != null
                    ? ExperimentService.require(tx.experiments(), experimentId, false)
                    : ExperimentService.requireByName(tx.experiments(), "project", project, "experiment_name",
                            experimentName);
            Run run = tx.runs().findByName(experiment.id(), Limits.nameKey(name), false).orElseThrow(() -> {
                NotFoundException error = new NotFoundException(ErrorReason.RUN_NOT_FOUND, "experiment '"
                        + experiment.name() + "' has no run named '" + name + "'");
                error.about("run", experiment.id() + "/" + name);
                return error;
            });
            return new RunDetails(run, tx.runs().statusHistory(run.id()));
        });
    }

    public Page<Run> list(UUID experimentId, UUID parentRunId, Lifecycle lifecycle, int pageSize, String pageToken) {
        int size = Limits.pageSize("page_size", pageSize);
        String fingerprint = "runs|" + experimentId + "|" + parentRunId + "|" + lifecycle;
        UUID before = PageTokens.decode("page_token", pageToken, fingerprint);
        List<Run> rows = store.inTransaction(tx -> {
            ExperimentService.require(tx.experiments(), experimentId, false);
            return tx.runs().list(experimentId, parentRunId, lifecycle, before, size + 1);
        });
        return Page.ofKeyset(rows, size, Run::id, fingerprint);
    }

    // ---- changes ----

    /**
     * UpdateRun: renames and/or describes the run; with a non-empty {@code etag} only when the
     * run still has it (else FAILED_PRECONDITION, reason ETAG_MISMATCH, and nothing changes).
     */
    public Run update(UUID runId, RunChanges changes, String etag) {
        if (changes.isEmpty()) {
            throw new InvalidArgumentException("update_mask.paths", "names no field to change (use name or description)");
        }
        String newName = changes.name().map(n -> Limits.name("name", n)).orElse(null);
        changes.description().ifPresent(d -> Limits.description("description", d));
        return store.inTransaction(tx -> {
            RunRepository runs = tx.runs();
            Run run = require(runs, runId, true);
            RunGuards.requireWritable(tx, run);
            Etags.require(etag, run.etag(), "run", runId);
            Run next = run;
            if (newName != null && !newName.equals(run.name())) {
                runs.findByName(run.experimentId(), Limits.nameKey(newName), false)
                        .filter(other -> !other.id().equals(runId))
                        .ifPresent(other -> {
                            throw nameTaken(other.name(), other.deleted());
                        });
                if (!runs.rename(runId, newName)) {
                    throw nameTaken(newName, false);
                }
                next = next.withName(newName);
            }
            if (changes.description().isPresent()) {
                next = next.withDescription(changes.description().get());
            }
            return save(runs, next.withUpdatedAt(now()));
        });
    }

    /** StartRun: a QUEUED run becomes RUNNING; a RUNNING one is returned as it is. */
    public Run start(UUID runId) {
        return transition(runId, RunTransitions::start);
    }

    /** FinishRun: COMPLETED or FAILED, at {@code endTime} (null: now). */
    public Run finish(UUID runId, RunStatus status, Instant endTime) {
        RunTransitions.checkFinish(status, endTime);
        return transition(runId, (run, now) -> RunTransitions.finish(run, status, endTime, now));
    }

    /** CancelRun: a QUEUED or RUNNING run becomes CANCELED. */
    public Run cancel(UUID runId) {
        return cancel(runId, null);
    }

    /** CancelRun at {@code endTime} (null: now), not before the run's start. */
    public Run cancel(UUID runId, Instant endTime) {
        RunTransitions.checkEndTime(endTime);
        boolean[] changed = {false};
        Run canceled = store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, true);
            Transition transition = RunTransitions.cancel(run, endTime, now());
            Run after = apply(tx, run, transition);
            changed[0] = transition.changed();
            return after;
        });
        // After the commit: what the listener stops (a Job) must not outlive a rolled-back cancel.
        if (changed[0]) {
            cancelListener.runCanceled(runId);
        }
        return canceled;
    }

    /**
     * Ends a run because the compute it was submitted to says it cannot go on: FAILED (its pod
     * could not run or died) or CANCELED (its Job was deleted), recorded with {@code reason} and
     * {@code message} in its status history. A run that already finished is left as it is, so
     * several replicas reporting the same event end it once; like the lease expiry, this applies
     * to soft-deleted runs too (it records what happened, it is no user's change). Runs in
     * {@code tx}, the caller's transaction, so that the caller's own record of the event commits
     * with it. Returns whether the run changed.
     */
    public boolean endByCompute(TrackingTransaction tx, UUID runId, RunStatus status, Reason reason, String message) {
        if (status != RunStatus.FAILED && status != RunStatus.CANCELED) {
            throw new IllegalArgumentException("a compute ends a run FAILED or CANCELED, not " + status);
        }
        var found = tx.runs().findById(runId, true);
        if (found.isEmpty() || found.get().status().isTerminal()) {
            return false;
        }
        Run run = found.get();
        Instant now = now();
        Transition rule = status == RunStatus.CANCELED ? RunTransitions.cancel(run, now)
                : RunTransitions.finish(run, RunStatus.FAILED, null, now);
        if (!rule.changed()) {
            return false;
        }
        Transition transition = new Transition(rule.run(), rule.change().because(reason, message));
        record(tx.runs(), transition);
        save(tx.runs(), transition.run().withUpdatedAt(now));
        return true;
    }

    /**
     * ResumeRun: a finished or CRASHED run becomes RUNNING again, a QUEUED one starts;
     * {@code resumed} when it had finished or crashed.
     */
    public Opened resume(UUID runId) {
        return store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, true);
            boolean finished = run.status().isTerminal() || run.status() == RunStatus.CRASHED;
            return new Opened(apply(tx, run, RunTransitions.resume(run, now())), finished, false);
        });
    }

    private Run transition(UUID runId, BiFunction<Run, Instant, Transition> rule) {
        return store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, true);
            return apply(tx, run, rule.apply(run, now()));
        });
    }

    /**
     * RenewRunLease: a RUNNING run's lease expires a lease from now; a CRASHED run becomes
     * RUNNING again with a fresh lease; other runs are left alone. The common case, a RUNNING
     * run, is one UPDATE (which skips the deleted-experiment check: a lease is no user data).
     */
    public Renewal renewLease(UUID runId) {
        return store.inTransaction(tx -> {
            Instant now = now();
            Instant expiry = now.plus(lease);
            if (tx.runs().renewRunningLease(runId, expiry)) {
                return new Renewal(RunStatus.RUNNING, expiry, false);
            }
            Run run = require(tx.runs(), runId, true);
            Transition transition = RunTransitions.renew(run, now);
            Run after = apply(tx, run, transition);
            return after.status() == RunStatus.RUNNING
                    ? new Renewal(RunStatus.RUNNING, expiry, transition.changed())
                    : new Renewal(after.status(), null, false);
        });
    }

    /** Stores a status transition (nothing when the rule changed nothing) after the writability checks. */
    private Run apply(TrackingTransaction tx, Run run, Transition transition) {
        RunGuards.requireWritable(tx, run);
        Instant now = transition.changed() ? transition.change().at() : now();
        // StartRun, ResumeRun and RenewRunLease of a RUNNING run give it a fresh lease.
        leaseIfRunning(tx.runs(), transition.run(), now);
        if (!transition.changed()) {
            return run;
        }
        record(tx.runs(), transition);
        return save(tx.runs(), transition.run().withUpdatedAt(transition.change().at()));
    }

    /** A run that is RUNNING now gets a lease that expires a lease after {@code now}. */
    private void leaseIfRunning(RunRepository runs, Run run, Instant now) {
        if (run.status() == RunStatus.RUNNING) {
            runs.setLease(run.id(), now.plus(lease));
        }
    }

    public Map<String, String> setTags(UUID runId, Map<String, String> tags, List<String> removeKeys) {
        TagEdits edits = TagEdits.of(tags, removeKeys);
        return store.inTransaction(tx -> {
            RunRepository runs = tx.runs();
            Run run = require(runs, runId, true);
            RunGuards.requireWritable(tx, run);
            edits.applyTo(run.tags(), "run");
            runs.removeTags(runId, edits.removeKeys());
            runs.upsertTags(runId, edits.tags());
            save(runs, run.withUpdatedAt(now()));
            return runs.tags(runId);
        });
    }

    public int logParams(UUID runId, List<Param> params) {
        return logParams(runId, params, false);
    }

    /**
     * LogParams. With {@code refuseChanges} (MLflow's rule) a key the run already has with another
     * value (compared as canonical text) is FAILED_PRECONDITION PARAM_VALUE_CHANGED and nothing of
     * the call is stored; keys it has with the same value are left as they are. Without it,
     * params are overwritten. The check runs on the locked run, in the write's transaction.
     */
    public int logParams(UUID runId, List<Param> params, boolean refuseChanges) {
        List<Param> valid = validParams("params", params);
        if (valid.isEmpty()) {
            throw new InvalidArgumentException("params", "is empty; give at least one param");
        }
        return store.inTransaction(tx -> {
            RunRepository runs = tx.runs();
            Run run = require(runs, runId, true);
            RunGuards.requireWritable(tx, run);
            List<Param> writes = valid;
            if (refuseChanges) {
                Map<String, ParamValue> logged = new HashMap<>();
                run.params().forEach(p -> logged.put(p.key(), p.value()));
                writes = new ArrayList<>(valid.size());
                for (int i = 0; i < valid.size(); i++) {
                    Param param = valid.get(i);
                    ParamValue before = logged.get(param.key());
                    if (before == null) {
                        writes.add(param);
                    } else if (!before.text().equals(param.value().text())) {
                        throw paramChanged("params[" + i + "]", param.key(), before.text(), param.value().text());
                    }
                }
                if (writes.isEmpty()) {
                    return valid.size();
                }
            }
            Instant now = now();
            runs.upsertParams(runId, writes, now);
            save(runs, run.withUpdatedAt(now));
            return valid.size();
        });
    }

    /**
     * The refusal of a param logged before with another value, in MLflow's words (FAILED_PRECONDITION,
     * reason PARAM_VALUE_CHANGED, metadata {@code field} and {@code key}). Values longer than 250
     * characters are cut short (the status message travels in a trailer of limited size).
     */
    public static FailedPreconditionException paramChanged(String field, String key, String logged,
            String attempted) {
        FailedPreconditionException error = new FailedPreconditionException(ErrorReason.PARAM_VALUE_CHANGED,
                field + ": changing param values is not allowed: param '" + key + "' was already logged with value '"
                        + shortened(logged) + "'; attempted '" + shortened(attempted) + "'");
        error.with("field", field);
        error.with("key", key);
        return error;
    }

    public Run delete(UUID runId) {
        return store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, true);
            if (run.deleted()) {
                return run;
            }
            Instant now = now();
            return save(tx.runs(), run.withDeletedAt(now).withUpdatedAt(now));
        });
    }

    public Run restore(UUID runId) {
        return store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, true);
            if (!run.deleted()) {
                return run;
            }
            return save(tx.runs(), run.withDeletedAt(null).withUpdatedAt(now()));
        });
    }

    public long purge(UUID runId) {
        List<UUID> purged = store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, true);
            if (!run.deleted()) {
                FailedPreconditionException error = new FailedPreconditionException(ErrorReason.NOT_DELETED,
                        "run " + runId + " is not deleted; delete it first, then purge it");
                error.about("run", runId);
                throw error;
            }
            return tx.runs().purge(runId);
        });
        purgeListener.runsPurged(purged);
        return purged.size();
    }

    // ---- helpers ----

    /** Writes the run's state; returns it with the revision the write gave it. */
    private static Run save(RunRepository runs, Run next) {
        return next.withRevision(runs.updateState(next));
    }

    private static void record(RunRepository runs, Transition transition) {
        if (transition.changed()) {
            runs.recordStatusChange(transition.run().id(), transition.change());
        }
    }

    private static Run require(RunRepository runs, UUID runId, boolean forUpdate) {
        return runs.findById(runId, forUpdate).orElseThrow(() -> RunGuards.notFound(runId));
    }

    private static String optionalName(String field, String name) {
        return name == null || name.isEmpty() ? null : Limits.name(field, name);
    }

    private static List<Param> validParams(String field, List<Param> params) {
        if (params.size() > Limits.MAX_PARAMS_PER_CALL) {
            throw new InvalidArgumentException(field,
                    "has " + params.size() + " params; at most " + Limits.MAX_PARAMS_PER_CALL + " per call");
        }
        Set<String> seen = new HashSet<>();
        List<Param> valid = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            Param param = params.get(i);
            String key = Limits.key(field + "[" + i + "].key", param.key());
            if (!seen.add(key)) {
                throw new InvalidArgumentException(field + "[" + i + "].key",
                        "'" + key + "' appears more than once in this request");
            }
            Limits.paramValue(field + "[" + i + "].value", param.value());
            valid.add(param);
        }
        return valid;
    }

    private static String shortened(String value) {
        return value.length() <= 250 ? value : value.substring(0, 247) + "...";
    }

    private static List<Param> sorted(List<Param> params) {
        List<Param> copy = new ArrayList<>(params);
        copy.sort((a, b) -> a.key().compareTo(b.key()));
        return copy;
    }

    private static String generatedName(UUID id) {
        return "run-" + id.toString().substring(24);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
