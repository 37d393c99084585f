package dev.labbook.server.mlflow;

/** An MLflow API error: answered as {@code {"error_code": ..., "message": ...}} with the code's HTTP status. */
public final class MlflowException extends RuntimeException {
    private final MlflowErrorCode code;

    public MlflowException(MlflowErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public MlflowErrorCode code() {
        return code;
    }

    /** MLflow's wording for a missing required field, which its client shows as is. */
    public static MlflowException missing(String field) {
        return new MlflowException(MlflowErrorCode.INVALID_PARAMETER_VALUE,
                "Missing value for required parameter '" + field + "'.");
    }

    public static MlflowException invalid(String message) {
        return new MlflowException(MlflowErrorCode.INVALID_PARAMETER_VALUE, message);
    }
}
