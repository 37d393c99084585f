package dev.labbook.server.domain.artifact;

import java.util.List;
import java.util.UUID;

/**
 * An upload in progress: where its object goes, how many bytes are stored in parts (durably),
 * the SHA-256 state after those bytes, and the stored parts' tags in order.
 */
public record Upload(
        UUID id,
        UUID runId,
        String path,
        Direction direction,
        String mediaType,
        Long expectedSize,
        String expectedSha256,
        Long step,
        String objectKey,
        String storeHandle,
        int partSize,
        long receivedBytes,
        byte[] digestState,
        boolean completed,
        List<String> partTags) {
}
