package dev.labbook.server.store;

import dev.labbook.server.domain.artifact.Artifact;
import dev.labbook.server.domain.artifact.Upload;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** Artifact metadata and resumable upload state, within the caller's transaction. */
public interface ArtifactRepository {
    /** False (nothing written) when an upload with that id exists. */
    boolean insertUpload(Upload upload, Instant time);

    /** The upload with its stored parts' tags in part order; locked until the transaction ends when asked. */
    Optional<Upload> findUpload(UUID uploadId, boolean forUpdate);

    /**
     * Records a stored part and the upload's new byte count and digest state, only if the upload
     * still has {@code expectedReceived} bytes (so two streams cannot both advance it).
     */
    boolean recordPart(UUID uploadId, int partNumber, String tag, long size, long expectedReceived,
            byte[] digestState, Instant time);

    void markUploadCompleted(UUID uploadId, Instant time);

    void deleteUpload(UUID uploadId);

    Optional<Artifact> findArtifact(UUID runId, String path);

    /** Inserts or replaces the artifact at its path; returns the one it replaced. */
    Optional<Artifact> upsertArtifact(Artifact artifact);

    /** Deletes the artifact at a path; returns it. */
    Optional<Artifact> deleteArtifact(UUID runId, String path);

    /** Path order, or (step, path) order when {@code byStep}; prefixes filter path and media type. */
    List<Artifact> listArtifacts(UUID runId, String pathPrefix, String mediaTypePrefix, boolean byStep, long offset,
            int limit);

    /** Object keys a run still needs: its files and its unfinished uploads. */
    Set<String> referencedObjectKeys(UUID runId);

    /** Store handles of unfinished uploads. */
    Set<String> openUploadHandles();

    /** Up to {@code limit} unfinished uploads untouched since {@code before}, oldest first. */
    List<Upload> staleUploads(Instant before, int limit);

    /** Forgets finished uploads older than {@code before}; returns how many. */
    int deleteCompletedUploads(Instant before);
}
