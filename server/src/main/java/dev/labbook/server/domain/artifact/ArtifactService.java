package dev.labbook.server.domain.artifact;

import dev.labbook.server.artifacts.ArtifactKeyLayout;
import dev.labbook.server.artifacts.ArtifactStore;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.AbortedException;
import dev.labbook.server.domain.FailedPreconditionException;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.Limits;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.OutOfRangeException;
import dev.labbook.server.domain.Page;
import dev.labbook.server.domain.PageTokens;
import dev.labbook.server.domain.ResourceExhaustedException;
import dev.labbook.server.domain.RunGuards;
import dev.labbook.server.domain.UsageRecorder;
import dev.labbook.server.domain.UnavailableException;
import dev.labbook.server.store.TrackingStore;
import dev.labbook.server.artifacts.LinkOutsideStoreException;
import java.io.UncheckedIOException;
import java.net.URLConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifacts of runs: resumable, verified uploads into the artifact store, downloads from an
 * offset, listing (also as image series), references without upload, and deletion. The
 * database row of an artifact is written only after its object is complete, so no half file is
 * ever visible; replacing a path switches the row to a new object and then deletes the old one.
 */
public final class ArtifactService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactService.class);
    /** Part size of uploads of unknown size; S3 allows 10,000 parts, so about 78 GiB. */
    static final int DEFAULT_PART_BYTES = 8 * 1024 * 1024;
    private static final int MAX_PARTS = 10_000;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern MEDIA_TYPE = Pattern.compile("[A-Za-z0-9!#$&^_.+-]{1,127}/[A-Za-z0-9!#$&^_.+-]{1,127}");
    private static final int MAX_URI_BYTES = 64 * 1024;

    private final TrackingStore store;
    private final ArtifactStore objects;
    private final Clock clock;
    private final long maxArtifactBytes;
    private final UsageRecorder usage;
    private final UploadMemory uploadMemory = UploadMemory.forThisJvm();
    /** Stores parts in the background while the next part arrives (see UploadSession). */
    private final ExecutorService partWriters = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "labbook-artifact-part-writer");
        thread.setDaemon(true);
        return thread;
    });

    /** The storage and bookkeeping of upload sessions: this service's own, and nothing more of it. */
    private final UploadParts parts = new UploadParts() {
        @Override
        public String store(Upload upload, int partNumber, long offset, byte[] data, int length) {
            return storePart(upload, partNumber, offset, data, length);
        }

        @Override
        public void record(Upload upload, int partNumber, String tag, long offset, int length, byte[] digestState) {
            recordPart(upload, partNumber, tag, offset, length, digestState);
        }

        @Override
        public Artifact complete(Upload upload, long size, String sha256) {
            return ArtifactService.this.complete(upload, size, sha256);
        }
    };

    public ArtifactService(TrackingStore store, ArtifactStore objects, Clock clock, long maxArtifactBytes) {
        this(store, objects, clock, maxArtifactBytes, UsageRecorder.NONE);
    }

    public ArtifactService(TrackingStore store, ArtifactStore objects, Clock clock, long maxArtifactBytes,
            UsageRecorder usage) {
        this.usage = usage;
        this.store = store;
        this.objects = objects;
        this.clock = clock;
        this.maxArtifactBytes = maxArtifactBytes;
    }

    @Override
    public void close() {
        partWriters.shutdownNow();
    }

    /** Starts an upload, or continues the one named by {@code uploadId} from {@code offset}. */
    public UploadSession openUpload(UploadRequest request) {
        String path = ArtifactPaths.validate("header.path", request.path());
        if (request.expectedSize() != null && request.expectedSize() > maxArtifactBytes) {
            throw new ResourceExhaustedException("header.size_bytes " + request.expectedSize()
                    + " exceeds the server's limit of " + maxArtifactBytes + " bytes per artifact")
                    .with("limit", "max_artifact_bytes");
        }
        String sha = request.expectedSha256();
        if (sha != null && !SHA256.matcher(sha).matches()) {
            throw new InvalidArgumentException("header.sha256", "must be 64 lower-case hexadecimal characters");
        }
        String mediaType = mediaType("header.media_type", request.mediaType(), path);
        Direction direction = request.direction() == null ? Direction.OUTPUT : request.direction();
        if (request.uploadId() != null) {
            Optional<Upload> existing = store.inTransaction(tx -> tx.artifacts().findUpload(request.uploadId(), false));
            if (existing.isPresent()) {
                return resume(existing.get(), request, path);
            }
        }
        if (request.offset() != 0) {
            throw new FailedPreconditionException(ErrorReason.UPLOAD_OFFSET_MISMATCH, "upload " + request.uploadId()
                    + " is unknown, so it starts at offset 0, not " + request.offset()).with("expected_offset", 0);
        }
        UUID id = request.uploadId() != null ? request.uploadId() : UUID.randomUUID();
        store.inTransaction(tx -> {
            RunGuards.requireWritable(tx, RunGuards.requireRun(tx, request.runId()));
            return null;
        });
        // A server-made id in the key: a reused client upload id can never overwrite a live object.
        String key = ArtifactKeyLayout.newObjectKey(request.runId(), path);
        String handle = storage(() -> objects.beginUpload(key));
        Upload upload = new Upload(id, request.runId(), path, direction, mediaType, request.expectedSize(), sha,
                request.step(), key, handle, partSize(request.expectedSize()), 0, new SHA256Digest().getEncodedState(),
                false, List.of());
        boolean inserted = store.inTransaction(tx -> tx.artifacts().insertUpload(upload, now()));
        if (!inserted) {
            objects.abortUpload(key, handle);
            throw new FailedPreconditionException(ErrorReason.UPLOAD_CONFLICT, "upload " + id + " was just started by another stream; ask "
                    + "GetUploadStatus and resume it");
        }
        return new UploadSession(parts, upload, maxArtifactBytes, partWriters, uploadMemory);
    }

    /**
     * Stores one piece of a unary upload (UploadArtifactChunk): {@code data} starts at {@code offset},
     * which must be the upload's received bytes; unless {@code finish}, it must be a whole number
     * of parts, so that all of it is stored, durably, when this returns. With {@code finish} the
     * upload is verified and the artifact made visible. A retried piece that the upload already
     * holds in full is acknowledged without storing it again (and, if it was the finishing piece
     * of an upload that did not complete, completes it).
     */
    public UploadPiece uploadPiece(UploadRequest header, long offset, ByteBuffer data, boolean finish) {
        if (header.uploadId() == null) {
            throw new InvalidArgumentException("header.upload_id", "is required for UploadArtifactChunk (a client-made UUID)");
        }
        if (offset < 0) {
            throw new InvalidArgumentException("offset", "must not be negative");
        }
        String path = ArtifactPaths.validate("header.path", header.path());
        long end = offset + data.remaining();
        Optional<Upload> existing = store.inTransaction(tx -> tx.artifacts().findUpload(header.uploadId(), false));
        if (existing.isPresent()) {
            Upload upload = existing.get();
            requireSameTarget(upload, header.runId(), path);
            if (upload.completed() && end <= upload.receivedBytes()) {
                return new UploadPiece(upload.receivedBytes(), upload.partSize(), get(upload.runId(), upload.path()));
            }
            if (!upload.completed() && offset < upload.receivedBytes() && end <= upload.receivedBytes()) {
                if (!finish || end < upload.receivedBytes()) {
                    return new UploadPiece(upload.receivedBytes(), upload.partSize(), null);
                }
                // The finishing piece is stored but the upload did not complete: complete it now.
                offset = upload.receivedBytes();
                data = ByteBuffer.allocate(0);
            }
        }
        int partSize = existing.map(Upload::partSize).orElseGet(() -> partSize(header.expectedSize()));
        if (!finish && data.remaining() % partSize != 0) {
            throw new InvalidArgumentException("data", "holds " + data.remaining() + " bytes; every piece but the last "
                    + "(finish) must be a whole number of parts of " + partSize + " bytes");
        }
        UploadSession session = openUpload(new UploadRequest(header.runId(), header.path(), header.direction(),
                header.mediaType(), header.expectedSize(), header.expectedSha256(), header.step(), header.uploadId(),
                offset));
        try {
            session.write(data);
            if (finish) {
                Artifact artifact = session.finish();
                return new UploadPiece(artifact.sizeBytes(), session.partSize(), artifact);
            }
            return new UploadPiece(session.commit(), session.partSize(), null);
        } catch (RuntimeException e) {
            session.abandon();
            throw e;
        }
    }

    private static void requireSameTarget(Upload upload, UUID runId, String path) {
        if (!upload.runId().equals(runId)) {
            // Not which run: the caller may have no right to know of it.
            throw new InvalidArgumentException("header.upload_id", "belongs to another run, not to this header's run");
        }
        if (!upload.path().equals(path)) {
            throw new InvalidArgumentException("header.upload_id", "belongs to path '" + upload.path()
                    + "' of this run, not to '" + path + "'");
        }
    }

    private UploadSession resume(Upload upload, UploadRequest request, String path) {
        requireSameTarget(upload, request.runId(), path);
        if (upload.completed()) {
            throw new FailedPreconditionException(ErrorReason.UPLOAD_COMPLETE, "upload " + upload.id() + " is already complete");
        }
        if (request.offset() != upload.receivedBytes()) {
            throw new FailedPreconditionException(ErrorReason.UPLOAD_OFFSET_MISMATCH, "upload " + upload.id() + " has " + upload.receivedBytes()
                    + " bytes stored; resume from offset " + upload.receivedBytes() + ", not " + request.offset())
                    .with("expected_offset", upload.receivedBytes());
        }
        store.inTransaction(tx -> {
            RunGuards.requireWritable(tx, RunGuards.requireRun(tx, upload.runId()));
            return null;
        });
        return new UploadSession(parts, upload, maxArtifactBytes, partWriters, uploadMemory);
    }

    /** Stores a part's bytes in the artifact store; returns its tag. Parts may be stored concurrently. */
    private String storePart(Upload upload, int partNumber, long offset, byte[] data, int length) {
        return storage(() -> objects.uploadPart(upload.objectKey(), upload.storeHandle(), partNumber, offset, data,
                length));
    }

    /** Records a stored part with the digest state after it; parts are recorded in order. */
    private void recordPart(Upload upload, int partNumber, String tag, long offset, int length, byte[] digestState) {
        boolean recorded = store.inTransaction(tx -> tx.artifacts().recordPart(upload.id(), partNumber, tag, length,
                offset, digestState, now()));
        if (!recorded) {
            throw new AbortedException(ErrorReason.UPLOAD_CONFLICT, "upload " + upload.id() + " was advanced by "
                    + "another call; ask GetUploadStatus and resume from there", null);
        }
    }

    /** Verifies the stored bytes, completes the object and records the artifact. */
    private Artifact complete(Upload upload, long size, String sha256) {
        List<String> tags = store.inTransaction(tx -> tx.artifacts().findUpload(upload.id(), false))
                .orElseThrow(() -> new NotFoundException(ErrorReason.UPLOAD_NOT_FOUND, "upload " + upload.id() + " not found")).partTags();
        if (upload.expectedSize() != null && upload.expectedSize() != size) {
            abort(upload);
            throw new InvalidArgumentException("header.size_bytes", "is " + upload.expectedSize() + " but " + size
                    + " bytes arrived; the upload was discarded");
        }
        if (upload.expectedSha256() != null && !upload.expectedSha256().equals(sha256)) {
            abort(upload);
            throw new InvalidArgumentException("header.sha256", "is " + upload.expectedSha256()
                    + " but the bytes hash to " + sha256 + "; the upload was discarded");
        }
        storage(() -> {
            objects.completeUpload(upload.objectKey(), upload.storeHandle(), tags, size);
            return null;
        });
        Artifact artifact = new Artifact(upload.runId(), upload.path(), false, upload.direction(), upload.mediaType(),
                size, sha256, upload.step(), "", upload.objectKey(), now());
        Optional<Artifact> replaced = store.inTransaction(tx -> {
            RunGuards.requireWritable(tx, RunGuards.requireRun(tx, upload.runId()));
            Optional<Artifact> previous = tx.artifacts().upsertArtifact(artifact);
            tx.artifacts().markUploadCompleted(upload.id(), now());
            return previous;
        });
        replaced.map(Artifact::objectKey).filter(key -> key != null && !key.equals(upload.objectKey()))
                .ifPresent(this::deleteObjectQuietly);
        usage.artifactStored(size);
        return artifact;
    }

    private void abort(Upload upload) {
        store.inTransaction(tx -> {
            tx.artifacts().deleteUpload(upload.id());
            return null;
        });
        try {
            objects.abortUpload(upload.objectKey(), upload.storeHandle());
        } catch (UncheckedIOException e) {
            LOG.warn("aborting upload {} failed; garbage collection will retry", upload.id(), e);
        }
    }

    /** How far an upload of the run got; an upload of another run is not found. */
    public UploadStatus uploadStatus(UUID uploadId, UUID runId) {
        Upload upload = store.inTransaction(tx -> tx.artifacts().findUpload(uploadId, false))
                .filter(u -> u.runId().equals(runId))
                .orElseThrow(() -> uploadNotFound(uploadId, runId));
        return new UploadStatus(upload.receivedBytes(), upload.completed(), upload.partSize());
    }

    private static NotFoundException artifactNotFound(UUID runId, String path) {
        NotFoundException error = new NotFoundException(ErrorReason.ARTIFACT_NOT_FOUND,
                "artifact '" + path + "' not found in run " + runId);
        error.about("artifact", runId + "/" + path);
        return error;
    }

    private static NotFoundException uploadNotFound(UUID uploadId, UUID runId) {
        NotFoundException error = new NotFoundException(ErrorReason.UPLOAD_NOT_FOUND,
                "upload " + uploadId + " not found in run " + runId);
        error.about("upload", uploadId);
        return error;
    }

    public ArtifactDownload download(UUID runId, String path, long offset, long length) {
        Artifact artifact = get(runId, path);
        if (artifact.reference()) {
            throw new FailedPreconditionException(ErrorReason.ARTIFACT_IS_REFERENCE, "artifact '" + path + "' is a reference to " + artifact.uri()
                    + "; it has no content to download");
        }
        if (offset < 0) {
            throw new InvalidArgumentException("offset", "must not be negative");
        }
        if (length < 0) {
            throw new InvalidArgumentException("length", "must not be negative (0 reads to the end)");
        }
        if (offset > artifact.sizeBytes()) {
            throw new OutOfRangeException(ErrorReason.OFFSET_OUT_OF_RANGE, "offset " + offset + " is past the end of '" + path + "' ("
                    + artifact.sizeBytes() + " bytes)");
        }
        long remaining = artifact.sizeBytes() - offset;
        long toRead = length == 0 ? remaining : Math.min(length, remaining);
        return new ArtifactDownload(artifact, storage(() -> objects.read(artifact.objectKey(), offset, toRead)));
    }

    public Artifact get(UUID runId, String path) {
        String valid = ArtifactPaths.validate("path", path);
        return store.inTransaction(tx -> {
            RunGuards.requireRun(tx, runId);
            return tx.artifacts().findArtifact(runId, valid);
        }).orElseThrow(() -> artifactNotFound(runId, path));
    }

    /** Lists by path; with an image/ media type prefix, as an image series ordered by step. */
    public Page<Artifact> list(UUID runId, String pathPrefix, String mediaTypePrefix, int pageSize,
            String pageToken) {
        int size = Limits.pageSize("page_size", pageSize);
        boolean byStep = mediaTypePrefix.toLowerCase(Locale.ROOT).startsWith("image/");
        String fingerprint = "artifacts|" + runId + "|" + pathPrefix + "|" + mediaTypePrefix;
        long offset = PageTokens.decodePosition("page_token", pageToken, fingerprint);
        List<Artifact> rows = store.inTransaction(tx -> {
            RunGuards.requireRun(tx, runId);
            return tx.artifacts().listArtifacts(runId, pathPrefix, mediaTypePrefix, byStep, offset, size + 1);
        });
        if (rows.size() <= size) {
            return new Page<>(rows, "");
        }
        return new Page<>(rows.subList(0, size), PageTokens.encodePosition(offset + size, fingerprint));
    }

    /** Records name -> URI or value without upload (SageMaker log_artifact); replaces the name. */
    public Artifact createReference(UUID runId, String name, String uri, Direction direction, String mediaType) {
        String path = ArtifactPaths.validate("name", name);
        if (uri == null || uri.isEmpty()) {
            throw new InvalidArgumentException("uri", "is required");
        }
        if (uri.getBytes(StandardCharsets.UTF_8).length > MAX_URI_BYTES || uri.indexOf('\0') >= 0) {
            throw new InvalidArgumentException("uri", "must be at most " + MAX_URI_BYTES + " bytes without NUL");
        }
        String type = mediaType == null || mediaType.isEmpty() ? "text/uri-list" : mediaType("media_type", mediaType,
                path);
        Artifact reference = new Artifact(runId, path, true, direction == null ? Direction.OUTPUT : direction, type,
                0, "", null, uri, null, now());
        Optional<Artifact> replaced = store.inTransaction(tx -> {
            RunGuards.requireWritable(tx, RunGuards.requireRun(tx, runId));
            return tx.artifacts().upsertArtifact(reference);
        });
        replaced.map(Artifact::objectKey).filter(k -> k != null).ifPresent(this::deleteObjectQuietly);
        return reference;
    }

    public void delete(UUID runId, String path) {
        String valid = ArtifactPaths.validate("path", path);
        Artifact deleted = store.inTransaction(tx -> {
            RunGuards.requireWritable(tx, RunGuards.requireRun(tx, runId));
            return tx.artifacts().deleteArtifact(runId, valid);
        }).orElseThrow(() -> artifactNotFound(runId, path));
        if (deleted.objectKey() != null) {
            deleteObjectQuietly(deleted.objectKey());
        }
    }

    private void deleteObjectQuietly(String key) {
        try {
            objects.delete(key);
        } catch (UncheckedIOException e) {
            LOG.warn("deleting object {} failed; garbage collection will retry", key, e);
        }
    }

    private static int partSize(Long expectedSize) {
        if (expectedSize == null || expectedSize <= (long) DEFAULT_PART_BYTES * MAX_PARTS) {
            return DEFAULT_PART_BYTES;
        }
        long perPart = (expectedSize + MAX_PARTS - 1) / MAX_PARTS;
        long mib = 1024 * 1024;
        return (int) Math.min(Integer.MAX_VALUE - mib, (perPart + mib - 1) / mib * mib);
    }

    private static String mediaType(String field, String given, String path) {
        if (given == null || given.isEmpty()) {
            String guessed = URLConnection.guessContentTypeFromName(path);
            return guessed != null ? guessed : "application/octet-stream";
        }
        if (!MEDIA_TYPE.matcher(given).matches()) {
            throw new InvalidArgumentException(field, "'" + given + "' is not a media type such as image/png");
        }
        return given.toLowerCase(Locale.ROOT);
    }

    /**
     * Runs a store operation, reporting storage failures as UNAVAILABLE and a symbolic link out of
     * the local store as FAILED_PRECONDITION (no retry helps; an operator must remove it).
     */
    private static <T> T storage(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (LinkOutsideStoreException e) {
            throw new FailedPreconditionException(ErrorReason.ARTIFACT_STORE_LINK, e.getMessage()
                    + "; the server's operator has to remove the link").with("store_path", e.storePath());
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
                // The server's file path stays in the server log, not in the caller's message.
                LOG.warn("artifact content missing: {}", e.getCause().getMessage());
                throw new NotFoundException(ErrorReason.ARTIFACT_CONTENT_MISSING,
                        "the artifact's stored object is missing from the artifact store");
            }
            throw new UnavailableException(ErrorReason.ARTIFACT_STORE_UNAVAILABLE, "the artifact store failed: " + e.getCause().getMessage(), e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
