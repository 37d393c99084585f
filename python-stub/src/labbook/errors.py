"""Typed exceptions for failed calls (DESIGN.md §8: the SDK turns codes into types).

Every Labbook error status carries a `google.rpc.ErrorInfo` detail (domain `labbook.dev`) whose
`reason` names the error (`RUN_NOT_FOUND`, `ETAG_MISMATCH`, ...; the `ErrorReason` enum of
common.proto without its prefix). The exception class is chosen by that reason where a specific
class exists (`RunNotFoundError`, `EtagMismatchError`, ...), otherwise by the gRPC status code
(`NotFoundError`, `FailedPreconditionError`, ...); every specific class is a subclass of its
code's class, so `except labbook.NotFoundError` still catches a `RunNotFoundError`. Code that
needs a reason without its own class switches on `err.reason`, never on the message text.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Type

import grpc

__all__ = [
    "LabbookError", "InvalidArgumentError", "NotFoundError", "AlreadyExistsError",
    "FailedPreconditionError", "PermissionDeniedError", "UnauthenticatedError",
    "AuthenticationError", "ResourceExhaustedError", "OutOfRangeError", "AbortedError",
    "UnavailableError",
    "DeadlineExceededError", "UnimplementedError", "InternalError",
    "RunNotFoundError", "ExperimentNotFoundError", "RunAlreadyExistsError",
    "ExperimentAlreadyExistsError", "EtagMismatchError", "InvalidStatusTransitionError",
    "RunDeletedError", "ExperimentDeletedError", "UploadOffsetMismatchError", "RunFailedError",
    "ErrorDetails", "error_details", "from_rpc_error", "RETRYABLE_CODES", "ERROR_DOMAIN",
    "is_retryable",
]

# Only these are retried (with jittered backoff); every other code is final.
RETRYABLE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED})
#: The ErrorInfo domain of Labbook's own errors.
ERROR_DOMAIN = "labbook.dev"
_DETAILS_TRAILER = "grpc-status-details-bin"


class LabbookError(Exception):
    """Base of every error the SDK raises for a failed call.

    `code` is the gRPC status code; `reason` the ErrorInfo reason (e.g. `"RUN_NOT_FOUND"`, empty
    when the server sent none, as a proxy's own errors do); `metadata` the ErrorInfo metadata
    (e.g. `{"field": "run_id"}`, `{"status": "RUN_STATUS_COMPLETED"}`,
    `{"expected_offset": "8388608"}`); `field` the request field the server named."""

    code: Optional[grpc.StatusCode] = None

    def __init__(self, message: str, *, code: Optional[grpc.StatusCode] = None,
                 field: Optional[str] = None, reason: str = "",
                 metadata: Optional[Dict[str, str]] = None, domain: str = "",
                 details: Optional["ErrorDetails"] = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        #: The request field the server named (google.rpc.BadRequest, or ErrorInfo `field`).
        self.field = field
        #: ErrorInfo reason, e.g. "RUN_NOT_FOUND"; "" when the status carried none.
        self.reason = reason
        #: ErrorInfo metadata.
        self.metadata: Dict[str, str] = dict(metadata or {})
        #: ErrorInfo domain ("labbook.dev" for the server's own errors).
        self.domain = domain
        #: Everything decoded from the status details.
        self.details = details if details is not None else ErrorDetails()
        #: What fixes it, when the SDK knows (credentials errors); "" otherwise.
        self.hint = ""


class InvalidArgumentError(LabbookError, ValueError):
    code = grpc.StatusCode.INVALID_ARGUMENT


class NotFoundError(LabbookError, LookupError):
    code = grpc.StatusCode.NOT_FOUND


class AlreadyExistsError(LabbookError):
    code = grpc.StatusCode.ALREADY_EXISTS


class FailedPreconditionError(LabbookError):
    code = grpc.StatusCode.FAILED_PRECONDITION


class PermissionDeniedError(LabbookError):
    """The server knows the caller, but its roles do not allow the call: `reason`
    "ROLE_MISSING" (the message names the role and project needed) or "ACCESS_RULE_MISSING"."""

    code = grpc.StatusCode.PERMISSION_DENIED


class UnauthenticatedError(LabbookError):
    """The server does not accept the call's credentials: `reason` "CREDENTIALS_MISSING",
    "CREDENTIALS_INVALID", "CREDENTIALS_EXPIRED" or "TOKEN_REVOKED". The message ends with what
    to do (`hint`)."""

    code = grpc.StatusCode.UNAUTHENTICATED


#: Another name of UnauthenticatedError.
AuthenticationError = UnauthenticatedError


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


class RunFailedError(LabbookError):
    """A submitted run ended FAILED or CRASHED (`run.wait_for_completion(raise_on_error=True)`):
    not a failed call, the run's own outcome. `status` is "FAILED" or "CRASHED", `run` the
    server's Run message (its status history holds the reason), `run_id` its id."""

    def __init__(self, message: str, *, run: Any = None, status: str = "") -> None:
        super().__init__(message, reason="RUN_" + status if status else "")
        self.run = run
        self.run_id = getattr(run, "id", "")
        self.status = status


# -- by reason: the ones callers catch ------------------------------------------------------------
class RunNotFoundError(NotFoundError):
    """No run with that id (or experiment and name)."""


class ExperimentNotFoundError(NotFoundError):
    """No experiment with that id (or project and name)."""


class RunAlreadyExistsError(AlreadyExistsError):
    """A run of that name exists in the experiment (e.g. `resume="never"`)."""


class ExperimentAlreadyExistsError(AlreadyExistsError):
    """An experiment of that name exists in the project."""


class EtagMismatchError(FailedPreconditionError):
    """A conditional update's etag is stale: read the object again and reapply the change."""


class InvalidStatusTransitionError(FailedPreconditionError):
    """The run's status does not allow the change (e.g. finishing a CANCELED run);
    `metadata["status"]` is the run's status."""


class RunDeletedError(FailedPreconditionError):
    """The run (or its experiment) is soft-deleted."""


class ExperimentDeletedError(FailedPreconditionError):
    """The experiment is soft-deleted."""


class UploadOffsetMismatchError(FailedPreconditionError):
    """An upload's bytes did not start where the server's stopped; `expected_offset` says where
    to continue."""

    @property
    def expected_offset(self) -> Optional[int]:
        return self.details.expected_offset()


_BY_CODE: Dict[grpc.StatusCode, Type[LabbookError]] = {
    cls.code: cls for cls in (
        InvalidArgumentError, NotFoundError, AlreadyExistsError, FailedPreconditionError,
        PermissionDeniedError, UnauthenticatedError, ResourceExhaustedError, OutOfRangeError,
        AbortedError, UnavailableError, DeadlineExceededError, UnimplementedError, InternalError)
}

_BY_REASON: Dict[str, Type[LabbookError]] = {
    "RUN_NOT_FOUND": RunNotFoundError,
    "EXPERIMENT_NOT_FOUND": ExperimentNotFoundError,
    "RUN_ALREADY_EXISTS": RunAlreadyExistsError,
    "EXPERIMENT_ALREADY_EXISTS": ExperimentAlreadyExistsError,
    "ETAG_MISMATCH": EtagMismatchError,
    "INVALID_STATUS_TRANSITION": InvalidStatusTransitionError,
    "RUN_DELETED": RunDeletedError,
    "EXPERIMENT_DELETED": ExperimentDeletedError,
    "UPLOAD_OFFSET_MISMATCH": UploadOffsetMismatchError,
}


class ErrorDetails:
    """The `google.rpc` details of an error status, decoded: ErrorInfo (reason, domain,
    metadata), BadRequest field violations, PreconditionFailure violations, ResourceInfo."""

    def __init__(self) -> None:
        self.reason = ""
        self.domain = ""
        self.metadata: Dict[str, str] = {}
        #: (field, description) of each google.rpc.BadRequest field violation.
        self.field_violations: List[Tuple[str, str]] = []
        #: (type, subject, description) of each google.rpc.PreconditionFailure violation.
        self.precondition_violations: List[Tuple[str, str, str]] = []
        #: (resource_type, resource_name) of a google.rpc.ResourceInfo, when sent.
        self.resource: Optional[Tuple[str, str]] = None

    @property
    def field(self) -> Optional[str]:
        if self.field_violations:
            return self.field_violations[0][0]
        return self.metadata.get("field") or None

    def expected_offset(self) -> Optional[int]:
        """The offset an upload continues from (reason UPLOAD_OFFSET_MISMATCH): ErrorInfo
        metadata `expected_offset`, else the PreconditionFailure violation about the offset
        (subject `offset=<n>`, or subject `offset` with the number as description)."""
        candidates = [self.metadata.get("expected_offset", "")]
        for _type, subject, description in self.precondition_violations:
            if subject.startswith("offset="):
                candidates.append(subject[len("offset="):])
            elif subject == "offset":
                candidates.append(description)
        for text in candidates:
            try:
                return int(text)
            except (TypeError, ValueError):
                continue
        return None


def _trailers(error: Any) -> Tuple[Tuple[str, Any], ...]:
    trailers = getattr(error, "trailing_metadata", None)
    if trailers is None:
        return ()
    try:
        return tuple(trailers() or ())
    except Exception:  # a failed call without trailers
        return ()


def error_details(error: Any) -> ErrorDetails:
    """Decodes the `grpc-status-details-bin` trailer (a google.rpc.Status) of a failed call."""
    out = ErrorDetails()
    for key, value in _trailers(error):
        if key != _DETAILS_TRAILER or not isinstance(value, (bytes, bytearray)):
            continue
        try:
            from google.rpc import error_details_pb2, status_pb2

            status = status_pb2.Status.FromString(bytes(value))
        except Exception:  # not a Status: ignore it, the code still types the error
            return out
        for detail in status.details:
            try:
                if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    detail.Unpack(info)
                    out.reason, out.domain, out.metadata = info.reason, info.domain, dict(info.metadata)
                elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                    bad = error_details_pb2.BadRequest()
                    detail.Unpack(bad)
                    out.field_violations.extend((v.field, v.description) for v in bad.field_violations)
                elif detail.Is(error_details_pb2.PreconditionFailure.DESCRIPTOR):
                    failure = error_details_pb2.PreconditionFailure()
                    detail.Unpack(failure)
                    out.precondition_violations.extend(
                        (v.type, v.subject, v.description) for v in failure.violations)
                elif detail.Is(error_details_pb2.ResourceInfo.DESCRIPTOR):
                    resource = error_details_pb2.ResourceInfo()
                    detail.Unpack(resource)
                    out.resource = (resource.resource_type, resource.resource_name)
            except Exception:  # one undecodable detail does not hide the others
                continue
    return out


def is_retryable(error: Any) -> bool:
    """Whether the same call may simply be sent again: UNAVAILABLE, ABORTED, and
    RESOURCE_EXHAUSTED with reason SERVER_BUSY (the server's database connections were all in use;
    other RESOURCE_EXHAUSTED reasons are limits a retry does not change)."""
    code = error.code() if hasattr(error, "code") else None
    if code in RETRYABLE_CODES:
        return True
    return code == grpc.StatusCode.RESOURCE_EXHAUSTED and error_details(error).reason == "SERVER_BUSY"


def error_class(code: Optional[grpc.StatusCode], reason: str) -> Type[LabbookError]:
    """The class for a code and reason: the reason's own class when it belongs to that code."""
    by_code = _BY_CODE.get(code, LabbookError) if code is not None else LabbookError
    by_reason = _BY_REASON.get(reason)
    if by_reason is not None and issubclass(by_reason, by_code) and by_code is not LabbookError:
        return by_reason
    return by_code


def from_rpc_error(error: grpc.RpcError) -> LabbookError:
    """Turns a grpc.RpcError into the matching typed LabbookError (keeping it as __cause__)."""
    code = error.code() if hasattr(error, "code") else grpc.StatusCode.UNKNOWN
    message = error.details() if hasattr(error, "details") else str(error)
    details = error_details(error)
    domain_ok = details.domain in ("", ERROR_DOMAIN)
    reason = details.reason if domain_ok else ""
    cls = error_class(code, reason)
    name = code.name if code is not None else "UNKNOWN"
    text = f"{name}: {message}" if not reason else f"{name} ({reason}): {message}"
    hint = ""
    if code == grpc.StatusCode.UNAUTHENTICATED:
        hint = _HINT
    elif code == grpc.StatusCode.PERMISSION_DENIED and reason == "ROLE_MISSING":
        hint = _ROLE_HINT
    if hint:
        text = f"{text} ({hint})"
    error_ = cls(text, code=code, field=details.field, reason=details.reason,
                 metadata=details.metadata, domain=details.domain, details=details)
    error_.hint = hint
    return error_


_HINT = "set LABBOOK_TOKEN (or LABBOOK_TOKEN_FILE) or run `labbook login`"
_ROLE_HINT = "use a token with that role: set LABBOOK_TOKEN or run `labbook login`"
