from google.rpc import error_details_pb2 as _error_details_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class LifecycleFilter(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    LIFECYCLE_FILTER_UNSPECIFIED: _ClassVar[LifecycleFilter]
    LIFECYCLE_FILTER_ACTIVE: _ClassVar[LifecycleFilter]
    LIFECYCLE_FILTER_DELETED: _ClassVar[LifecycleFilter]
    LIFECYCLE_FILTER_ALL: _ClassVar[LifecycleFilter]

class Direction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIRECTION_UNSPECIFIED: _ClassVar[Direction]
    DIRECTION_INPUT: _ClassVar[Direction]
    DIRECTION_OUTPUT: _ClassVar[Direction]

class ErrorReason(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ERROR_REASON_UNSPECIFIED: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_FIELD: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_FILTER: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_PAGE_TOKEN: _ClassVar[ErrorReason]
    ERROR_REASON_EXPERIMENT_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_RUN_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_METRIC_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_TABLE_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ARTIFACT_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ARTIFACT_CONTENT_MISSING: _ClassVar[ErrorReason]
    ERROR_REASON_EXPERIMENT_ALREADY_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_RUN_ALREADY_EXISTS: _ClassVar[ErrorReason]
    ERROR_REASON_EXPERIMENT_DELETED: _ClassVar[ErrorReason]
    ERROR_REASON_RUN_DELETED: _ClassVar[ErrorReason]
    ERROR_REASON_NOT_DELETED: _ClassVar[ErrorReason]
    ERROR_REASON_INVALID_STATUS_TRANSITION: _ClassVar[ErrorReason]
    ERROR_REASON_ETAG_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_PARENT_RUN_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_OFFSET_MISMATCH: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_COMPLETE: _ClassVar[ErrorReason]
    ERROR_REASON_ARTIFACT_IS_REFERENCE: _ClassVar[ErrorReason]
    ERROR_REASON_UPLOAD_CONFLICT: _ClassVar[ErrorReason]
    ERROR_REASON_CONCURRENT_CHANGE: _ClassVar[ErrorReason]
    ERROR_REASON_OFFSET_OUT_OF_RANGE: _ClassVar[ErrorReason]
    ERROR_REASON_LIMIT_EXCEEDED: _ClassVar[ErrorReason]
    ERROR_REASON_DATABASE_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_ARTIFACT_STORE_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_SHUTTING_DOWN: _ClassVar[ErrorReason]
    ERROR_REASON_INTERNAL: _ClassVar[ErrorReason]
    ERROR_REASON_SEARCH_TIMEOUT: _ClassVar[ErrorReason]
    ERROR_REASON_VALUE_OUT_OF_RANGE: _ClassVar[ErrorReason]
    ERROR_REASON_REQUEST_MALFORMED: _ClassVar[ErrorReason]
    ERROR_REASON_MESSAGE_TOO_LARGE: _ClassVar[ErrorReason]
    ERROR_REASON_CANCELLED: _ClassVar[ErrorReason]
    ERROR_REASON_DEADLINE_EXCEEDED: _ClassVar[ErrorReason]
    ERROR_REASON_UNIMPLEMENTED: _ClassVar[ErrorReason]
    ERROR_REASON_PROJECT_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_CREDENTIALS_MISSING: _ClassVar[ErrorReason]
    ERROR_REASON_CREDENTIALS_INVALID: _ClassVar[ErrorReason]
    ERROR_REASON_CREDENTIALS_EXPIRED: _ClassVar[ErrorReason]
    ERROR_REASON_TOKEN_REVOKED: _ClassVar[ErrorReason]
    ERROR_REASON_ROLE_MISSING: _ClassVar[ErrorReason]
    ERROR_REASON_TOKEN_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ACCESS_RULE_MISSING: _ClassVar[ErrorReason]
    ERROR_REASON_ARTIFACT_STORE_LINK: _ClassVar[ErrorReason]
    ERROR_REASON_SERVER_BUSY: _ClassVar[ErrorReason]
    ERROR_REASON_STREAM_IDLE_TIMEOUT: _ClassVar[ErrorReason]
    ERROR_REASON_COMPUTE_TARGET_UNKNOWN: _ClassVar[ErrorReason]
    ERROR_REASON_SUBMISSION_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_ALREADY_SUBMITTED: _ClassVar[ErrorReason]
    ERROR_REASON_COMPUTE_UNAVAILABLE: _ClassVar[ErrorReason]
    ERROR_REASON_COMPUTE_REFUSED: _ClassVar[ErrorReason]
    ERROR_REASON_MODEL_NOT_FOUND: _ClassVar[ErrorReason]
    ERROR_REASON_PARAM_VALUE_CHANGED: _ClassVar[ErrorReason]
LIFECYCLE_FILTER_UNSPECIFIED: LifecycleFilter
LIFECYCLE_FILTER_ACTIVE: LifecycleFilter
LIFECYCLE_FILTER_DELETED: LifecycleFilter
LIFECYCLE_FILTER_ALL: LifecycleFilter
DIRECTION_UNSPECIFIED: Direction
DIRECTION_INPUT: Direction
DIRECTION_OUTPUT: Direction
ERROR_REASON_UNSPECIFIED: ErrorReason
ERROR_REASON_INVALID_FIELD: ErrorReason
ERROR_REASON_INVALID_FILTER: ErrorReason
ERROR_REASON_INVALID_PAGE_TOKEN: ErrorReason
ERROR_REASON_EXPERIMENT_NOT_FOUND: ErrorReason
ERROR_REASON_RUN_NOT_FOUND: ErrorReason
ERROR_REASON_METRIC_NOT_FOUND: ErrorReason
ERROR_REASON_TABLE_NOT_FOUND: ErrorReason
ERROR_REASON_ARTIFACT_NOT_FOUND: ErrorReason
ERROR_REASON_UPLOAD_NOT_FOUND: ErrorReason
ERROR_REASON_ARTIFACT_CONTENT_MISSING: ErrorReason
ERROR_REASON_EXPERIMENT_ALREADY_EXISTS: ErrorReason
ERROR_REASON_RUN_ALREADY_EXISTS: ErrorReason
ERROR_REASON_EXPERIMENT_DELETED: ErrorReason
ERROR_REASON_RUN_DELETED: ErrorReason
ERROR_REASON_NOT_DELETED: ErrorReason
ERROR_REASON_INVALID_STATUS_TRANSITION: ErrorReason
ERROR_REASON_ETAG_MISMATCH: ErrorReason
ERROR_REASON_PARENT_RUN_MISMATCH: ErrorReason
ERROR_REASON_UPLOAD_OFFSET_MISMATCH: ErrorReason
ERROR_REASON_UPLOAD_COMPLETE: ErrorReason
ERROR_REASON_ARTIFACT_IS_REFERENCE: ErrorReason
ERROR_REASON_UPLOAD_CONFLICT: ErrorReason
ERROR_REASON_CONCURRENT_CHANGE: ErrorReason
ERROR_REASON_OFFSET_OUT_OF_RANGE: ErrorReason
ERROR_REASON_LIMIT_EXCEEDED: ErrorReason
ERROR_REASON_DATABASE_UNAVAILABLE: ErrorReason
ERROR_REASON_ARTIFACT_STORE_UNAVAILABLE: ErrorReason
ERROR_REASON_SHUTTING_DOWN: ErrorReason
ERROR_REASON_INTERNAL: ErrorReason
ERROR_REASON_SEARCH_TIMEOUT: ErrorReason
ERROR_REASON_VALUE_OUT_OF_RANGE: ErrorReason
ERROR_REASON_REQUEST_MALFORMED: ErrorReason
ERROR_REASON_MESSAGE_TOO_LARGE: ErrorReason
ERROR_REASON_CANCELLED: ErrorReason
ERROR_REASON_DEADLINE_EXCEEDED: ErrorReason
ERROR_REASON_UNIMPLEMENTED: ErrorReason
ERROR_REASON_PROJECT_NOT_FOUND: ErrorReason
ERROR_REASON_CREDENTIALS_MISSING: ErrorReason
ERROR_REASON_CREDENTIALS_INVALID: ErrorReason
ERROR_REASON_CREDENTIALS_EXPIRED: ErrorReason
ERROR_REASON_TOKEN_REVOKED: ErrorReason
ERROR_REASON_ROLE_MISSING: ErrorReason
ERROR_REASON_TOKEN_NOT_FOUND: ErrorReason
ERROR_REASON_ACCESS_RULE_MISSING: ErrorReason
ERROR_REASON_ARTIFACT_STORE_LINK: ErrorReason
ERROR_REASON_SERVER_BUSY: ErrorReason
ERROR_REASON_STREAM_IDLE_TIMEOUT: ErrorReason
ERROR_REASON_COMPUTE_TARGET_UNKNOWN: ErrorReason
ERROR_REASON_SUBMISSION_NOT_FOUND: ErrorReason
ERROR_REASON_ALREADY_SUBMITTED: ErrorReason
ERROR_REASON_COMPUTE_UNAVAILABLE: ErrorReason
ERROR_REASON_COMPUTE_REFUSED: ErrorReason
ERROR_REASON_MODEL_NOT_FOUND: ErrorReason
ERROR_REASON_PARAM_VALUE_CHANGED: ErrorReason

class Value(_message.Message):
    __slots__ = ("string_value", "int_value", "double_value", "bool_value")
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    string_value: str
    int_value: int
    double_value: float
    bool_value: bool
    def __init__(self, string_value: _Optional[str] = ..., int_value: _Optional[int] = ..., double_value: _Optional[float] = ..., bool_value: bool = ...) -> None: ...

class ErrorDetails(_message.Message):
    __slots__ = ("error_info", "bad_request", "precondition_failure", "resource_info")
    ERROR_INFO_FIELD_NUMBER: _ClassVar[int]
    BAD_REQUEST_FIELD_NUMBER: _ClassVar[int]
    PRECONDITION_FAILURE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_INFO_FIELD_NUMBER: _ClassVar[int]
    error_info: _error_details_pb2.ErrorInfo
    bad_request: _error_details_pb2.BadRequest
    precondition_failure: _error_details_pb2.PreconditionFailure
    resource_info: _error_details_pb2.ResourceInfo
    def __init__(self, error_info: _Optional[_Union[_error_details_pb2.ErrorInfo, _Mapping]] = ..., bad_request: _Optional[_Union[_error_details_pb2.BadRequest, _Mapping]] = ..., precondition_failure: _Optional[_Union[_error_details_pb2.PreconditionFailure, _Mapping]] = ..., resource_info: _Optional[_Union[_error_details_pb2.ResourceInfo, _Mapping]] = ...) -> None: ...
