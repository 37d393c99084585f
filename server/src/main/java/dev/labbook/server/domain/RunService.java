package dev.labbook.server.domain;

import dev.labbook.server.domain.RunStatusChange.Reason;
import dev.labbook.server.store.RunRepository;
import dev.labbook.server.store.TrackingStore.TrackingTransaction;
import dev.labbook.server.store.TrackingStore;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Rules for runs: open-or-resume by name, the status lifecycle (RUNNING, then COMPLETED, FAILED
 * or CANCELED; back to RUNNING only by resuming, which is recorded), tags, typed params with
 * overwrite, child runs, soft deletion and purge.
 */
public final class RunService {
    private final TrackingStore store;
    private final ExperimentService experiments;
    private final IdGenerator ids;
    private final Clock clock;
    private final PurgeListener purgeListener;

    public RunService(TrackingStore store, ExperimentService experiments, IdGenerator ids, Clock clock,
            PurgeListener purgeListener) {
        this.purgeListener = purgeListener;
        this.store = store;
        this.experiments = experiments;
        this.ids = ids;
        this.clock = clock;
    }

    /** The outcome of an open: the run (RUNNING) and whether an existing run was resumed. */
    public record Opened(Run run, boolean resumed) {
    }

    /** A run with its status history. */
    public record RunDetails(Run run, List<RunStatusChange> history) {
    }

    public Opened open(OpenRun request) {
        String name = request.name() == null || request.name().isEmpty() ? null : Limits.name("name", request.name());
        String description = Limits.description("description", request.description());
        Limits.tags("tags", request.tags());
        SourceInfo source = Limits.source("source", request.source());
        List<Param> params = validParams("params", request.params());
        if (request.experimentId() == null && (request.experimentName() == null || request.experimentName().isEmpty())) {
            throw new InvalidArgumentException("experiment_id", "is required (or give experiment_name)");
        }
        return store.inTransaction(tx -> {
            Experiment experiment = request.experimentId() != null
                    ? ExperimentService.require(tx.experiments(), request.experimentId(), false)
                    : experiments.openByName(tx.experiments(), request.project(), request.experimentName());
            if (experiment.deleted()) {
                throw new FailedPreconditionException(ErrorReason.EXPERIMENT_DELETED, 
                        "experiment '" + experiment.name() + "' is deleted; restore it before logging runs to it");
            }
            if (request.parentRunId() != null) {
                Run parent = require(tx.runs(), request.parentRunId(), false);
                if (!parent.experimentId().equals(experiment.id())) {
                    throw new FailedPreconditionException(ErrorReason.PARENT_RUN_MISMATCH, "parent run " + parent.id()
                            + " belongs to another experiment; a child run must be in its parent's experiment");
                }
            }
            RunRepository runs = tx.runs();
            Instant now = now();
            if (name != null) {
                var existing = runs.findByName(experiment.id(), Limits.nameKey(name), true);
                if (existing.isPresent()) {
                    return resumeExisting(tx, existing.get(), description, request.tags(), params, now);
                }
            }
            UUID id = ids.next();
            String runName = name != null ? name : generatedName(id);
            Run fresh = new Run(id, experiment.id(), runName, RunStatus.RUNNING, now, null, description,
                    request.tags(), request.parentRunId(), source, sorted(params), now, null, 0);
            if (!runs.insert(fresh)) {
                // Another client created the same name concurrently: resume theirs.
                Run theirs = runs.findByName(experiment.id(), Limits.nameKey(runName), true)
                        .orElseThrow(() -> new IllegalStateException("name conflict without a row for " + runName));
                return resumeExisting(tx, theirs, description, request.tags(), params, now);
            }
            runs.recordStatusChange(id, new RunStatusChange(null, RunStatus.RUNNING, now, Reason.CREATE));
            return new Opened(fresh, false);
        });
    }

    private Opened resumeExisting(TrackingTransaction tx, Run existing, String description, Map<String, String> tags,
            List<Param> params, Instant now) {
        requireWritable(tx, existing);
        RunRepository runs = tx.runs();
        Map<String, String> mergedTags = new HashMap<>(existing.tags());
        mergedTags.putAll(tags);
        Limits.tags("tags", mergedTags);
        Run next = reopened(runs, existing, now);
        String newDescription = description.isEmpty() ? next.description() : description;
        runs.updateState(next.withState(next.status(), newDescription, next.endTime(), now, null,
                next.resumeCount()));
        runs.upsertTags(existing.id(), tags);
        runs.upsertParams(existing.id(), params, now);
        return new Opened(require(runs, existing.id(), false), true);
    }

    /** Sets a finished run RUNNING again and records it; a RUNNING run is returned as it is. */
    private Run reopened(RunRepository runs, Run run, Instant now) {
        if (!run.status().isTerminal()) {
            return run;
        }
        runs.recordStatusChange(run.id(), new RunStatusChange(run.status(), RunStatus.RUNNING, now, Reason.RESUME));
        return run.withState(RunStatus.RUNNING, run.description(), null, now, null, run.resumeCount() + 1);
    }

    public RunDetails get(UUID runId) {
        return store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, false);
            return new RunDetails(run, tx.runs().statusHistory(runId));
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

