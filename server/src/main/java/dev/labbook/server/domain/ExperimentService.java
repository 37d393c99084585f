package dev.labbook.server.domain;

import dev.labbook.server.domain.access.CurrentCaller;
import dev.labbook.server.store.ExperimentRepository;
import dev.labbook.server.store.TrackingStore;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Rules for experiments: naming, upsert by name, conditional updates (etags), tags, soft
 * deletion, restore and purge.
 */
public final class ExperimentService {
    /** The revision of a new experiment or run; each change adds one. */
    static final long FIRST_REVISION = 1;
    private final CurrentCaller caller;
    private final TrackingStore store;
    private final IdGenerator ids;
    private final Clock clock;
    private final PurgeListener purgeListener;

    public ExperimentService(TrackingStore store, IdGenerator ids, Clock clock, PurgeListener purgeListener,
            CurrentCaller caller) {
        this.caller = caller;
        this.store = store;
        this.ids = ids;
        this.clock = clock;
        this.purgeListener = purgeListener;
    }

    /** The outcome of a create: the experiment, and whether this call made it. */
    public record Created(ExperimentWithActivity experiment, boolean created) {
    }

    /** The experiment OpenRun runs in, and whether the open created it. */
    record OpenedExperiment(Experiment experiment, boolean created) {
    }

    public Created create(NewExperiment request, boolean returnExisting) {
        String project = Limits.project("project", request.project());
        String name = Limits.name("name", request.name());
        String description = Limits.description("description", request.description());
        String folder = Limits.folder("folder", request.folder());
        Limits.tags("tags", request.tags());
        return store.inTransaction(tx -> {
            ExperimentRepository experiments = tx.experiments();
            Instant now = now();
            Experiment fresh = new Experiment(ids.next(), project, name, description, folder, request.tags(), now, now,
                    null, FIRST_REVISION, caller.name());
            Experiment existing = insertOrFind(experiments, fresh);
            if (existing == fresh) {
                return new Created(new ExperimentWithActivity(fresh, RunActivity.NONE), true);
            }
            if (existing.deleted()) {
                throw new AlreadyExistsException(ErrorReason.EXPERIMENT_ALREADY_EXISTS, "experiment '" + existing.name() + "' exists in project '" + project
                        + "' but is deleted; restore it, or purge it to reuse the name");
            }
            if (!returnExisting) {
                throw new AlreadyExistsException(ErrorReason.EXPERIMENT_ALREADY_EXISTS, 
                        "experiment '" + existing.name() + "' already exists in project '" + project + "'");
            }
            return new Created(withActivity(experiments, existing), false);
        });
    }

    /**
     * Used by OpenRun with create_experiment_if_missing: the experiment of that name, created
     * when missing (within the caller's transaction, so a failed open creates nothing).
     */
    OpenedExperiment openByName(ExperimentRepository experiments, String project, String name) {
        String validProject = Limits.project("project", project);
        String validName = Limits.name("experiment_name", name);
        Instant now = now();
        Experiment fresh = new Experiment(ids.next(), validProject, validName, "", "", Map.of(), now, now, null,
                FIRST_REVISION, caller.name());
        Experiment existing = insertOrFind(experiments, fresh);
        return new OpenedExperiment(existing, existing == fresh);
    }

    /** The experiment of that name in the project (deleted too), or NOT_FOUND. */
    static Experiment requireByName(ExperimentRepository experiments, String projectField, String project,
            String nameField, String name) {
        String validProject = Limits.project(projectField, project);
        String validName = Limits.name(nameField, name);
        return experiments.findByName(validProject, Limits.nameKey(validName)).orElseThrow(() -> {
            NotFoundException error = new NotFoundException(ErrorReason.EXPERIMENT_NOT_FOUND,
                    "experiment '" + validName + "' not found in project '" + validProject + "'");
            error.about("experiment", validProject + "/" + validName);
            return error;
        });
    }

    /** Refuses changes under a soft-deleted experiment. */
    static void requireActive(Experiment experiment) {
        if (experiment.deleted()) {
            FailedPreconditionException error = new FailedPreconditionException(ErrorReason.EXPERIMENT_DELETED,
                    "experiment '" + experiment.name() + "' in project '" + experiment.project()
                            + "' is deleted; restore it first");
            error.about("experiment", experiment.id());
            throw error;
        }
    }

    public ExperimentWithActivity get(UUID id) {
        return store.inTransaction(tx -> withActivity(tx.experiments(), require(tx.experiments(), id, false)));
    }

    public ExperimentWithActivity getByName(String project, String name) {
        return store.inTransaction(tx -> withActivity(tx.experiments(),
                requireByName(tx.experiments(), "project", project, "name", name)));
    }

    /** A page of experiments; the activity of all their runs is read with one query per page. */
    public Page<ExperimentWithActivity> list(String project, Lifecycle lifecycle, String folderPrefix, int pageSize,
            String pageToken) {
        String validProject = Limits.project("project", project);
        String validFolder = Limits.folder("folder_prefix", folderPrefix);
        int size = Limits.pageSize("page_size", pageSize);
        String fingerprint = "experiments|" + validProject + "|" + lifecycle + "|" + validFolder;
        UUID before = PageTokens.decode("page_token", pageToken, fingerprint);
        return store.inTransaction(tx -> {
            ExperimentRepository experiments = tx.experiments();
            Page<Experiment> page = Page.ofKeyset(experiments.list(validProject, lifecycle, validFolder, before,
                    size + 1), size, Experiment::id, fingerprint);
            Map<UUID, RunActivity> activity = experiments.runActivity(
                    page.items().stream().map(Experiment::id).toList());
            List<ExperimentWithActivity> items = page.items().stream()
                    .map(e -> new ExperimentWithActivity(e, activity.getOrDefault(e.id(), RunActivity.NONE)))
                    .toList();
            return new Page<>(items, page.nextPageToken());
        });
    }

