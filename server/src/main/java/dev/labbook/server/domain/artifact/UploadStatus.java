package dev.labbook.server.domain.artifact;

/** How far an upload got: bytes durably stored, whether the artifact exists, and the upload's part size. */
public record UploadStatus(long receivedBytes, boolean complete, int partSize) {
}
