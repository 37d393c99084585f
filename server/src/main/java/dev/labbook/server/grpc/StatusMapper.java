package dev.labbook.server.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.ResourceInfo;
import dev.labbook.server.domain.AbortedException;
import dev.labbook.server.domain.AlreadyExistsException;
import dev.labbook.server.domain.ErrorReason;
import dev.labbook.server.domain.FailedPreconditionException;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.LabbookException;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.OutOfRangeException;
import dev.labbook.server.domain.ResourceExhaustedException;
import dev.labbook.server.domain.UnavailableException;
import dev.labbook.server.domain.access.PermissionDeniedException;
import dev.labbook.server.domain.access.UnauthenticatedException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where errors become gRPC statuses (AIP-193). Every status carries a
 * {@code google.rpc.ErrorInfo} (domain {@value #DOMAIN}, the error's reason and metadata);
 * field errors add a {@code BadRequest}, errors about one object a {@code ResourceInfo}, failed
 * preconditions a {@code PreconditionFailure}. Unexpected errors are logged with an incident id
 * that the client sees, and never leak internals.
 */
public final class StatusMapper {
    public static final String DOMAIN = "labbook.dev";
    /** The trailer grpc-java's {@link StatusProto} reads and writes the rich status in. */
    static final Metadata.Key<com.google.rpc.Status> STATUS_DETAILS_KEY = Metadata.Key.of(
            "grpc-status-details-bin", ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));
    private static final Logger LOG = LoggerFactory.getLogger(StatusMapper.class);

    private StatusMapper() {
    }

    public static StatusRuntimeException toStatusException(Throwable error) {
        if (error instanceof StatusRuntimeException sre) {
            return withDetails(sre);
        }
        if (error instanceof LabbookException e) {
            if (e instanceof UnavailableException) {
                LOG.warn("{}", e.getMessage(), e.getCause());
            }
            return toStatusException(e);
        }
        String incident = UUID.randomUUID().toString();
        LOG.error("internal error {}", incident, error);
        return build(Code.INTERNAL, "internal error " + incident + "; see the server log",
                errorInfo(ErrorReason.INTERNAL, Map.of("incident", incident)));
    }

    private static StatusRuntimeException toStatusException(LabbookException e) {
        Code code = codeOf(e);
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(e.getMessage())
                .addDetails(Any.pack(errorInfo(e.reason(), e.metadata())));
        if (e instanceof InvalidArgumentException invalid) {
            status.addDetails(Any.pack(BadRequest.newBuilder()
                    .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                            .setField(invalid.field())
                            .setDescription(invalid.description()))
                    .build()));
        }
        if (e instanceof FailedPreconditionException) {
            PreconditionFailure.Violation.Builder violation = PreconditionFailure.Violation.newBuilder()
                    .setType(e.reason().name())
                    .setDescription(e.getMessage());
            if (e.metadata().containsKey("expected_offset")) {
                // The offset to resume an upload from, as a field rather than text to parse.
                violation.setSubject("offset=" + e.metadata().get("expected_offset"));
            } else if (e.resourceName() != null) {
                violation.setSubject(e.resourceType() + "/" + e.resourceName());
            }
            status.addDetails(Any.pack(PreconditionFailure.newBuilder().addViolations(violation).build()));
        }
        if (e.resourceType() != null) {
            status.addDetails(Any.pack(ResourceInfo.newBuilder()
                    .setResourceType(DOMAIN + "/" + e.resourceType())
                    .setResourceName(e.resourceName())
                    .build()));
        }
        return StatusProto.toStatusRuntimeException(status.build());
    }

    private static Code codeOf(LabbookException e) {
        if (e instanceof InvalidArgumentException) {
            return Code.INVALID_ARGUMENT;
        } else if (e instanceof NotFoundException) {
            return Code.NOT_FOUND;
        } else if (e instanceof AlreadyExistsException) {
            return Code.ALREADY_EXISTS;
        } else if (e instanceof FailedPreconditionException) {
            return Code.FAILED_PRECONDITION;
        } else if (e instanceof UnavailableException) {
            return Code.UNAVAILABLE;
        } else if (e instanceof ResourceExhaustedException) {
            return Code.RESOURCE_EXHAUSTED;
        } else if (e instanceof OutOfRangeException) {
            return Code.OUT_OF_RANGE;
        } else if (e instanceof UnauthenticatedException) {
            return Code.UNAUTHENTICATED;
        } else if (e instanceof PermissionDeniedException) {
            return Code.PERMISSION_DENIED;
        } else if (e instanceof AbortedException) {
            return Code.ABORTED;
        }
        throw new IllegalStateException("no status code for " + e.getClass().getName());
    }

    /**
     * Trailers for a status that was made without a domain error (by gRPC itself, the stream
     * drain, a client cancel): an ErrorInfo whose reason follows from the code, so that every
     * error a client sees carries one. Returns the trailers unchanged when they hold details.
     */
    static Metadata ensureDetails(Status status, Metadata trailers) {
        if (status.isOk() || trailers.containsKey(STATUS_DETAILS_KEY)) {
            return trailers;
        }
        trailers.put(STATUS_DETAILS_KEY, fallbackDetails(status));
        return trailers;
    }

    /**
     * The details of an error status no domain error made: an ErrorInfo whose reason follows
     * from the code. Also used by the HTTP port for errors its transport makes itself.
     */
    public static com.google.rpc.Status fallbackDetails(Status status) {
        return com.google.rpc.Status.newBuilder()
                .setCode(status.getCode().value())
                .setMessage(status.getDescription() == null ? "" : status.getDescription())
                .addDetails(Any.pack(errorInfo(fallbackReason(status.getCode()), Map.of())))
                .build();
    }

    private static StatusRuntimeException withDetails(StatusRuntimeException sre) {
        Metadata trailers = sre.getTrailers() != null ? sre.getTrailers() : new Metadata();
        return new StatusRuntimeException(sre.getStatus(), ensureDetails(sre.getStatus(), trailers));
    }

    static ErrorReason fallbackReason(Status.Code code) {
        return switch (code) {
            case INVALID_ARGUMENT -> ErrorReason.REQUEST_MALFORMED;
            case RESOURCE_EXHAUSTED -> ErrorReason.MESSAGE_TOO_LARGE;
            case CANCELLED -> ErrorReason.CANCELLED;
            case DEADLINE_EXCEEDED -> ErrorReason.DEADLINE_EXCEEDED;
            case UNIMPLEMENTED -> ErrorReason.UNIMPLEMENTED;
            case UNAVAILABLE -> ErrorReason.SHUTTING_DOWN;
            default -> ErrorReason.INTERNAL;
        };
    }

    /**
     * A status the gRPC layer makes itself (no domain error: e.g. an idle stream ended), with its
     * ErrorInfo: the status and the trailers to close a call with.
     */
    static StatusRuntimeException status(Code code, ErrorReason reason, String message, Map<String, String> metadata) {
        return build(code, message, errorInfo(reason, metadata));
    }

    private static ErrorInfo errorInfo(ErrorReason reason, Map<String, String> metadata) {
        return ErrorInfo.newBuilder().setDomain(DOMAIN).setReason(reason.name()).putAllMetadata(metadata).build();
    }

    private static StatusRuntimeException build(Code code, String message, ErrorInfo info) {
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(code.getNumber())
                .setMessage(message)
                .addDetails(Any.pack(info))
                .build());
    }
}