    /**
     * Changes the given fields; with a non-empty {@code etag} only when the experiment still has
     * it (else FAILED_PRECONDITION, reason ETAG_MISMATCH, and nothing changes).
     */
    public ExperimentWithActivity update(UUID id, ExperimentChanges changes, String etag) {
        if (changes.isEmpty()) {
            throw new InvalidArgumentException("update_mask.paths",
                    "names no field to change (use name, description, folder or tags)");
        }
        changes.name().ifPresent(n -> Limits.name("name", n));
        changes.description().ifPresent(d -> Limits.description("description", d));
        String folder = changes.folder().map(f -> Limits.folder("folder", f)).orElse(null);
        changes.tags().ifPresent(t -> Limits.tags("tags", t));
        return store.inTransaction(tx -> {
            ExperimentRepository experiments = tx.experiments();
            Experiment current = require(experiments, id, true);
            requireActive(current);
            Etags.require(etag, current.etag(), "experiment", id);
            Experiment next = current;
            if (changes.name().isPresent()) {
                next = next.withName(changes.name().get());
            }
            if (changes.description().isPresent()) {
                next = next.withDescription(changes.description().get());
            }
            if (folder != null) {
                next = next.withFolder(folder);
            }
            if (changes.tags().isPresent()) {
                next = next.withTags(changes.tags().get());
            }
            next = next.withUpdatedAt(now());
            if (!experiments.update(next)) {
                AlreadyExistsException error = new AlreadyExistsException(ErrorReason.EXPERIMENT_ALREADY_EXISTS,
                        "experiment '" + next.name() + "' already exists in project '" + next.project() + "'");
                error.about("experiment", next.project() + "/" + next.name());
                throw error;
            }
            return withActivity(experiments, require(experiments, id, false));
        });
    }

    /** Adds or overwrites tags and removes {@code removeKeys}; returns the experiment after the change. */
    public ExperimentWithActivity setTags(UUID id, Map<String, String> tags, List<String> removeKeys) {
        TagEdits edits = TagEdits.of(tags, removeKeys);
        return store.inTransaction(tx -> {
            ExperimentRepository experiments = tx.experiments();
            Experiment current = require(experiments, id, true);
            requireActive(current);
            edits.applyTo(current.tags(), "experiment");
            experiments.removeTags(id, edits.removeKeys());
            experiments.upsertTags(id, edits.tags());
            experiments.touch(id, now());
            return withActivity(experiments, require(experiments, id, false));
        });
    }

    public ExperimentWithActivity delete(UUID id) {
        return store.inTransaction(tx -> {
            ExperimentRepository experiments = tx.experiments();
            Experiment current = require(experiments, id, true);
            if (!current.deleted()) {
                Instant now = now();
                experiments.setDeletedAt(id, now, now);
                current = require(experiments, id, false);
            }
            return withActivity(experiments, current);
        });
    }

    public ExperimentWithActivity restore(UUID id) {
        return store.inTransaction(tx -> {
            ExperimentRepository experiments = tx.experiments();
            Experiment current = require(experiments, id, true);
            if (current.deleted()) {
                experiments.setDeletedAt(id, null, now());
                current = require(experiments, id, false);
            }
            return withActivity(experiments, current);
        });
    }

    public long purge(UUID id) {
        List<UUID> purged = store.inTransaction(tx -> {
            Experiment current = require(tx.experiments(), id, true);
            if (!current.deleted()) {
                throw new FailedPreconditionException(ErrorReason.NOT_DELETED, "experiment '" + current.name()
                        + "' is not deleted; delete it first, then purge it");
            }
            return tx.experiments().purge(id);
        });
        purgeListener.runsPurged(purged);
        return purged.size();
    }

    /** Inserts {@code fresh}, or returns the experiment that already holds its name. */
    private static Experiment insertOrFind(ExperimentRepository experiments, Experiment fresh) {
        if (experiments.insert(fresh)) {
            return fresh;
        }
        return experiments.findByName(fresh.project(), Limits.nameKey(fresh.name()))
                .orElseThrow(() -> new IllegalStateException("name conflict without a row for " + fresh.name()));
    }

    private static ExperimentWithActivity withActivity(ExperimentRepository experiments, Experiment experiment) {
        RunActivity activity = experiments.runActivity(List.of(experiment.id()))
                .getOrDefault(experiment.id(), RunActivity.NONE);
        return new ExperimentWithActivity(experiment, activity);
    }

    static Experiment require(ExperimentRepository experiments, UUID id, boolean forUpdate) {
        return experiments.findById(id, forUpdate)
                .orElseThrow(() -> {
                    NotFoundException error = new NotFoundException(ErrorReason.EXPERIMENT_NOT_FOUND,
                            "experiment " + id + " not found");
                    error.about("experiment", id);
                    return error;
                });
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
