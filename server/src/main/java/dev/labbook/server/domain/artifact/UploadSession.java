package dev.labbook.server.domain.artifact;

import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.ResourceExhaustedException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * One stream's part of an upload. Bytes are gathered into a part buffer; full parts go to
 * background writers that store up to {@value #MAX_IN_FLIGHT} parts at once while the next part
 * arrives, and record them in part order (with the SHA-256 state after each), so the recorded
 * byte count always ends at a stored part. Memory stays at {@value #MAX_IN_FLIGHT} + 1 parts.
 * {@link #finish} stores the last part, verifies size and checksum and makes the artifact
 * visible; {@link #abandon} drops what is not stored and leaves the upload resumable.
 */
public final class UploadSession {
    static final int MAX_IN_FLIGHT = 2;

    private final UploadParts parts;
    private final Upload upload;
    private final long maxBytes;
    private final Executor writers;
    private final SHA256Digest digest;
    private final UploadMemory memory;
    /** MiB of the server's upload memory this session holds; returned when it ends. */
    private int reserved;
    private boolean ended;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ArrayDeque<byte[]> freeBuffers = new ArrayDeque<>();
    private byte[] part;
    private int buffered;
    /** Bytes handed to the writers (stored, or being stored). */
    private long handedOff;
    private int nextPart;
    private CompletableFuture<Void> lastRecorded = CompletableFuture.completedFuture(null);

    /** A part being stored and recorded, and the buffer it occupies until then. */
    private record InFlight(CompletableFuture<Void> recorded, byte[] buffer) {
    }

    UploadSession(UploadParts parts, Upload upload, long maxBytes, Executor writers, UploadMemory memory) {
        this.parts = parts;
        this.upload = upload;
        this.maxBytes = maxBytes;
        this.writers = writers;
        this.memory = memory;
        this.digest = new SHA256Digest(upload.digestState());
        this.part = newBuffer();
        this.handedOff = upload.receivedBytes();
        this.nextPart = upload.partTags().size() + 1;
    }

    public UUID uploadId() {
        return upload.id();
    }

    /** Size of the upload's parts: every part but the last holds exactly this many bytes. */
    public int partSize() {
        return upload.partSize();
    }

    public void write(ByteBuffer bytes) {
        long total = handedOff + buffered + bytes.remaining();
        if (total > maxBytes) {
            throw new ResourceExhaustedException("artifact '" + upload.path() + "' exceeds the server's limit of "
                    + maxBytes + " bytes").with("limit", "max_artifact_bytes");
        }
        if (upload.expectedSize() != null && total > upload.expectedSize()) {
            throw new InvalidArgumentException("header.size_bytes", "is " + upload.expectedSize()
                    + " but more bytes arrived");
        }
        while (bytes.hasRemaining()) {
            int n = Math.min(bytes.remaining(), part.length - buffered);
            bytes.get(part, buffered, n);
            buffered += n;
            if (buffered == part.length) {
                handOff();
            }
        }
    }

    /** Stores the rest, verifies it and records the artifact. */
    public Artifact finish() {
        try {
            if (buffered > 0 || nextPart == 1) {
                handOff();
            }
            while (!inFlight.isEmpty()) {
                awaitOldest();
            }
        } finally {
            // A failed part leaves others in flight: let them settle before the memory is reused.
            for (InFlight f : inFlight) {
                f.recorded().exceptionally(e -> null).join();
            }
            end();
        }
        byte[] hash = new byte[32];
        digest.doFinal(hash, 0);
        return parts.complete(upload, handedOff, java.util.HexFormat.of().formatHex(hash));
    }

    /**
     * Waits until every full part handed off so far is stored and recorded, and ends the session;
     * returns the upload's byte count, durable now. Bytes short of a part are dropped (a piece of
     * UploadArtifactChunk is a whole number of parts, so there are none).
     */
    public long commit() {
        try {
            while (!inFlight.isEmpty()) {
                awaitOldest();
            }
        } finally {
            for (InFlight f : inFlight) {
                f.recorded().exceptionally(e -> null).join();
            }
            inFlight.clear();
            buffered = 0;
            end();
        }
        return handedOff;
    }

    /** The stream broke: bytes not yet in a stored part are dropped; the upload can resume. */
    public void abandon() {
        buffered = 0;
        // Let parts being stored finish, so that a resume sees them.
        for (InFlight f : inFlight) {
            f.recorded().exceptionally(e -> null).join();
        }
        inFlight.clear();
        end();
    }

    private void handOff() {
        while (inFlight.size() >= MAX_IN_FLIGHT) {
            awaitOldest();
        }
        digest.update(part, 0, buffered);
        byte[] state = digest.getEncodedState();
        byte[] data = part;
        int length = buffered;
        long offset = handedOff;
        int number = nextPart;
        CompletableFuture<String> stored = CompletableFuture.supplyAsync(
                () -> parts.store(upload, number, offset, data, length), writers);
        // Recorded strictly in part order, and never after a failed earlier part.
        CompletableFuture<Void> recorded = stored.thenCombine(lastRecorded, (tag, previous) -> tag)
                .thenAcceptAsync(tag -> parts.record(upload, number, tag, offset, length, state), writers);
        lastRecorded = recorded;
        inFlight.add(new InFlight(recorded, data));
        handedOff += length;
        nextPart++;
        buffered = 0;
        part = freeBuffers.isEmpty() ? newBuffer() : freeBuffers.pop();
    }

    private byte[] newBuffer() {
        int size = bufferSize();
        reserved += memory.reserve(size);
        return new byte[size];
    }

    /** Returns the session's upload memory, once. */
    private void end() {
        if (!ended) {
            ended = true;
            memory.release(reserved);
            reserved = 0;
        }
    }

    /** A part, or less when the whole (remaining) upload is known to be smaller. */
    private int bufferSize() {
        if (upload.expectedSize() == null) {
            return upload.partSize();
        }
        long remaining = Math.max(0, upload.expectedSize() - handedOff);
        return (int) Math.max(1, Math.min(upload.partSize(), remaining));
    }

    private void awaitOldest() {
        InFlight oldest = inFlight.poll();
        try {
            oldest.recorded().get();
            freeBuffers.push(oldest.buffer());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while storing a part", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof LabbookException labbook) {
                throw labbook;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        }
    }
}
