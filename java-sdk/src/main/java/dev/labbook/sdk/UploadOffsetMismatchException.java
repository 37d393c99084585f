package dev.labbook.sdk;

/**
 * Upload bytes did not start where the server's copy ends (reason
 * {@code UPLOAD_OFFSET_MISMATCH}); {@link #expectedOffset()} is where to continue from, as the
 * server's {@code PreconditionFailure} detail (subject {@code offset=<n>}) or metadata
 * {@code expected_offset} gives it.
 */
public class UploadOffsetMismatchException extends FailedPreconditionException {
    private static final long serialVersionUID = 1L;
    private final long expectedOffset;

    public UploadOffsetMismatchException(String message, Throwable cause, ErrorInfo info, long expectedOffset) {
        super(message, cause, info);
        this.expectedOffset = expectedOffset;
    }

    /** The offset the server expects next; -1 when it did not say (ask GetUploadStatus). */
    public long expectedOffset() {
        return expectedOffset;
    }
}
