package dev.labbook.sdk;

import com.google.protobuf.ByteString;
import dev.labbook.api.v1.ArtifactServiceGrpc;
import dev.labbook.api.v1.CreateArtifactReferenceRequest;
import dev.labbook.api.v1.DownloadArtifactRequest;
import dev.labbook.api.v1.DownloadArtifactResponse;
import dev.labbook.api.v1.GetArtifactRequest;
import dev.labbook.api.v1.GetUploadStatusRequest;
import dev.labbook.api.v1.GetUploadStatusResponse;
import dev.labbook.api.v1.ListArtifactsRequest;
import dev.labbook.api.v1.ListArtifactsResponse;
import dev.labbook.api.v1.UploadArtifactRequest;
import dev.labbook.api.v1.UploadArtifactResponse;
import dev.labbook.api.v1.UploadHeader;
import dev.labbook.sdk.internal.Calls;
import dev.labbook.sdk.internal.ClientStream;
import dev.labbook.sdk.internal.Errors;
import dev.labbook.sdk.internal.Hashing;
import dev.labbook.sdk.internal.Protos;
import io.grpc.Channel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Artifact calls of {@link LabbookClient}. File uploads are resumable: on a broken stream the
 * client asks how much arrived ({@code GetUploadStatus}) and sends only the rest; downloads to a
 * file resume from what is already written.
 */
public final class ArtifactsApi {
    static final int CHUNK_BYTES = 1 << 20;
    /** Attempts of one file transfer (each resumes where the last stopped). */
    static final int TRANSFER_ATTEMPTS = 10;

    private final Channel channel;
    private final Calls calls;

    ArtifactsApi(Channel channel, Calls calls) {
        this.channel = channel;
        this.calls = calls;
    }

