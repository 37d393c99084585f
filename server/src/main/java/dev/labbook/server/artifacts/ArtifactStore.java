package dev.labbook.server.artifacts;

import java.io.InputStream;
import java.util.List;

/**
 * Where artifact bytes live. Keys are built by the server ({@link ArtifactKeyLayout}, with a
 * validated relative path); implementations refuse keys that could leave their area.
 * Objects appear only when an upload completes, atomically, so readers never see half a file.
 * Failures of the underlying storage are thrown as {@link java.io.UncheckedIOException}.
 */
public interface ArtifactStore extends AutoCloseable {
    /** Parts other than the last must be at least this large (the S3 multipart minimum). */
    int MIN_PART_BYTES = 5 * 1024 * 1024;

    /** Starts an upload of the object at {@code key}; returns a handle for the parts. */
    String beginUpload(String key);

    /**
     * Stores part {@code partNumber} (1-based) holding bytes [offset, offset + length) of the
     * object; storing a part again replaces it. Returns the part's tag for {@link #completeUpload}.
     */
    String uploadPart(String key, String handle, int partNumber, long offset, byte[] data, int length);

    /** Makes the object of {@code size} bytes visible from its parts' tags, in part order. */
    void completeUpload(String key, String handle, List<String> partTags, long size);

    /** Drops an unfinished upload and its parts. Unknown handles are ignored. */
    void abortUpload(String key, String handle);

    /** Reads {@code length} bytes from {@code offset}, or to the end when length is negative. */
    InputStream read(String key, long offset, long length);

    /** Deletes one object; a missing object is not an error. */
    void delete(String key);

    /** Deletes every object whose key starts with {@code prefix}. */
    void deletePrefix(String prefix);

    /** Keys of the objects below {@code prefix} (recursively). */
    List<String> list(String prefix);

    /**
     * One page of {@link #list(String)}: up to {@code limit} keys after {@code startAfter} (from
     * the first when null), in key order, so a caller walks a large store a page at a time.
     */
    List<String> list(String prefix, String startAfter, int limit);

    /**
     * Checks that the store can be used now, cheaply (readiness, every few seconds): throws
     * {@link java.io.UncheckedIOException} when it cannot be reached or used.
     */
    void check();

    /** Unfinished uploads (key and handle), for garbage collection. */
    List<PendingUpload> pendingUploads();

    /**
     * An unfinished upload found in the store; {@code key} is null for stores that find uploads
     * by handle alone (the local store), {@code started} null when unknown.
     */
    record PendingUpload(String key, String handle, java.time.Instant started) {
        public boolean startedBefore(java.time.Instant time) {
            return started == null || started.isBefore(time);
        }
    }

    @Override
    void close();
}
