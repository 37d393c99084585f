package dev.labbook.server.domain.artifact;

/** How far an upload got: bytes durably stored, and whether the artifact exists. */
public record UploadStatus(long receivedBytes, boolean complete) {
}
