package dev.labbook.sdk;

/** Progress of an upload or download; called from the transferring thread. */
@FunctionalInterface
public interface TransferListener {
    TransferListener NONE = (done, total) -> { };

    /**
     * @param doneBytes  bytes transferred so far (including bytes skipped on a resume)
     * @param totalBytes total size, or -1 when unknown
     */
    void progress(long doneBytes, long totalBytes);
}
