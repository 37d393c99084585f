package dev.labbook.sdk;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/** Turns gRPC failures into the SDK's typed exceptions. */
final class Errors {
    private Errors() {
    }

    static LabbookException translate(Throwable error) {
        if (error instanceof LabbookException e) {
            return e;
        }
        Status status = Status.fromThrowable(error);
        String message = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        return switch (status.getCode()) {
            case NOT_FOUND -> new NotFoundException(message, error);
            case ALREADY_EXISTS -> new AlreadyExistsException(message, error);
            case INVALID_ARGUMENT -> new InvalidArgumentException(badRequestField(error), message, error);
            case FAILED_PRECONDITION -> new FailedPreconditionException(message, error);
            case RESOURCE_EXHAUSTED -> new ResourceExhaustedException(message, error);
            case UNAVAILABLE -> new UnavailableException(message, error);
            case ABORTED -> new AbortedException(message, error);
            case OUT_OF_RANGE -> new OutOfRangeException(message, error);
            case DEADLINE_EXCEEDED -> new DeadlineExceededException(message, error);
            case PERMISSION_DENIED, UNAUTHENTICATED -> new PermissionDeniedException(message, error);
            default -> new LabbookException(status.getCode().name(), message, error);
        };
    }

    /** gRPC failures become LabbookExceptions; anything else (a bug, a throwing callback) stays itself. */
    static RuntimeException rethrow(RuntimeException error) {
        if (error instanceof io.grpc.StatusRuntimeException) {
            return translate(error);
        }
        return error;
    }

    /** Codes after which the same call may simply be sent again. */
    static boolean isRetryable(Throwable error) {
        Status.Code code = error instanceof LabbookException e ? codeOf(e.code()) : Status.fromThrowable(error).getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.ABORTED;
    }

    /** What a background sender does after a call failed. */
    enum Disposition {
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
    static Disposition disposition(Throwable error) {
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

    private static String badRequestField(Throwable error) {
        com.google.rpc.Status status = error instanceof StatusRuntimeException sre ? StatusProto.fromThrowable(sre)
                : StatusProto.fromThrowable(error);
        if (status == null) {
            return "";
        }
        for (Any detail : status.getDetailsList()) {
            if (detail.is(BadRequest.class)) {
                try {
                    BadRequest br = detail.unpack(BadRequest.class);
                    if (br.getFieldViolationsCount() > 0) {
                        return br.getFieldViolations(0).getField();
                    }
                } catch (InvalidProtocolBufferException e) {
                    return "";
                }
            }
        }
        return "";
    }
}
