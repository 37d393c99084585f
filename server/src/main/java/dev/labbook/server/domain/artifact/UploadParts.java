package dev.labbook.server.domain.artifact;

/**
 * What an {@link UploadSession} needs of the server to store an upload: the bytes of a part in
 * the artifact store, the part's record in the database, and the finished artifact. The session
 * keeps buffering, ordering and checksums; this keeps storage and bookkeeping, so the session
 * never calls back into {@link ArtifactService} (issue 15, item 8) and is testable on its own.
 */
interface UploadParts {
    /** Stores a part's bytes; returns its tag. Called concurrently for different parts. */
    String store(Upload upload, int partNumber, long offset, byte[] data, int length);

    /** Records a stored part with the SHA-256 state after it. Called in part order, one at a time. */
    void record(Upload upload, int partNumber, String tag, long offset, int length, byte[] digestState);

    /** Verifies size and checksum, completes the object and makes the artifact visible. */
    Artifact complete(Upload upload, long size, String sha256);
}