    public Run update(UUID runId, RunChanges changes) {
        if (changes.isEmpty()) {
            throw new InvalidArgumentException("update_fields",
                    "names no field to change (use status, description or end_time_ms)");
        }
        changes.description().ifPresent(d -> Limits.description("description", d));
        return store.inTransaction(tx -> {
            RunRepository runs = tx.runs();
            Run run = require(runs, runId, true);
            requireWritable(tx, run);
            Instant now = now();
            RunStatus status = run.status();
            Instant endTime = run.endTime();
            if (changes.status().isPresent() && changes.status().get() != run.status()) {
                RunStatus target = changes.status().get();
                if (run.status().isTerminal()) {
                    throw new FailedPreconditionException(ErrorReason.INVALID_STATUS_TRANSITION, target == RunStatus.RUNNING
                            ? "run " + runId + " is " + run.status() + "; reopen it with ResumeRun"
                            : "run " + runId + " is already " + run.status() + "; it cannot become " + target);
                }
                status = target;
                endTime = now;
                runs.recordStatusChange(runId, new RunStatusChange(run.status(), target, now, Reason.UPDATE));
            }
            if (changes.endTime().isPresent()) {
                if (!status.isTerminal()) {
                    throw new FailedPreconditionException(ErrorReason.INVALID_STATUS_TRANSITION, "end_time_ms can only be set on a finished run; run "
                            + runId + " is RUNNING (set status in the same update)");
                }
                Instant requested = changes.endTime().get();
                if (requested.isBefore(run.startTime())) {
                    throw new InvalidArgumentException("end_time_ms", "is before the run's start time "
                            + run.startTime().toEpochMilli());
                }
                endTime = requested;
            }
            String description = changes.description().orElse(run.description());
            Run next = run.withState(status, description, endTime, now, null, run.resumeCount());
            runs.updateState(next);
            return next;
        });
    }

    public Opened resume(UUID runId) {
        return store.inTransaction(tx -> {
            RunRepository runs = tx.runs();
            Run run = require(runs, runId, true);
            requireWritable(tx, run);
            if (!run.status().isTerminal()) {
                return new Opened(run, false);
            }
            Instant now = now();
            Run next = reopened(runs, run, now);
            runs.updateState(next);
            return new Opened(next, true);
        });
    }

    public Map<String, String> setTags(UUID runId, Map<String, String> tags, List<String> removeKeys) {
        Limits.tags("tags", tags);
        for (int i = 0; i < removeKeys.size(); i++) {
            String key = Limits.key("remove_keys[" + i + "]", removeKeys.get(i));
            if (tags.containsKey(key)) {
                throw new InvalidArgumentException("remove_keys[" + i + "]",
                        "'" + key + "' is also set in tags; a key can be set or removed, not both");
            }
        }
        if (tags.isEmpty() && removeKeys.isEmpty()) {
            throw new InvalidArgumentException("tags", "is empty and remove_keys is empty; nothing to change");
        }
        return store.inTransaction(tx -> {
            RunRepository runs = tx.runs();
            Run run = require(runs, runId, true);
            requireWritable(tx, run);
            Map<String, String> merged = new HashMap<>(run.tags());
            merged.putAll(tags);
            removeKeys.forEach(merged::remove);
            if (merged.size() > Limits.MAX_TAGS) {
                throw new InvalidArgumentException("tags",
                        "would give the run " + merged.size() + " tags; at most " + Limits.MAX_TAGS + " allowed");
            }
            runs.removeTags(runId, removeKeys);
            runs.upsertTags(runId, tags);
            runs.updateState(touched(run));
            return runs.tags(runId);
        });
    }

    public int logParams(UUID runId, List<Param> params) {
        List<Param> valid = validParams("params", params);
        if (valid.isEmpty()) {
            throw new InvalidArgumentException("params", "is empty; give at least one param");
        }
        return store.inTransaction(tx -> {
            RunRepository runs = tx.runs();
            Run run = require(runs, runId, true);
            requireWritable(tx, run);
            runs.upsertParams(runId, valid, now());
            runs.updateState(touched(run));
            return valid.size();
        });
    }

    public Run delete(UUID runId) {
        return store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, true);
            if (run.deleted()) {
                return run;
            }
            Instant now = now();
            Run next = run.withState(run.status(), run.description(), run.endTime(), now, now, run.resumeCount());
            tx.runs().updateState(next);
            return next;
        });
    }

    public Run restore(UUID runId) {
        return store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, true);
            if (!run.deleted()) {
                return run;
            }
            Run next = run.withState(run.status(), run.description(), run.endTime(), now(), null, run.resumeCount());
            tx.runs().updateState(next);
            return next;
        });
    }

    public long purge(UUID runId) {
        long purged = store.inTransaction(tx -> {
            Run run = require(tx.runs(), runId, true);
            if (!run.deleted()) {
                throw new FailedPreconditionException(ErrorReason.NOT_DELETED, 
                        "run " + runId + " is not deleted; delete it first, then purge it");
            }
            return tx.runs().purge(runId);
        });
        purgeListener.runsPurged();
        return purged;
    }

    private Run touched(Run run) {
        return run.withState(run.status(), run.description(), run.endTime(), now(), run.deletedAt(),
                run.resumeCount());
    }

    private static void requireWritable(TrackingTransaction tx, Run run) {
        RunGuards.requireWritable(tx, run);
    }

    private static Run require(RunRepository runs, UUID runId, boolean forUpdate) {
        return runs.findById(runId, forUpdate).orElseThrow(() -> RunGuards.notFound(runId));
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
