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

    public static StatusRuntimeException assertStatus(Status.Code code, ThrowingCallable call) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call);
        assertThat(e).as("expected a %s error", code).isNotNull();
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
        return e;
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
