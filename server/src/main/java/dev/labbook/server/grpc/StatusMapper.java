package dev.labbook.server.grpc;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import dev.labbook.server.domain.AbortedException;
import dev.labbook.server.domain.AlreadyExistsException;
import dev.labbook.server.domain.FailedPreconditionException;
import dev.labbook.server.domain.InvalidArgumentException;
import dev.labbook.server.domain.NotFoundException;
import dev.labbook.server.domain.OutOfRangeException;
import dev.labbook.server.domain.ResourceExhaustedException;
import dev.labbook.server.domain.UnavailableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where errors become gRPC statuses. Field errors carry a
 * {@code google.rpc.BadRequest} detail; unexpected errors are logged with an id that the client
 * sees, and never leak internals.
 */
public final class StatusMapper {
    private static final Logger LOG = LoggerFactory.getLogger(StatusMapper.class);

    private StatusMapper() {
    }

    public static StatusRuntimeException toStatusException(Throwable error) {
        if (error instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (error instanceof InvalidArgumentException e) {
            BadRequest details = BadRequest.newBuilder()
                    .addFieldViolations(BadRequest.FieldViolation.newBuilder()
                            .setField(e.field())
                            .setDescription(e.description()))
                    .build();
            return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                    .setCode(Code.INVALID_ARGUMENT_VALUE)
                    .setMessage(e.getMessage())
                    .addDetails(Any.pack(details))
                    .build());
        }
        if (error instanceof NotFoundException) {
            return Status.NOT_FOUND.withDescription(error.getMessage()).asRuntimeException();
        }
        if (error instanceof AlreadyExistsException) {
            return Status.ALREADY_EXISTS.withDescription(error.getMessage()).asRuntimeException();
        }
        if (error instanceof FailedPreconditionException) {
            return Status.FAILED_PRECONDITION.withDescription(error.getMessage()).asRuntimeException();
        }
        if (error instanceof UnavailableException) {
            LOG.warn("{}", error.getMessage(), error.getCause());
            return Status.UNAVAILABLE.withDescription(error.getMessage()).asRuntimeException();
        }
        if (error instanceof ResourceExhaustedException) {
            return Status.RESOURCE_EXHAUSTED.withDescription(error.getMessage()).asRuntimeException();
        }
        if (error instanceof OutOfRangeException) {
            return Status.OUT_OF_RANGE.withDescription(error.getMessage()).asRuntimeException();
        }
        if (error instanceof AbortedException) {
            return Status.ABORTED.withDescription(error.getMessage()).asRuntimeException();
        }
        String incident = UUID.randomUUID().toString();
        LOG.error("internal error {}", incident, error);
        return Status.INTERNAL.withDescription("internal error " + incident + "; see the server log")
                .asRuntimeException();
    }
}
