package dev.labbook.sdk;

/**
 * Why a server call failed, as the server's {@code google.rpc.ErrorInfo} detail says (the API's
 * {@code ErrorReason} without its {@code ERROR_REASON_} prefix). Switch on this, never on the
 * message text. A reason this SDK does not know yet (a newer server), or an error without the
 * detail (a proxy, a local failure), is {@link #UNKNOWN}: handle it by its status code.
 */
public enum ErrorReason {
    /** No reason given, or one this SDK does not know. */
    UNKNOWN,
    INVALID_FIELD,
    INVALID_FILTER,
    INVALID_PAGE_TOKEN,
    EXPERIMENT_NOT_FOUND,
    RUN_NOT_FOUND,
    METRIC_NOT_FOUND,
    TABLE_NOT_FOUND,
    ARTIFACT_NOT_FOUND,
    UPLOAD_NOT_FOUND,
    ARTIFACT_CONTENT_MISSING,
    EXPERIMENT_ALREADY_EXISTS,
    RUN_ALREADY_EXISTS,
    EXPERIMENT_DELETED,
    RUN_DELETED,
    NOT_DELETED,
    INVALID_STATUS_TRANSITION,
    ETAG_MISMATCH,
    PARENT_RUN_MISMATCH,
    UPLOAD_OFFSET_MISMATCH,
    UPLOAD_COMPLETE,
    ARTIFACT_IS_REFERENCE,
    UPLOAD_CONFLICT,
    CONCURRENT_CHANGE,
    OFFSET_OUT_OF_RANGE,
    LIMIT_EXCEEDED,
    DATABASE_UNAVAILABLE,
    ARTIFACT_STORE_UNAVAILABLE,
    SHUTTING_DOWN,
    INTERNAL,
    SEARCH_TIMEOUT,
    VALUE_OUT_OF_RANGE,
    REQUEST_MALFORMED,
    MESSAGE_TOO_LARGE,
    CANCELLED,
    DEADLINE_EXCEEDED,
    UNIMPLEMENTED,
    PROJECT_NOT_FOUND,
    CREDENTIALS_MISSING,
    CREDENTIALS_INVALID,
    CREDENTIALS_EXPIRED,
    TOKEN_REVOKED,
    ROLE_MISSING,
    TOKEN_NOT_FOUND,
    ACCESS_RULE_MISSING,
    ARTIFACT_STORE_LINK,
    /** The server is busy (its database connections are all in use): retry with backoff. */
    SERVER_BUSY,
    /** A client stream sent nothing for the server's stream idle timeout and was ended. */
    STREAM_IDLE_TIMEOUT,
    /** A submission names a compute target the server does not have (or that is closed to the run's project). */
    COMPUTE_TARGET_UNKNOWN,
    /** The run was not submitted to a server compute target. */
    SUBMISSION_NOT_FOUND,
    /** The run was already submitted, to another target. */
    ALREADY_SUBMITTED,
    /** The Kubernetes API of a compute target did not answer: the run stays QUEUED, retry. */
    COMPUTE_UNAVAILABLE,
    /** The Kubernetes API of a compute target refused for good (RBAC, quota, a missing namespace): its operator has to act. */
    COMPUTE_REFUSED,
    MODEL_NOT_FOUND,
    PARAM_VALUE_CHANGED;

    /** The reason of that name ({@code RUN_NOT_FOUND}, or with the {@code ERROR_REASON_} prefix); UNKNOWN otherwise. */
    public static ErrorReason of(String name) {
        if (name == null || name.isEmpty()) {
            return UNKNOWN;
        }
        String bare = name.startsWith("ERROR_REASON_") ? name.substring("ERROR_REASON_".length()) : name;
        try {
            return valueOf(bare);
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
