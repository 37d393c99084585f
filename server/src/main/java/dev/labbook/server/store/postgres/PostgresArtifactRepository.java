package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.SqlSupport.toInstant;
import static dev.labbook.server.store.postgres.SqlSupport.toTimestamp;
import static dev.labbook.server.store.postgres.internal.generated.Tables.ARTIFACT;
import static dev.labbook.server.store.postgres.internal.generated.Tables.ARTIFACT_UPLOAD;
import static dev.labbook.server.store.postgres.internal.generated.Tables.ARTIFACT_UPLOAD_PART;

import dev.labbook.server.domain.artifact.Artifact;
import dev.labbook.server.domain.artifact.Direction;
import dev.labbook.server.domain.artifact.Upload;
import dev.labbook.server.store.ArtifactRepository;
import dev.labbook.server.store.postgres.internal.generated.tables.records.ArtifactRecord;
import dev.labbook.server.store.postgres.internal.generated.tables.records.ArtifactUploadRecord;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;

/** Artifacts and uploads in PostgreSQL. */
final class PostgresArtifactRepository implements ArtifactRepository {
    private final DSLContext dsl;

    PostgresArtifactRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public boolean insertUpload(Upload u, Instant time) {
        return dsl.insertInto(ARTIFACT_UPLOAD)
                .set(ARTIFACT_UPLOAD.ID, u.id())
                .set(ARTIFACT_UPLOAD.RUN_ID, u.runId())
                .set(ARTIFACT_UPLOAD.PATH, u.path())
                .set(ARTIFACT_UPLOAD.DIRECTION, name(u.direction()))
                .set(ARTIFACT_UPLOAD.MEDIA_TYPE, u.mediaType())
                .set(ARTIFACT_UPLOAD.EXPECTED_SIZE, u.expectedSize())
                .set(ARTIFACT_UPLOAD.EXPECTED_SHA256, u.expectedSha256())
                .set(ARTIFACT_UPLOAD.STEP, u.step())
                .set(ARTIFACT_UPLOAD.OBJECT_KEY, u.objectKey())
                .set(ARTIFACT_UPLOAD.STORE_HANDLE, u.storeHandle())
                .set(ARTIFACT_UPLOAD.PART_SIZE, u.partSize())
                .set(ARTIFACT_UPLOAD.RECEIVED_BYTES, u.receivedBytes())
                .set(ARTIFACT_UPLOAD.DIGEST_STATE, u.digestState())
                .set(ARTIFACT_UPLOAD.COMPLETED, u.completed())
                .set(ARTIFACT_UPLOAD.CREATED_AT, toTimestamp(time))
                .set(ARTIFACT_UPLOAD.UPDATED_AT, toTimestamp(time))
                .onConflictDoNothing()
                .execute() == 1;
    }

    @Override
    public Optional<Upload> findUpload(UUID uploadId, boolean forUpdate) {
        var query = dsl.selectFrom(ARTIFACT_UPLOAD).where(ARTIFACT_UPLOAD.ID.eq(uploadId));
        ArtifactUploadRecord r = forUpdate ? query.forUpdate().fetchOne() : query.fetchOne();
        if (r == null) {
            return Optional.empty();
        }
        List<String> tags = dsl.select(ARTIFACT_UPLOAD_PART.TAG).from(ARTIFACT_UPLOAD_PART)
                .where(ARTIFACT_UPLOAD_PART.UPLOAD_ID.eq(uploadId))
                .orderBy(ARTIFACT_UPLOAD_PART.PART_NUMBER)
                .fetch(ARTIFACT_UPLOAD_PART.TAG);
        return Optional.of(new Upload(r.getId(), r.getRunId(), r.getPath(), direction(r.getDirection()),
                r.getMediaType(), r.getExpectedSize(), r.getExpectedSha256(), r.getStep(), r.getObjectKey(),
                r.getStoreHandle(), r.getPartSize(), r.getReceivedBytes(), r.getDigestState(), r.getCompleted(), tags));
    }

