package dev.labbook.server.mlflow;

/**
 * MLflow's {@code error_code} values that this API answers, each with the HTTP status MLflow's own
 * server gives it: the MLflow client turns them into its usual exceptions
 * ({@code MlflowException} with {@code error_code}; 429 and 5xx are retried by the client).
 */
public enum MlflowErrorCode {
    INVALID_PARAMETER_VALUE(400),
    BAD_REQUEST(400),
    INVALID_STATE(400),
    RESOURCE_ALREADY_EXISTS(400),
    RESOURCE_DOES_NOT_EXIST(404),
    UNAUTHENTICATED(401),
    PERMISSION_DENIED(403),
    RESOURCE_EXHAUSTED(429),
    REQUEST_LIMIT_EXCEEDED(429),
    ENDPOINT_NOT_FOUND(501),
    TEMPORARILY_UNAVAILABLE(503),
    DEADLINE_EXCEEDED(504),
    INTERNAL_ERROR(500);

    private final int httpStatus;

    MlflowErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
