package dev.labbook.server.domain.artifact;

import java.time.Instant;
import java.util.UUID;

/**
 * A file or reference of a run. Files have a size, SHA-256 and an object in the artifact store;
 * references have a URI or value. {@code step} is null unless given (image series).
 */
public record Artifact(
        UUID runId,
        String path,
        boolean reference,
        Direction direction,
        String mediaType,
        long sizeBytes,
        String sha256,
        Long step,
        String uri,
        String objectKey,
        Instant createdAt) {
}
