package dev.labbook.server.domain.artifact;

import dev.labbook.server.artifacts.ArtifactKeyLayout;
import dev.labbook.server.artifacts.ArtifactStore;
import dev.labbook.server.artifacts.ArtifactStore.PendingUpload;
import dev.labbook.server.store.ExclusiveTasks;
import dev.labbook.server.store.TrackingStore;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what no run needs any more: the objects of purged runs, objects of replaced or deleted
 * artifacts that could not be deleted at the time, unfinished uploads the database has
 * forgotten, and uploads abandoned for a week. Objects of live uploads and artifacts are never
 * touched: they are looked up in the database right before each run's objects are checked.
 *
 * <p>A pass is bounded whatever the store holds: it looks at one page of object keys from a
 * cursor (runs in key order), a bounded number of abandoned uploads, and finds uploads through
 * indexes (V11); only one server on a database collects at a time ({@link ExclusiveTasks}).
 */
public final class ArtifactGarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactGarbageCollector.class);
    /** An unfinished upload untouched this long is dropped. */
    static final Duration ABANDONED_AFTER = Duration.ofDays(7);
    /** Finished-upload records kept this long answer GetUploadStatus with complete = true. */
    static final Duration COMPLETED_KEPT = Duration.ofDays(1);

    /** Object keys a pass looks at, at most: a walk over the store takes (objects / this) passes. */
    static final int KEYS_PER_PASS = 10_000;
    /** Abandoned uploads aborted per pass, at most (each is a call to the store). */
    static final int STALE_UPLOADS_PER_PASS = 1_000;

    private final TrackingStore store;
    private final ArtifactStore objects;
    private final ExclusiveTasks tasks;
    private final Clock clock;
    private final int keysPerPass;
    /**
     * The last object key the previous pass looked at: passes walk the store's keys (that is,
     * its runs) in order, a page each, and start over after the last. {@link #collectQuietly}
     * loads it from and stores it in the database with the GC lock held, so replicas taking
     * turns continue one walk.
     */
    private String afterKey;

    public ArtifactGarbageCollector(TrackingStore store, ArtifactStore objects, ExclusiveTasks tasks, Clock clock) {
        this(store, objects, tasks, clock, KEYS_PER_PASS);
    }

    /** With a smaller page than the default (tests walk many passes over a few objects). */
    public ArtifactGarbageCollector(TrackingStore store, ArtifactStore objects, ExclusiveTasks tasks, Clock clock,
            int keysPerPass) {
        this.store = store;
        this.objects = objects;
        this.tasks = tasks;
        this.clock = clock;
        this.keysPerPass = keysPerPass;
    }

    /** One pass; returns how many objects and uploads were removed. */
    public int collect() {
        int removed = 0;
        Instant now = clock.instant();
        for (var upload : store.inTransaction(
                tx -> tx.artifacts().staleUploads(now.minus(ABANDONED_AFTER), STALE_UPLOADS_PER_PASS))) {
            objects.abortUpload(upload.objectKey(), upload.storeHandle());
            store.inTransaction(tx -> {
                tx.artifacts().deleteUpload(upload.id());
                return null;
            });
            removed++;
        }
        removed += store.inTransaction(tx -> tx.artifacts().deleteCompletedUploads(now.minus(COMPLETED_KEPT)));

        List<String> page = objects.list(ArtifactKeyLayout.ALL_RUNS, afterKey, keysPerPass);
        afterKey = page.size() < keysPerPass ? null : page.get(page.size() - 1);
        // Runs in key order; a run cut by the page end is checked again on the next page.
        Map<UUID, List<String>> keysByRun = new LinkedHashMap<>();
        for (String key : page) {
            // keys not laid out by Labbook are not ours
            ArtifactKeyLayout.runOf(key).ifPresent(
                    run -> keysByRun.computeIfAbsent(run, k -> new ArrayList<>()).add(key));
        }
        for (var entry : keysByRun.entrySet()) {
            UUID runId = entry.getKey();
            Set<String> needed = store.inTransaction(tx -> tx.runs().findById(runId, false).isPresent()
                    ? tx.artifacts().referencedObjectKeys(runId) : null);
            if (needed == null) {
                objects.deletePrefix(ArtifactKeyLayout.runPrefix(runId));
                removed += entry.getValue().size();
                continue;
            }
            for (String key : entry.getValue()) {
                if (!needed.contains(key)) {
                    objects.delete(key);
                    removed++;
                }
            }
        }

        Set<String> open = store.inTransaction(tx -> tx.artifacts().openUploadHandles());
        for (PendingUpload pending : objects.pendingUploads()) {
            // An upload is begun in the store just before its row is written: spare young ones.
            if (!open.contains(pending.handle()) && pending.startedBefore(now.minus(Duration.ofHours(1)))) {
                objects.abortUpload(pending.key(), pending.handle());
                removed++;
            }
        }
        return removed;
    }

    /**
     * Deletes the objects of runs just purged, right away instead of when the walk over the
     * store reaches them. A run whose row exists (again) is left to the walk. Safe beside a
     * pass on another replica: deleting a prefix twice deletes it once.
     */
    public int deletePurged(Collection<UUID> runIds) {
        int deleted = 0;
        for (UUID runId : runIds) {
            if (store.inTransaction(tx -> tx.runs().findById(runId, false)).isEmpty()) {
                objects.deletePrefix(ArtifactKeyLayout.runPrefix(runId));
                deleted++;
            }
        }
        return deleted;
    }

    /** {@link #deletePurged} for an executor: logs instead of throwing (the walk retries). */
    public void deletePurgedQuietly(Collection<UUID> runIds) {
        try {
            deletePurged(runIds);
        } catch (RuntimeException e) {
            LOG.warn("deleting the objects of purged runs failed; garbage collection will", e);
        }
    }

    /**
     * {@link #collect} for a scheduler, unless another server is collecting on this database:
     * logs instead of throwing.
     */
    public void collectQuietly() {
        try {
            boolean ran = tasks.runExclusively(ExclusiveTasks.Task.ARTIFACT_GC, position -> {
                afterKey = position;
                int removed = collect();
                if (removed > 0) {
                    LOG.info("artifact garbage collection removed {} objects or uploads", removed);
                }
                return afterKey;
            });
            if (!ran) {
                LOG.debug("artifact garbage collection skipped: another server is collecting");
            }
        } catch (RuntimeException e) {
            LOG.warn("artifact garbage collection failed; will retry", e);
        }
    }
}
