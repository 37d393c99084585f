package dev.labbook.server.domain.artifact;

import dev.labbook.server.artifacts.ArtifactKeyLayout;
import dev.labbook.server.artifacts.ArtifactStore;
import dev.labbook.server.artifacts.ArtifactStore.PendingUpload;
import dev.labbook.server.store.TrackingStore;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 */
public final class ArtifactGarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactGarbageCollector.class);
    /** An unfinished upload untouched this long is dropped. */
    static final Duration ABANDONED_AFTER = Duration.ofDays(7);
    /** Finished-upload records kept this long answer GetUploadStatus with complete = true. */
    static final Duration COMPLETED_KEPT = Duration.ofDays(1);

    private final TrackingStore store;
    private final ArtifactStore objects;
    private final Clock clock;

    public ArtifactGarbageCollector(TrackingStore store, ArtifactStore objects, Clock clock) {
        this.store = store;
        this.objects = objects;
        this.clock = clock;
    }

    /** One pass; returns how many objects and uploads were removed. */
    public int collect() {
        int removed = 0;
        Instant now = clock.instant();
        for (var upload : store.inTransaction(tx -> tx.artifacts().staleUploads(now.minus(ABANDONED_AFTER)))) {
            objects.abortUpload(upload.objectKey(), upload.storeHandle());
            store.inTransaction(tx -> {
                tx.artifacts().deleteUpload(upload.id());
                return null;
            });
            removed++;
        }
        removed += store.inTransaction(tx -> tx.artifacts().deleteCompletedUploads(now.minus(COMPLETED_KEPT)));

        Map<UUID, List<String>> keysByRun = new HashMap<>();
        for (String key : objects.list(ArtifactKeyLayout.ALL_RUNS)) {
            // keys not laid out by Labbook are not ours
            ArtifactKeyLayout.runOf(key).ifPresent(
                    run -> keysByRun.computeIfAbsent(run, k -> new java.util.ArrayList<>()).add(key));
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

    /** {@link #collect} for a scheduler: logs instead of throwing. */
    public void collectQuietly() {
        try {
            int removed = collect();
            if (removed > 0) {
                LOG.info("artifact garbage collection removed {} objects or uploads", removed);
            }
        } catch (RuntimeException e) {
            LOG.warn("artifact garbage collection failed; will retry", e);
        }
    }
}
