package dev.labbook.server.mlflow;

import com.google.rpc.ErrorInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;

/**
 * Maps the labbook.v1 API's statuses to MLflow's error codes. The message is the API's own (it
 * names the field); the Labbook reason, when there is one, is kept in front of it in brackets
 * ({@code [RUN_NOT_FOUND] run ... not found}) so that nothing the API said is lost.
 */
public final class MlflowErrors {
    private MlflowErrors() {
    }

    public static MlflowException from(StatusRuntimeException e) {
        Status status = e.getStatus();
        Optional<String> reason = reason(e);
        String description = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        String message = reason.map(r -> "[" + r + "] " + description).orElse(description);
        return new MlflowException(code(status.getCode(), reason), message);
    }

    static MlflowErrorCode code(Status.Code code, Optional<String> reason) {
        return switch (code) {
            case NOT_FOUND -> MlflowErrorCode.RESOURCE_DOES_NOT_EXIST;
            case INVALID_ARGUMENT, OUT_OF_RANGE -> MlflowErrorCode.INVALID_PARAMETER_VALUE;
            case ALREADY_EXISTS -> MlflowErrorCode.RESOURCE_ALREADY_EXISTS;
            // MLflow answers a changed param INVALID_PARAMETER_VALUE; its client tests for that.
            case FAILED_PRECONDITION -> reason.filter("PARAM_VALUE_CHANGED"::equals).isPresent()
                    ? MlflowErrorCode.INVALID_PARAMETER_VALUE : MlflowErrorCode.INVALID_STATE;
            case UNAUTHENTICATED -> MlflowErrorCode.UNAUTHENTICATED;
            case PERMISSION_DENIED -> MlflowErrorCode.PERMISSION_DENIED;
            case RESOURCE_EXHAUSTED -> MlflowErrorCode.RESOURCE_EXHAUSTED;
            case UNAVAILABLE, ABORTED -> MlflowErrorCode.TEMPORARILY_UNAVAILABLE;
            case DEADLINE_EXCEEDED -> MlflowErrorCode.DEADLINE_EXCEEDED;
            case UNIMPLEMENTED -> MlflowErrorCode.ENDPOINT_NOT_FOUND;
            default -> MlflowErrorCode.INTERNAL_ERROR;
        };
    }

    /** The ErrorInfo reason of the status details, e.g. {@code RUN_NOT_FOUND}. */
    public static Optional<String> reason(StatusRuntimeException e) {
        com.google.rpc.Status details = StatusProto.fromThrowable(e);
        if (details == null) {
            return Optional.empty();
        }
        return details.getDetailsList().stream()
                .filter(any -> any.is(ErrorInfo.class))
                .map(any -> {
                    try {
                        return any.unpack(ErrorInfo.class).getReason();
                    } catch (com.google.protobuf.InvalidProtocolBufferException bad) {
                        return "";
                    }
                })
                .filter(r -> !r.isEmpty())
                .findFirst();
    }
}
