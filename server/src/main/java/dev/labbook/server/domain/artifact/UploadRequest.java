package dev.labbook.server.domain.artifact;

import java.util.UUID;

/**
 * The header of an upload. {@code uploadId} names the upload so a client can resume it after a
 * broken stream (null: the server makes one and the upload cannot be resumed); {@code offset} is
 * where the following bytes start. {@code expectedSize} and {@code expectedSha256} are null when
 * unknown; {@code direction} null means OUTPUT and {@code mediaType} empty means guess from path.
 */
public record UploadRequest(
        UUID runId,
        String path,
        Direction direction,
        String mediaType,
        Long expectedSize,
        String expectedSha256,
        Long step,
        UUID uploadId,
        long offset) {
}
