package dev.labbook.server.domain.artifact;

/**
 * Outcome of one piece of a unary upload: the bytes the upload holds now, its part size, and
 * the artifact once the upload is complete (null before).
 */
public record UploadPiece(long receivedBytes, int partSize, Artifact artifact) {
    public boolean complete() {
        return artifact != null;
    }
}
