"""Typed exceptions for gRPC status codes (DESIGN.md §8: the SDK turns codes into types)."""
from __future__ import annotations

from typing import Dict, Optional, Type

import grpc

__all__ = [
    "LabbookError", "InvalidArgumentError", "NotFoundError", "AlreadyExistsError",
    "FailedPreconditionError", "PermissionDeniedError", "UnauthenticatedError",
    "ResourceExhaustedError", "OutOfRangeError", "AbortedError", "UnavailableError",
    "DeadlineExceededError", "UnimplementedError", "InternalError", "from_rpc_error",
    "RETRYABLE_CODES",
]

# Only these are retried (with jittered backoff); every other code is final.
RETRYABLE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED})


class LabbookError(Exception):
    """Base of every error the SDK raises for a failed call. `code` is the gRPC status code."""

    code: Optional[grpc.StatusCode] = None

    def __init__(self, message: str, *, code: Optional[grpc.StatusCode] = None,
                 field: Optional[str] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        #: The request field the server named (google.rpc.BadRequest), when it named one.
        self.field = field


class InvalidArgumentError(LabbookError, ValueError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class NotFoundError(LabbookError, LookupError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExistsError(LabbookError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPreconditionError(LabbookError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class PermissionDeniedError(LabbookError):
    code = grpc.StatusCode.PERMISSION_DENIED


class UnauthenticatedError(LabbookError):
    code = grpc.StatusCode.UNAUTHENTICATED


class ResourceExhaustedError(LabbookError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED


class OutOfRangeError(LabbookError):
    code = grpc.StatusCode.OUT_OF_RANGE


class AbortedError(LabbookError):
    code = grpc.StatusCode.ABORTED


class UnavailableError(LabbookError, ConnectionError):
    code = grpc.StatusCode.UNAVAILABLE


class DeadlineExceededError(LabbookError, TimeoutError):
    code = grpc.StatusCode.DEADLINE_EXCEEDED


class UnimplementedError(LabbookError, NotImplementedError):
    code = grpc.StatusCode.UNIMPLEMENTED


class InternalError(LabbookError):
    code = grpc.StatusCode.INTERNAL


_BY_CODE: Dict[grpc.StatusCode, Type[LabbookError]] = {
    cls.code: cls for cls in (
        InvalidArgumentError, NotFoundError, AlreadyExistsError, FailedPreconditionError,
        PermissionDeniedError, UnauthenticatedError, ResourceExhaustedError, OutOfRangeError,
        AbortedError, UnavailableError, DeadlineExceededError, UnimplementedError, InternalError)
}


def _bad_request_field(error: grpc.RpcError) -> Optional[str]:
    """The first field violation of a google.rpc.BadRequest detail, if the server sent one."""
    trailers = getattr(error, "trailing_metadata", None)
    if trailers is None:
        return None
    try:
        metadata = trailers() or ()
    except Exception:  # a failed call without trailers
        return None
    for key, value in metadata:
        if key != "grpc-status-details-bin":
            continue
        try:
            from google.rpc import error_details_pb2, status_pb2

            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    detail.Unpack(bad)
                    if bad.field_violations:
                        return bad.field_violations[0].field
        except Exception:
            return None
    return None


def from_rpc_error(error: grpc.RpcError) -> LabbookError:
    """Turns a grpc.RpcError into the matching typed LabbookError (keeping it as __cause__)."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    details = error.details() if hasattr(error, "details") else str(error)
    cls = _BY_CODE.get(code, LabbookError)
    name = code.name if code is not None else "UNKNOWN"
    return cls(f"{name}: {details}", code=code, field=_bad_request_field(error))
