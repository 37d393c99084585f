package dev.labbook.server.artifacts;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.ListObjectsV2Response;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.RemoveObjectArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.DeleteError;
import io.minio.messages.DeleteObject;
import io.minio.messages.Item;
import io.minio.messages.ListBucketResultV2;
import io.minio.messages.Part;
import io.minio.messages.Upload;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Artifacts in an S3 bucket through minio-java (MinIO, AWS S3 or any S3 API). Uploads are S3
 * multipart uploads: every part is stored by the S3 server as it arrives, so a broken upload
 * resumes after its last stored part, and the object becomes visible only when the upload is
 * completed. The bucket is created when missing.
 */
public final class S3ArtifactStore implements ArtifactStore {
    private final MinioClient client;
    private final MinioAsyncClient multipart;
    private final KeyPages pages;
    private final String bucket;

    public S3ArtifactStore(String endpoint, String region, String bucket, String accessKey, String secretKey) {
        MinioClient.Builder builder = MinioClient.builder().endpoint(endpoint).credentials(accessKey, secretKey);
        MinioAsyncClient.Builder asyncBuilder = MinioAsyncClient.builder().endpoint(endpoint)
                .credentials(accessKey, secretKey);
        if (region != null && !region.isEmpty()) {
            builder.region(region);
            asyncBuilder.region(region);
        }
        this.client = builder.build();
        this.multipart = asyncBuilder.build();
        this.pages = new KeyPages(multipart);
        this.bucket = bucket;
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
        } catch (Exception e) {
            throw failure("cannot reach S3 bucket '" + bucket + "' at " + endpoint, e);
        }
    }

    /** One HEAD of the bucket. */
    @Override
    public void check() {
        boolean exists;
        try {
            exists = client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build());
        } catch (Exception e) {
            throw failure("cannot reach S3 bucket '" + bucket + "'", e);
        }
        if (!exists) {
            throw new UncheckedIOException(new java.io.IOException("S3 bucket '" + bucket + "' does not exist"));
        }
    }

    @Override
    public String beginUpload(String key) {
        return await(() -> multipart.createMultipartUploadAsync(bucket, null, ObjectKeys.require(key), null, null))
                .result().uploadId();
    }

    @Override
    public String uploadPart(String key, String handle, int partNumber, long offset, byte[] data, int length) {
        byte[] exact = length == data.length ? data : Arrays.copyOf(data, length);
        return await(() -> multipart.uploadPartAsync(bucket, null, ObjectKeys.require(key), exact, length, handle,
                partNumber, null, null)).etag();
    }

    @Override
    public void completeUpload(String key, String handle, List<String> partTags, long size) {
        Part[] parts = new Part[partTags.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = new Part(i + 1, partTags.get(i));
        }
        await(() -> multipart.completeMultipartUploadAsync(bucket, null, ObjectKeys.require(key), handle, parts,
                null, null));
    }

    @Override
    public void abortUpload(String key, String handle) {
        try {
            await(() -> multipart.abortMultipartUploadAsync(bucket, null, ObjectKeys.require(key), handle, null, null));
        } catch (UncheckedIOException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ErrorResponseException) {
                    return; // NoSuchUpload and the like: already gone
                }
            }
            throw e;
        }
    }

    @Override
    public InputStream read(String key, long offset, long length) {
        GetObjectArgs.Builder args = GetObjectArgs.builder().bucket(bucket).object(ObjectKeys.require(key));
        if (length == 0) {
            return InputStream.nullInputStream(); // minio refuses a zero length (also at offset == size)
        }
        if (offset > 0) {
            args.offset(offset);
        }
        if (length >= 0) {
            args.length(length);
        }
        try {
            return client.getObject(args.build());
        } catch (Exception e) {
            throw failure("cannot read " + key, e);
        }
    }

    @Override
    public void delete(String key) {
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(ObjectKeys.require(key)).build());
        } catch (Exception e) {
            throw failure("cannot delete " + key, e);
        }
    }

    @Override
    public void deletePrefix(String prefix) {
        List<DeleteObject> objects = list(prefix).stream().map(DeleteObject::new).toList();
        if (objects.isEmpty()) {
            return;
        }
        try {
            for (Result<DeleteError> error : client.removeObjects(RemoveObjectsArgs.builder().bucket(bucket)
                    .objects(objects).build())) {
                DeleteError e = error.get();
                throw new IOException("cannot delete " + e.objectName() + ": " + e.message());
            }
        } catch (Exception e) {
            throw failure("cannot delete objects below " + prefix, e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        List<String> keys = new ArrayList<>();
        try {
            for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket(bucket)
                    .prefix(ObjectKeys.requirePrefix(prefix)).recursive(true).build())) {
                String name = item.get().objectName();
                if (!name.endsWith("/")) { // a "folder" marker (console, filesystem backends) is not an object
                    keys.add(name);
                }
            }
        } catch (Exception e) {
            throw failure("cannot list " + prefix, e);
        }
        return keys;
    }

    @Override
    public List<String> list(String prefix, String startAfter, int limit) {
        String checked = ObjectKeys.requirePrefix(prefix);
        List<String> keys = new ArrayList<>();
        String after = startAfter;
        while (keys.size() < limit) {
            String from = after;
            ListBucketResultV2 page = await(() -> pages.page(bucket, checked, from, 1000)).result();
            for (Item item : page.contents()) {
                after = item.objectName();
                if (!after.endsWith("/")) { // a "folder" marker is not an object
                    keys.add(after);
                    if (keys.size() == limit) {
                        break;
                    }
                }
            }
            if (!page.isTruncated() || page.contents().isEmpty()) {
                break;
            }
        }
        return keys;
    }

    /**
     * Pages of a listing that go on from a key with {@code start-after} alone. minio's own
     * iterator sends the first page's {@code start-after} again beside each continuation token,
     * which S3Proxy refuses (400); and a walk from a key needs no continuation token.
     */
    private static final class KeyPages extends MinioAsyncClient {
        KeyPages(MinioAsyncClient client) {
            super(client);
        }

        CompletableFuture<ListObjectsV2Response> page(String bucket, String prefix, String startAfter, int maxKeys)
                throws Exception {
            return listObjectsV2Async(bucket, null, null, null, startAfter, maxKeys, prefix, null, false, false,
                    null, null);
        }
    }

    @Override
    public List<PendingUpload> pendingUploads() {
        List<PendingUpload> pending = new ArrayList<>();
        String keyMarker = null;
        String uploadIdMarker = null;
        while (true) {
            String km = keyMarker;
            String um = uploadIdMarker;
            // Only Labbook's own uploads: the bucket may be shared.
            var result = await(() -> multipart.listMultipartUploadsAsync(bucket, null, null, null, km, 1000,
                    ArtifactKeyLayout.ALL_RUNS, um, null, null)).result();
            for (Upload upload : result.uploads()) {
                pending.add(new PendingUpload(upload.objectName(), upload.uploadId(),
                        upload.initiated() == null ? null : upload.initiated().toInstant()));
            }
            if (!result.isTruncated()) {
                return pending;
            }
            keyMarker = result.nextKeyMarker();
            uploadIdMarker = result.nextUploadIdMarker();
        }
    }

    @Override
    public void close() {
        try {
            client.close();
            multipart.close();
        } catch (Exception e) {
            throw failure("closing the S3 client failed", e);
        }
    }

    /** The minio async calls declare checked exceptions before returning their future. */
    private interface AsyncCall<T> {
        CompletableFuture<T> start() throws Exception;
    }

    private static <T> T await(AsyncCall<T> call) {
        try {
            return call.start().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted", e));
        } catch (ExecutionException e) {
            throw failure("S3 request failed: " + e.getCause().getMessage(), e);
        } catch (Exception e) {
            throw failure("S3 request failed: " + e.getMessage(), e);
        }
    }

    private static UncheckedIOException failure(String message, Exception cause) {
        return new UncheckedIOException(new IOException(message, cause));
    }
}