    @Override
    public boolean recordPart(UUID uploadId, int partNumber, String tag, long size, long expectedReceived,
            byte[] digestState, Instant time) {
        int updated = dsl.update(ARTIFACT_UPLOAD)
                .set(ARTIFACT_UPLOAD.RECEIVED_BYTES, expectedReceived + size)
                .set(ARTIFACT_UPLOAD.DIGEST_STATE, digestState)
                .set(ARTIFACT_UPLOAD.UPDATED_AT, toTimestamp(time))
                .where(ARTIFACT_UPLOAD.ID.eq(uploadId)
                        .and(ARTIFACT_UPLOAD.RECEIVED_BYTES.eq(expectedReceived))
                        .and(ARTIFACT_UPLOAD.COMPLETED.isFalse()))
                .execute();
        if (updated == 0) {
            return false;
        }
        dsl.insertInto(ARTIFACT_UPLOAD_PART)
                .set(ARTIFACT_UPLOAD_PART.UPLOAD_ID, uploadId)
                .set(ARTIFACT_UPLOAD_PART.PART_NUMBER, partNumber)
                .set(ARTIFACT_UPLOAD_PART.TAG, tag)
                .set(ARTIFACT_UPLOAD_PART.SIZE_BYTES, size)
                .onConflict(ARTIFACT_UPLOAD_PART.UPLOAD_ID, ARTIFACT_UPLOAD_PART.PART_NUMBER)
                .doUpdate()
                .set(ARTIFACT_UPLOAD_PART.TAG, tag)
                .set(ARTIFACT_UPLOAD_PART.SIZE_BYTES, size)
                .execute();
        return true;
    }

    @Override
    public void markUploadCompleted(UUID uploadId, Instant time) {
        dsl.update(ARTIFACT_UPLOAD)
                .set(ARTIFACT_UPLOAD.COMPLETED, true)
                .set(ARTIFACT_UPLOAD.UPDATED_AT, toTimestamp(time))
                .where(ARTIFACT_UPLOAD.ID.eq(uploadId))
                .execute();
        dsl.deleteFrom(ARTIFACT_UPLOAD_PART).where(ARTIFACT_UPLOAD_PART.UPLOAD_ID.eq(uploadId)).execute();
    }

    @Override
    public void deleteUpload(UUID uploadId) {
        dsl.deleteFrom(ARTIFACT_UPLOAD).where(ARTIFACT_UPLOAD.ID.eq(uploadId)).execute();
    }

    @Override
    public Optional<Artifact> findArtifact(UUID runId, String path) {
        return dsl.selectFrom(ARTIFACT).where(ARTIFACT.RUN_ID.eq(runId).and(ARTIFACT.PATH.eq(path)))
                .fetchOptional(PostgresArtifactRepository::toArtifact);
    }

    @Override
    public Optional<Artifact> upsertArtifact(Artifact a) {
        Optional<Artifact> previous = dsl.selectFrom(ARTIFACT)
                .where(ARTIFACT.RUN_ID.eq(a.runId()).and(ARTIFACT.PATH.eq(a.path())))
                .forUpdate()
                .fetchOptional(PostgresArtifactRepository::toArtifact);
        Map<Field<?>, Object> values = new LinkedHashMap<>();
        values.put(ARTIFACT.KIND, a.reference() ? "reference" : "file");
        values.put(ARTIFACT.DIRECTION, name(a.direction()));
        values.put(ARTIFACT.MEDIA_TYPE, a.mediaType());
        values.put(ARTIFACT.SIZE_BYTES, a.sizeBytes());
        values.put(ARTIFACT.SHA256, a.sha256());
        values.put(ARTIFACT.STEP, a.step());
        values.put(ARTIFACT.URI, a.uri());
        values.put(ARTIFACT.OBJECT_KEY, a.objectKey());
        values.put(ARTIFACT.CREATED_AT, toTimestamp(a.createdAt()));
        dsl.insertInto(ARTIFACT)
                .set(ARTIFACT.RUN_ID, a.runId())
                .set(ARTIFACT.PATH, a.path())
                .set(values)
                .onConflict(ARTIFACT.RUN_ID, ARTIFACT.PATH)
                .doUpdate()
                .set(values)
                .execute();
        return previous;
    }

