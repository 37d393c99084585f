package dev.labbook.server.domain;

/**
 * Why a call failed, as clients see it in the {@code google.rpc.ErrorInfo} detail (domain
 * {@code labbook.dev}). Mirrors {@code labbook.v1.ErrorReason} without its prefix and its
 * UNSPECIFIED value; {@code ErrorReasonMirrorTest} keeps the two in step. Each value documents
 * its status code in the proto.
 */
public enum ErrorReason {
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
    PROJECT_NOT_FOUND
}
