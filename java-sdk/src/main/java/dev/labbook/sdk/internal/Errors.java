package dev.labbook.sdk.internal;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.PreconditionFailure;
import dev.labbook.sdk.AbortedException;
import dev.labbook.sdk.AlreadyExistsException;
import dev.labbook.sdk.DeadlineExceededException;
import dev.labbook.sdk.ErrorInfo;
import dev.labbook.sdk.ErrorReason;
import dev.labbook.sdk.EtagMismatchException;
import dev.labbook.sdk.FailedPreconditionException;
import dev.labbook.sdk.InvalidArgumentException;
import dev.labbook.sdk.InvalidStatusTransitionException;
import dev.labbook.sdk.Labbook;
import dev.labbook.sdk.LabbookException;
import dev.labbook.sdk.NotFoundException;
import dev.labbook.sdk.OutOfRangeException;
import dev.labbook.sdk.PermissionDeniedException;
import dev.labbook.sdk.ResourceExhaustedException;
import dev.labbook.sdk.UnauthenticatedException;
import dev.labbook.sdk.UnavailableException;
import dev.labbook.sdk.UploadOffsetMismatchException;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;

/** Turns gRPC failures into the SDK's typed exceptions. */
public final class Errors {
    private Errors() {
    }

    /** The domain of the ErrorInfo details Labbook servers send. */
    public static final String DOMAIN = "labbook.dev";

    public static LabbookException translate(Throwable error) {
        if (error instanceof LabbookException e) {
            return e;
        }
        Status status = Status.fromThrowable(error);
        String message = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        Details d = Details.of(error);
        ErrorInfo info = d.info;
        return switch (status.getCode()) {
            case NOT_FOUND -> new NotFoundException(message, error, info);
            case ALREADY_EXISTS -> new AlreadyExistsException(message, error, info);
            case INVALID_ARGUMENT -> new InvalidArgumentException(d.field, message, error, info);
            case FAILED_PRECONDITION -> switch (info.reason()) {
                case ETAG_MISMATCH -> new EtagMismatchException(message, error, info);
                case UPLOAD_OFFSET_MISMATCH -> new UploadOffsetMismatchException(message, error, info, d.expectedOffset);
                case INVALID_STATUS_TRANSITION -> new InvalidStatusTransitionException(message, error, info);
                default -> new FailedPreconditionException(message, error, info);
            };
            case RESOURCE_EXHAUSTED -> new ResourceExhaustedException(message, error, info);
            case UNAVAILABLE -> new UnavailableException(message, error, info);
            case ABORTED -> new AbortedException(message, error, info);
            case OUT_OF_RANGE -> new OutOfRangeException(message, error, info);
            case DEADLINE_EXCEEDED -> new DeadlineExceededException(message, error, info);
            case PERMISSION_DENIED -> new PermissionDeniedException(message, error, info);
            case UNAUTHENTICATED -> new UnauthenticatedException(message, error, info);
            default -> new LabbookException(status.getCode().name(), message, error, info);
        };
    }

    /** gRPC failures become LabbookExceptions; anything else (a bug, a throwing callback) stays itself. */
    public static RuntimeException rethrow(RuntimeException error) {
        if (error instanceof io.grpc.StatusRuntimeException) {
            return translate(error);
        }
        return error;
    }

    /** UNAUTHENTICATED or PERMISSION_DENIED: the credentials, not the server or the data, are the trouble. */
    public static boolean isAuthFailure(Throwable error) {
        Status.Code code = error instanceof LabbookException e ? codeOf(e.code()) : Status.fromThrowable(error).getCode();
        return code == Status.Code.UNAUTHENTICATED || code == Status.Code.PERMISSION_DENIED;
    }

    /**
     * Failures after which the same call may simply be sent again: UNAVAILABLE, ABORTED, and
     * RESOURCE_EXHAUSTED with reason SERVER_BUSY (the server's database connections were all in
     * use; other RESOURCE_EXHAUSTED reasons are limits a retry does not change).
     */
    public static boolean isRetryable(Throwable error) {
        Status.Code code = error instanceof LabbookException e ? codeOf(e.code()) : Status.fromThrowable(error).getCode();
        if (code == Status.Code.RESOURCE_EXHAUSTED) {
            return translate(error).reason() == dev.labbook.sdk.ErrorReason.SERVER_BUSY;
        }
        return code == Status.Code.UNAVAILABLE || code == Status.Code.ABORTED;
    }

