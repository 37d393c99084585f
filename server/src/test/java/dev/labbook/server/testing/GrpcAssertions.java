package dev.labbook.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.BadRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Assertions on gRPC errors: the code, the message, and the field named in BadRequest details. */
public final class GrpcAssertions {
    private GrpcAssertions() {
    }

    /** Asserts the code, and that the error carries a labbook.dev ErrorInfo (AIP-193). */
    public static StatusRuntimeException assertStatus(Status.Code code, ThrowingCallable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(e).as("expected a %s error", code).isNotNull();
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
        assertThat(errorInfo(e)).as("labbook.dev ErrorInfo of %s", e.getStatus()).isPresent();
        return e;
    }

    /** Asserts the code and the ErrorInfo reason, e.g. {@code RUN_NOT_FOUND}. */
    public static StatusRuntimeException assertReason(Status.Code code, String reason, ThrowingCallable call) {
        StatusRuntimeException e = assertStatus(code, call);
        assertThat(errorInfo(e).orElseThrow().getReason()).as(e.getStatus().toString()).isEqualTo(reason);
        return e;
    }

    /** The labbook.dev ErrorInfo of an error, if it has one. */
    public static java.util.Optional<com.google.rpc.ErrorInfo> errorInfo(StatusRuntimeException e) {
        return ErrorInfoAudit.errorInfo(e.getStatus(), e.getTrailers() == null ? new io.grpc.Metadata() : e.getTrailers());
    }

    /** Asserts INVALID_ARGUMENT whose BadRequest detail names {@code field}. */
    public static StatusRuntimeException assertInvalidField(String field, ThrowingCallable call) {
        StatusRuntimeException e = assertStatus(Status.Code.INVALID_ARGUMENT, call);
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        assertThat(details).as("google.rpc.Status details").isNotNull();
        BadRequest badRequest = details.getDetailsList().stream()
                .filter(any -> any.is(BadRequest.class))
                .map(any -> {
                    try {
                        return any.unpack(BadRequest.class);
                    } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                        throw new AssertionError(ex);
                    }
                })
                .findFirst()
                .orElseThrow(() -> new AssertionError("no BadRequest detail in " + e));
        assertThat(badRequest.getFieldViolationsList()).extracting(BadRequest.FieldViolation::getField)
                .containsExactly(field);
        assertThat(e.getStatus().getDescription()).startsWith(field + ": ");
        return e;
    }
}
