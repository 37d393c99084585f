package dev.labbook.server.artifacts;

import java.util.Optional;
import java.util.UUID;

/**
 * Where a run's artifacts sit among the objects of a store: every object Labbook writes has the key
 * {@code runs/<run id>/<object id>/<artifact path>}, the object id made by the server for each
 * upload so that a reused client upload id can never overwrite a live object. The artifact service
 * builds keys here, the garbage collector reads the run back out of them, and the S3 store lists
 * pending uploads below {@link #ALL_RUNS} only (a bucket may be shared).
 */
public final class ArtifactKeyLayout {
    /** The prefix of every object and pending upload of every run. */
    public static final String ALL_RUNS = "runs/";

    private ArtifactKeyLayout() {
    }

    /** A fresh key for an upload of {@code path} (already validated) into run {@code runId}. */
    public static String newObjectKey(UUID runId, String path) {
        return runPrefix(runId) + UUID.randomUUID() + "/" + path;
    }

    /** The prefix of all objects of one run. */
    public static String runPrefix(UUID runId) {
        return ALL_RUNS + runId + "/";
    }

    /** The run an object belongs to; empty for keys not laid out by Labbook. */
    public static Optional<UUID> runOf(String key) {
        String[] parts = key.split("/", 3);
        if (parts.length != 3 || !(parts[0] + "/").equals(ALL_RUNS)) {
            return Optional.empty();
        }
        try {
            return Optional.of(UUID.fromString(parts[1]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