    /** What a background sender does after a call failed. */
    public enum Disposition {
        /** The server is away, busy or not letting us in right now: back off, keep (spool) the data, retry. */
        OUTAGE,
        /** The server refuses this request for good (bad data, run gone) or the failure is local: drop it. */
        REJECTED,
        /** The server failed in an unexpected way: retry a few times, then drop it so it blocks nothing. */
        FAULT
    }

    /**
     * How background senders treat a failure. PERMISSION_DENIED, UNAUTHENTICATED and
     * RESOURCE_EXHAUSTED count as an outage (a token being rotated, a busy server): dropping data
     * on them would lose it for a passing condition. INTERNAL, UNKNOWN and the other unexpected
     * codes may come from one poison request, so they are retried a bounded number of times.
     * Errors that did not come from a call (a bug, an unreadable file) are rejections.
     */
    public static Disposition disposition(Throwable error) {
        if (!(error instanceof LabbookException) && !(error instanceof io.grpc.StatusRuntimeException)
                && !(error instanceof io.grpc.StatusException)) {
            return Disposition.REJECTED;
        }
        Status.Code code = error instanceof LabbookException e ? codeOf(e.code()) : Status.fromThrowable(error).getCode();
        return switch (code) {
            case UNAVAILABLE, ABORTED, DEADLINE_EXCEEDED, CANCELLED, RESOURCE_EXHAUSTED, PERMISSION_DENIED,
                    UNAUTHENTICATED -> Disposition.OUTAGE;
            case INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS, OUT_OF_RANGE -> Disposition.REJECTED;
            default -> Disposition.FAULT;
        };
    }

    private static Status.Code codeOf(String name) {
        try {
            return Status.Code.valueOf(name);
        } catch (IllegalArgumentException e) {
            return Status.Code.UNKNOWN;
        }
    }

    /** What the status details of a failed call say: ErrorInfo, the BadRequest field, an expected offset. */
    private static final class Details {
        ErrorInfo info = ErrorInfo.NONE;
        String field = "";
        long expectedOffset = -1;

        static Details of(Throwable error) {
            Details d = new Details();
            com.google.rpc.Status status = StatusProto.fromThrowable(error);
            if (status == null) {
                return d;
            }
            for (Any detail : status.getDetailsList()) {
                try {
                    if (detail.is(com.google.rpc.ErrorInfo.class)) {
                        com.google.rpc.ErrorInfo ei = detail.unpack(com.google.rpc.ErrorInfo.class);
                        // another domain's reasons (a proxy's) are not ours to interpret
                        ErrorReason reason = DOMAIN.equals(ei.getDomain()) ? ErrorReason.of(ei.getReason())
                                : ErrorReason.UNKNOWN;
                        d.info = new ErrorInfo(reason, ei.getMetadataMap());
                    } else if (detail.is(BadRequest.class)) {
                        BadRequest br = detail.unpack(BadRequest.class);
                        if (br.getFieldViolationsCount() > 0) {
                            d.field = br.getFieldViolations(0).getField();
                        }
                    } else if (detail.is(PreconditionFailure.class)) {
                        for (PreconditionFailure.Violation v : detail.unpack(PreconditionFailure.class)
                                .getViolationsList()) {
                            // subject "offset=<n>" (or "offset" with the number in the description)
                            if (v.getSubject().startsWith("offset") && d.expectedOffset < 0) {
                                d.expectedOffset = firstNumber(v.getSubject().startsWith("offset=")
                                        ? v.getSubject() : v.getDescription());
                            }
                        }
                    }
                } catch (InvalidProtocolBufferException e) {
                    // a malformed detail is ignored; the status code still says what happened
                }
            }
            if (d.field.isEmpty()) {
                d.field = d.info.metadata().getOrDefault("field", "");
            }
            String expected = d.info.metadata().get("expected_offset");
            if (expected != null) {
                d.expectedOffset = firstNumber(expected);
            }
            return d;
        }

        private static long firstNumber(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+").matcher(text);
            if (!m.find()) {
                return -1;
            }
            try {
                return Long.parseLong(m.group());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}