    private ArtifactServiceGrpc.ArtifactServiceBlockingStub stub() {
        return ArtifactServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(calls.options().callTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Uploads a file to {@code artifactPath} in the run, resuming after broken streams. */
    public Artifact upload(String runId, Path file, String artifactPath, UploadOptions options,
            TransferListener listener) {
        UploadOptions opts = options == null ? UploadOptions.OUTPUT : options;
        TransferListener progress = listener == null ? TransferListener.NONE : listener;
        long size;
        String sha;
        try {
            size = Files.size(file);
            sha = Hashing.sha256(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        String uploadId = opts.uploadId() == null ? UUID.randomUUID().toString() : opts.uploadId();
        UploadHeader.Builder header = header(runId, artifactPath, opts, size, sha, uploadId);
        long offset = 0;
        if (opts.uploadId() != null) {
            // a named upload may have been started by an earlier, interrupted attempt
            UploadStatus s = status(runId, uploadId);
            if (s.complete) {
                return get(runId, artifactPath);
            }
            offset = s.received;
        }
        for (int attempt = 0;; attempt++) {
            try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
                in.position(offset);
                long start = offset;
                return sendUpload(header.setOffset(start).build(), new ChunkSource() {
                    final ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES);

                    @Override
                    public ByteString next() throws IOException {
                        buf.clear();
                        int n = in.read(buf);
                        if (n <= 0) {
                            return null;
                        }
                        buf.flip();
                        return ByteString.copyFrom(buf);
                    }
                }, start, size, progress);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            } catch (RuntimeException e) {
                if (!isResumable(e) || attempt + 1 >= TRANSFER_ATTEMPTS) {
                    throw Errors.rethrow(e);
                }
                if (Errors.translate(e) instanceof UploadOffsetMismatchException m && m.expectedOffset() >= 0) {
                    offset = m.expectedOffset(); // the server said where its copy ends: continue there
                    continue;
                }
                sleep(attempt, e);
                UploadStatus s;
                try {
                    s = status(runId, uploadId);
                } catch (NotFoundException nf) {
                    s = new UploadStatus(0, false);
                } catch (LabbookException le) {
                    if (Errors.isRetryable(le)) {
                        continue;
                    }
                    throw le;
                }
                if (s.complete) {
                    return get(runId, artifactPath);
                }
                offset = s.received;
            }
        }
    }

    /**
     * Uploads a stream of unknown length in one attempt (a stream cannot be rewound to resume;
     * write it to a file first when it must survive a broken connection).
     */
    public Artifact upload(String runId, InputStream in, String artifactPath, UploadOptions options,
            TransferListener listener) {
        UploadOptions opts = options == null ? UploadOptions.OUTPUT : options;
        String uploadId = opts.uploadId() == null ? UUID.randomUUID().toString() : opts.uploadId();
        UploadHeader h = header(runId, artifactPath, opts, -1, "", uploadId).setOffset(0).build();
        byte[] buf = new byte[CHUNK_BYTES];
        try {
            return sendUpload(h, () -> {
                int n = in.readNBytes(buf, 0, buf.length);
                return n <= 0 ? null : ByteString.copyFrom(buf, 0, n);
            }, 0, -1, listener == null ? TransferListener.NONE : listener);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stream for " + artifactPath, e);
        }
    }

    /**
     * Uploads every regular file below {@code dir} (sorted, recursively) to
     * {@code prefix + relative path} ({@code /}-separated); progress counts bytes of all files.
     */
    public List<Artifact> uploadDirectory(String runId, Path dir, String prefix, Direction direction,
            TransferListener listener) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        long total = 0;
        for (Path f : files) {
            try {
                total += Files.size(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        TransferListener progress = listener == null ? TransferListener.NONE : listener;
        List<Artifact> out = new ArrayList<>();
        long done = 0;
        String p = prefix == null || prefix.isEmpty() ? "" : (prefix.endsWith("/") ? prefix : prefix + "/");
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace(f.getFileSystem().getSeparator(), "/");
            long before = done;
            long all = total;
            Artifact a = upload(runId, f, p + rel, UploadOptions.of(direction),
                    (d, t) -> progress.progress(before + d, all));
            done += a.sizeBytes();
            out.add(a);
        }
        return out;
    }

    /** Records a reference (name → URI or value) without uploading anything. */
    public Artifact reference(String runId, String name, String uri, Direction direction) {
        CreateArtifactReferenceRequest req = CreateArtifactReferenceRequest.newBuilder().setRunId(runId).setName(name)
                .setUri(uri).setDirection(Protos.direction(direction == null ? Direction.INPUT : direction)).build();
        return Protos.artifact(calls.idempotent(() -> stub().createArtifactReference(req)).getArtifact());
    }

    public Artifact get(String runId, String path) {
        GetArtifactRequest req = GetArtifactRequest.newBuilder().setRunId(runId).setPath(path).build();
        return Protos.artifact(calls.idempotent(() -> stub().getArtifact(req)).getArtifact());
    }

    /** One page of artifacts by path prefix (and media type prefix, e.g. {@code image/}). */
    public Page<Artifact> list(String runId, String pathPrefix, String mediaTypePrefix, int pageSize,
            String pageToken) {
        ListArtifactsRequest req = ListArtifactsRequest.newBuilder().setRunId(runId)
                .setPathPrefix(pathPrefix == null ? "" : pathPrefix)
                .setMediaTypePrefix(mediaTypePrefix == null ? "" : mediaTypePrefix).setPageSize(pageSize)
                .setPageToken(pageToken == null ? "" : pageToken).build();
        ListArtifactsResponse resp = calls.idempotent(() -> stub().listArtifacts(req));
        List<Artifact> out = new ArrayList<>();
        resp.getArtifactsList().forEach(a -> out.add(Protos.artifact(a)));
        return new Page<>(out, resp.getNextPageToken());
    }

    /** Every artifact under the prefix (all pages). */
    public List<Artifact> listAll(String runId, String pathPrefix) {
        List<Artifact> out = new ArrayList<>();
        String token = "";
        do {
            Page<Artifact> page = list(runId, pathPrefix, "", 1000, token);
            out.addAll(page.items());
            token = page.nextPageToken();
        } while (!token.isEmpty());
        return out;
    }

    /**
     * Writes the artifact's bytes from {@code offset} to {@code out}; returns its metadata. Not
     * retried (the stream cannot be rewound): use {@link #downloadTo} for a resuming download.
     */
    public Artifact download(String runId, String path, OutputStream out, long offset, TransferListener listener) {
        TransferListener progress = listener == null ? TransferListener.NONE : listener;
        DownloadArtifactRequest req = DownloadArtifactRequest.newBuilder().setRunId(runId).setPath(path)
                .setOffset(offset).build();
        try {
            Iterator<DownloadArtifactResponse> it = ArtifactServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(6, TimeUnit.HOURS).downloadArtifact(req);
            Artifact meta = null;
            long done = offset;
            while (it.hasNext()) {
                DownloadArtifactResponse r = it.next();
                if (r.hasArtifact()) {
                    meta = Protos.artifact(r.getArtifact());
                }
                r.getChunk().writeTo(out);
                done += r.getChunk().size();
                progress.progress(done, meta == null ? -1 : meta.sizeBytes());
            }
            return meta;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the download of " + path, e);
        } catch (RuntimeException e) {
            throw Errors.rethrow(e);
        }
    }

    /**
     * Downloads to a file. When the file exists and is shorter than the artifact, continues from
     * its end; after a broken stream, resumes from what was written. The finished file is checked
     * against the artifact's SHA-256: a file left by another download (same size, or a prefix of
     * other bytes) fails the check and is downloaded again from the start, once; a second
     * mismatch throws {@link LabbookException} with code {@code DATA_LOSS}.
     */
    public Artifact downloadTo(String runId, String path, Path file, TransferListener listener) {
        boolean restarted = false;
        for (int attempt = 0;; attempt++) {
            try {
                if (file.getParent() != null) {
                    Files.createDirectories(file.getParent());
                }
                long have = Files.exists(file) ? Files.size(file) : 0;
                Artifact meta = get(runId, path);
                if (have > meta.sizeBytes()) {
                    Files.delete(file);
                    have = 0;
                }
                Artifact result = meta;
                if (have == meta.sizeBytes() && have > 0) {
                    if (listener != null) {
                        listener.progress(have, have);
                    }
                } else {
                    try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND)) {
                        Artifact a = download(runId, path, out, have, listener);
                        result = a == null ? meta : a;
                    }
                }
                if (matches(file, result)) {
                    return result;
                }
                if (restarted) {
                    throw new LabbookException("DATA_LOSS", "the download of " + path + " to " + file
                            + " does not match the artifact's sha256 " + result.sha256(), null);
                }
                // the local bytes were not (all) ours: start over from an empty file
                restarted = true;
                Files.deleteIfExists(file);
                attempt = -1;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            } catch (RuntimeException e) {
                if (!isResumable(e) || attempt + 1 >= TRANSFER_ATTEMPTS) {
                    throw Errors.rethrow(e);
                }
                sleep(attempt, e);
            }
        }
    }

    /** Whether the file has the artifact's checksum (true when the server recorded none). */
    private static boolean matches(Path file, Artifact artifact) throws IOException {
        String expected = artifact.sha256();
        return expected == null || expected.isEmpty() || expected.equalsIgnoreCase(Hashing.sha256(file));
    }

    /** How far a named upload got: bytes the server keeps (the end of its last stored part), and whether it finished. */
    public record UploadStatus(long received, boolean complete) {
    }

    /** The state of an upload of the run by its id; (0, false) when the server does not know it. */
    public UploadStatus uploadStatus(String runId, String uploadId) {
        return status(runId, uploadId);
    }

    private UploadStatus status(String runId, String uploadId) {
        try {
            GetUploadStatusRequest req = GetUploadStatusRequest.newBuilder().setRunId(runId).setUploadId(uploadId)
                    .build();
            GetUploadStatusResponse r = calls.idempotent(() -> stub().getUploadStatus(req));
            return new UploadStatus(r.getReceivedBytes(), r.getComplete());
        } catch (NotFoundException e) {
            return new UploadStatus(0, false);
        }
    }

    private interface ChunkSource {
        ByteString next() throws IOException;
    }

    private Artifact sendUpload(UploadHeader header, ChunkSource chunks, long start, long total,
            TransferListener progress) throws IOException {
        long timeout = calls.options().callTimeout().toMillis();
        ClientStream<UploadArtifactRequest, UploadArtifactResponse> stream = ClientStream
                .open(ArtifactServiceGrpc.newStub(channel)::uploadArtifact);
        try {
            stream.send(UploadArtifactRequest.newBuilder().setHeader(header).build(), timeout);
            long done = start;
            progress.progress(done, total);
            for (ByteString chunk; (chunk = chunks.next()) != null;) {
                stream.send(UploadArtifactRequest.newBuilder().setChunk(chunk).build(), timeout);
                done += chunk.size();
                progress.progress(done, total);
            }
            // storing the last part and verifying the checksum take a while on big files
            return Protos.artifact(stream.finish(Math.max(timeout, 600_000)).getArtifact());
        } catch (RuntimeException | IOException e) {
            stream.cancel("upload failed");
            throw e;
        }
    }

    private static UploadHeader.Builder header(String runId, String path, UploadOptions opts, long size, String sha,
            String uploadId) {
        UploadHeader.Builder h = UploadHeader.newBuilder().setRunId(runId).setPath(path)
                .setDirection(Protos.direction(opts.direction())).setMediaType(opts.mediaType()).setSizeBytes(size)
                .setSha256(sha).setUploadId(uploadId);
        if (opts.step() != null) {
            h.setStep(opts.step());
        }
        return h;
    }

    private static boolean isResumable(Throwable e) {
        if (!(e instanceof LabbookException) && !(e instanceof io.grpc.StatusRuntimeException)) {
            return false; // not a transfer failure (a throwing listener, a bug): do not retry
        }
        LabbookException le = Errors.translate(e);
        String code = le.code();
        if (le instanceof UploadOffsetMismatchException || le.reason() == ErrorReason.UPLOAD_CONFLICT
                || le.reason() == ErrorReason.UPLOAD_COMPLETE) {
            return true; // the server stored more (or less) than we last heard: ask where it is
        }
        return code.equals("UNAVAILABLE") || code.equals("ABORTED") || code.equals("DEADLINE_EXCEEDED")
                || code.equals("CANCELLED") || code.equals("UNKNOWN") || code.equals("INTERNAL");
    }

    private void sleep(int attempt, RuntimeException cause) {
        try {
            calls.options().backoff().sleep(attempt);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw Errors.rethrow(cause);
        }
    }
}
