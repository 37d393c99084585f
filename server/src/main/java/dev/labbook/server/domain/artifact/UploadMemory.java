package dev.labbook.server.domain.artifact;

import dev.labbook.server.domain.ResourceExhaustedException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A server-wide budget for upload part buffers, in MiB, so that many concurrent uploads wait
 * for memory (and, after a while, are refused with RESOURCE_EXHAUSTED) instead of exhausting
 * the heap. By default a quarter of the maximum heap, and at least 64 MiB.
 */
final class UploadMemory {
    private static final long MIB = 1024 * 1024;
    private final Semaphore mebibytes;
    private final long waitSeconds;

    UploadMemory(long budgetBytes, long waitSeconds) {
        this.mebibytes = new Semaphore((int) Math.max(1, budgetBytes / MIB));
        this.waitSeconds = waitSeconds;
    }

    static UploadMemory forThisJvm() {
        return new UploadMemory(Math.max(64 * MIB, Runtime.getRuntime().maxMemory() / 4), 30);
    }

    /** Reserves room for a buffer of {@code bytes}; returns the MiB reserved. */
    int reserve(int bytes) {
        int needed = (int) ((bytes + MIB - 1) / MIB);
        try {
            if (!mebibytes.tryAcquire(needed, waitSeconds, TimeUnit.SECONDS)) {
                throw new ResourceExhaustedException("the server is busy with other uploads (no upload memory "
                        + "free for " + waitSeconds + " s); retry later").with("limit", "upload_memory");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResourceExhaustedException("interrupted while waiting for upload memory")
                    .with("limit", "upload_memory");
        }
        return needed;
    }

    void release(int reserved) {
        if (reserved > 0) {
            mebibytes.release(reserved);
        }
    }
}