    @Override
    public Optional<Artifact> deleteArtifact(UUID runId, String path) {
        return dsl.deleteFrom(ARTIFACT).where(ARTIFACT.RUN_ID.eq(runId).and(ARTIFACT.PATH.eq(path)))
                .returning()
                .fetchOptional()
                .map(PostgresArtifactRepository::toArtifact);
    }

    @Override
    public List<Artifact> listArtifacts(UUID runId, String pathPrefix, String mediaTypePrefix, boolean byStep,
            long offset, int limit) {
        Condition condition = ARTIFACT.RUN_ID.eq(runId);
        if (!pathPrefix.isEmpty()) {
            condition = condition.and(ARTIFACT.PATH.startsWith(pathPrefix));
        }
        if (!mediaTypePrefix.isEmpty()) {
            condition = condition.and(ARTIFACT.MEDIA_TYPE.startsWith(mediaTypePrefix));
        }
        var query = dsl.selectFrom(ARTIFACT).where(condition);
        var ordered = byStep
                ? query.orderBy(ARTIFACT.STEP.asc().nullsLast(), ARTIFACT.PATH.collate("C"))
                : query.orderBy(ARTIFACT.PATH.collate("C"));
        return ordered.offset(offset).limit(limit).fetch(PostgresArtifactRepository::toArtifact);
    }

    @Override
    public Set<String> referencedObjectKeys(UUID runId) {
        // Unfinished uploads first: an upload completing between the two reads is then seen
        // either as unfinished (first read) or as an artifact row (second read), never neither.
        Set<String> keys = new HashSet<>(dsl.select(ARTIFACT_UPLOAD.OBJECT_KEY).from(ARTIFACT_UPLOAD)
                .where(ARTIFACT_UPLOAD.RUN_ID.eq(runId).and(ARTIFACT_UPLOAD.COMPLETED.isFalse()))
                .fetch(ARTIFACT_UPLOAD.OBJECT_KEY));
        keys.addAll(dsl.select(ARTIFACT.OBJECT_KEY).from(ARTIFACT)
                .where(ARTIFACT.RUN_ID.eq(runId).and(ARTIFACT.OBJECT_KEY.isNotNull()))
                .fetch(ARTIFACT.OBJECT_KEY));
        return keys;
    }

    @Override
    public Set<String> openUploadHandles() {
        return new HashSet<>(dsl.select(ARTIFACT_UPLOAD.STORE_HANDLE).from(ARTIFACT_UPLOAD)
                .where(ARTIFACT_UPLOAD.COMPLETED.isFalse())
                .fetch(ARTIFACT_UPLOAD.STORE_HANDLE));
    }

    @Override
    public List<Upload> staleUploads(Instant before, int limit) {
        // Oldest first, through artifact_upload_open_idx (V11).
        List<UUID> ids = dsl.select(ARTIFACT_UPLOAD.ID).from(ARTIFACT_UPLOAD)
                .where(ARTIFACT_UPLOAD.COMPLETED.isFalse().and(ARTIFACT_UPLOAD.UPDATED_AT.lt(toTimestamp(before))))
                .orderBy(ARTIFACT_UPLOAD.UPDATED_AT)
                .limit(limit)
                .fetch(ARTIFACT_UPLOAD.ID);
        return ids.stream().map(id -> findUpload(id, false)).flatMap(Optional::stream).toList();
    }

    @Override
    public int deleteCompletedUploads(Instant before) {
        return dsl.deleteFrom(ARTIFACT_UPLOAD)
                .where(ARTIFACT_UPLOAD.COMPLETED.isTrue().and(ARTIFACT_UPLOAD.UPDATED_AT.lt(toTimestamp(before))))
                .execute();
    }

    private static Artifact toArtifact(ArtifactRecord r) {
        return new Artifact(r.getRunId(), r.getPath(), r.getKind().equals("reference"), direction(r.getDirection()),
                r.getMediaType(), r.getSizeBytes(), r.getSha256(), r.getStep(), r.getUri(), r.getObjectKey(),
                toInstant(r.getCreatedAt()));
    }

    private static String name(Direction direction) {
        return direction.name().toLowerCase(Locale.ROOT);
    }

    private static Direction direction(String name) {
        return Direction.valueOf(name.toUpperCase(Locale.ROOT));
    }
}
