"""Typed errors from the google.rpc details of a status (AIP-193), over a real gRPC connection.

The statuses come from a small in-process gRPC server that answers GetRun with whatever status
and details a test gives it, so every shape of detail can be sent, including ones the Labbook
server never sends (no details, a foreign domain, a reason under the wrong code). What the real
server sends is checked in test_api_v1.py."""
from concurrent import futures

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2

import labbook
from labbook import errors


class StatusServer:
    """Answers every RunService/GetRun with the status set in `self.next`."""

    def __init__(self):
        self.next = (grpc.StatusCode.INTERNAL, "unset", [])
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))

        def get_run(request, context):
            code, message, details = self.next
            if details is not None:
                status = status_pb2.Status(code=code.value[0], message=message)
                for detail in details:
                    packed = any_pb2.Any()
                    packed.Pack(detail)
                    status.details.append(packed)
                context.set_trailing_metadata([("grpc-status-details-bin", status.SerializeToString())])
            context.abort(code, message)

        self.server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
            "labbook.v1.RunService", {"GetRun": grpc.unary_unary_rpc_method_handler(get_run)}),))
        self.target = f"127.0.0.1:{self.server.add_insecure_port('127.0.0.1:0')}"
        self.server.start()

    def fail_with(self, code, message, *details):
        self.next = (code, message, list(details))

    def fail_without_details(self, code, message):
        self.next = (code, message, None)


@pytest.fixture(scope="module")
def status_server():
    server = StatusServer()
    yield server
    server.server.stop(None)


@pytest.fixture
def fake_client(status_server):
    with labbook.Client(status_server.target, retry_deadline_s=0) as c:
        yield c


def info(reason, domain="labbook.dev", **metadata):
    return error_details_pb2.ErrorInfo(reason=reason, domain=domain, metadata=metadata)


RUN_ID = "01a20a84-5459-7a28-8ee9-e332301dd0b5"


@pytest.mark.parametrize("code,reason,cls,base", [
    (grpc.StatusCode.NOT_FOUND, "RUN_NOT_FOUND", labbook.RunNotFoundError, labbook.NotFoundError),
    (grpc.StatusCode.NOT_FOUND, "EXPERIMENT_NOT_FOUND", labbook.ExperimentNotFoundError, labbook.NotFoundError),
    (grpc.StatusCode.ALREADY_EXISTS, "RUN_ALREADY_EXISTS", labbook.RunAlreadyExistsError, labbook.AlreadyExistsError),
    (grpc.StatusCode.FAILED_PRECONDITION, "ETAG_MISMATCH", labbook.EtagMismatchError, labbook.FailedPreconditionError),
    (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_STATUS_TRANSITION", labbook.InvalidStatusTransitionError,
     labbook.FailedPreconditionError),
    (grpc.StatusCode.FAILED_PRECONDITION, "RUN_DELETED", labbook.RunDeletedError, labbook.FailedPreconditionError),
    (grpc.StatusCode.NOT_FOUND, "METRIC_NOT_FOUND", labbook.NotFoundError, labbook.NotFoundError),
])
def test_the_reason_picks_the_class_under_its_codes_class(status_server, fake_client, code, reason, cls, base):
    status_server.fail_with(code, "it failed", info(reason, status="RUN_STATUS_COMPLETED"))
    with pytest.raises(base) as caught:
        fake_client.get_run(RUN_ID)
    error = caught.value
    assert type(error) is cls
    assert error.code == code and error.reason == reason and error.domain == "labbook.dev"
    assert error.metadata == {"status": "RUN_STATUS_COMPLETED"}
    assert reason in str(error) and "it failed" in str(error)
    assert isinstance(error.__cause__, grpc.RpcError)


def test_a_reason_under_another_code_types_by_the_code(status_server, fake_client):
    status_server.fail_with(grpc.StatusCode.INTERNAL, "odd", info("RUN_NOT_FOUND"))
    with pytest.raises(labbook.InternalError) as caught:
        fake_client.get_run(RUN_ID)
    assert type(caught.value) is labbook.InternalError and caught.value.reason == "RUN_NOT_FOUND"


def test_a_foreign_domain_keeps_its_reason_but_not_our_class(status_server, fake_client):
    status_server.fail_with(grpc.StatusCode.NOT_FOUND, "proxy says no", info("RUN_NOT_FOUND", domain="example.com"))
    with pytest.raises(labbook.NotFoundError) as caught:
        fake_client.get_run(RUN_ID)
    assert type(caught.value) is labbook.NotFoundError
    assert caught.value.domain == "example.com" and caught.value.reason == "RUN_NOT_FOUND"


def test_a_status_without_details_types_by_the_code(status_server, fake_client):
    status_server.fail_without_details(grpc.StatusCode.NOT_FOUND, "bare")
    with pytest.raises(labbook.NotFoundError) as caught:
        fake_client.get_run(RUN_ID)
    assert type(caught.value) is labbook.NotFoundError
    assert caught.value.reason == "" and caught.value.metadata == {} and caught.value.field is None


def test_bad_request_and_resource_info_are_decoded(status_server, fake_client):
    bad = error_details_pb2.BadRequest(field_violations=[
        error_details_pb2.BadRequest.FieldViolation(field="run_id", description="not a UUID")])
    resource = error_details_pb2.ResourceInfo(resource_type="labbook.dev/run", resource_name=RUN_ID)
    status_server.fail_with(grpc.StatusCode.INVALID_ARGUMENT, "bad id", info("INVALID_FIELD", field="run_id"),
                            bad, resource)
    with pytest.raises(labbook.InvalidArgumentError) as caught:
        fake_client.get_run(RUN_ID)
    error = caught.value
    assert error.field == "run_id" and error.reason == "INVALID_FIELD"
    assert error.details.field_violations == [("run_id", "not a UUID")]
    assert error.details.resource == ("labbook.dev/run", RUN_ID)


def test_the_field_falls_back_to_the_error_info_metadata(status_server, fake_client):
    status_server.fail_with(grpc.StatusCode.INVALID_ARGUMENT, "bad", info("INVALID_FIELD", field="name"))
    with pytest.raises(labbook.InvalidArgumentError) as caught:
        fake_client.get_run(RUN_ID)
    assert caught.value.field == "name"


@pytest.mark.parametrize("subject,description,metadata,want", [
    ("offset=8388608", "bytes must start at 8388608", {}, 8388608),
    ("offset", "4096", {}, 4096),
    ("", "", {"expected_offset": "17"}, 17),
    ("run/x", "unrelated", {}, None),
])
def test_upload_offset_mismatch_carries_the_offset_as_data(status_server, fake_client, subject, description,
                                                           metadata, want):
    failure = error_details_pb2.PreconditionFailure(violations=[error_details_pb2.PreconditionFailure.Violation(
        type="UPLOAD_OFFSET_MISMATCH", subject=subject, description=description)])
    status_server.fail_with(grpc.StatusCode.FAILED_PRECONDITION, "offset", info("UPLOAD_OFFSET_MISMATCH", **metadata),
                            failure)
    with pytest.raises(labbook.UploadOffsetMismatchError) as caught:
        fake_client.get_run(RUN_ID)
    assert caught.value.expected_offset == want


def test_only_unavailable_and_aborted_are_retried(status_server):
    calls = []
    real = status_server.next

    with labbook.Client(status_server.target, retry_deadline_s=2) as c:
        for code, retried in ((grpc.StatusCode.UNAVAILABLE, True), (grpc.StatusCode.ABORTED, True),
                              (grpc.StatusCode.FAILED_PRECONDITION, False)):
            calls.clear()
            status_server.fail_with(code, "x", info("CONCURRENT_CHANGE"))
            original = c.stub("runs").GetRun

            def counting(request, timeout=None, _original=original):
                calls.append(1)
                return _original(request, timeout=timeout)
            c.runs.GetRun = counting
            with pytest.raises(labbook.LabbookError):
                c.get_run(RUN_ID)
            c.runs.GetRun = original
            assert (len(calls) > 1) == retried, (code, len(calls))
    status_server.next = real


def test_error_class_table_is_consistent():
    for reason, cls in errors._BY_REASON.items():
        assert any(issubclass(cls, base) for base in errors._BY_CODE.values()), reason
        assert errors.error_class(cls.code, reason) is cls


@pytest.mark.parametrize("code,reason,message,cls,hint", [
    (grpc.StatusCode.UNAUTHENTICATED, "TOKEN_REVOKED", "token 'ci' (lbk_AbCd) was revoked",
     labbook.AuthenticationError, "LABBOOK_TOKEN"),
    (grpc.StatusCode.UNAUTHENTICATED, "CREDENTIALS_MISSING", "no credentials: send authorization: Bearer",
     labbook.UnauthenticatedError, "labbook login"),
    (grpc.StatusCode.UNAUTHENTICATED, "", "from a proxy", labbook.UnauthenticatedError, "labbook login"),
    (grpc.StatusCode.PERMISSION_DENIED, "ROLE_MISSING", "token:ci needs editor in project 'vision'",
     labbook.PermissionDeniedError, "use a token with that role"),
    (grpc.StatusCode.PERMISSION_DENIED, "ACCESS_RULE_MISSING", "no access rule", labbook.PermissionDeniedError, ""),
])
def test_credentials_errors_say_why_and_what_to_do(status_server, fake_client, code, reason, message, cls, hint):
    status_server.fail_with(code, message, *([info(reason)] if reason else []))
    with pytest.raises(cls) as caught:
        fake_client.get_run(RUN_ID)
    error = caught.value
    assert error.code == code and error.reason == reason
    assert message in str(error)
    assert (hint in str(error) and hint in error.hint) if hint else error.hint == ""
    assert labbook.AuthenticationError is labbook.UnauthenticatedError


def _rpc_error(status_server, code, reason):
    status_server.fail_with(code, "busy", error_details_pb2.ErrorInfo(reason=reason, domain="labbook.dev"))
    with grpc.insecure_channel(status_server.target) as channel:
        get_run = channel.unary_unary("/labbook.v1.RunService/GetRun",
                                      request_serializer=lambda b: b, response_deserializer=lambda b: b)
        with pytest.raises(grpc.RpcError) as caught:
            get_run(b"", timeout=5)
    return caught.value


def test_server_busy_is_retried_and_other_resource_exhausted_is_not(status_server):
    busy = _rpc_error(status_server, grpc.StatusCode.RESOURCE_EXHAUSTED, "SERVER_BUSY")
    assert errors.is_retryable(busy)
    assert errors.from_rpc_error(busy).reason == "SERVER_BUSY"
    too_large = _rpc_error(status_server, grpc.StatusCode.RESOURCE_EXHAUSTED, "MESSAGE_TOO_LARGE")
    assert not errors.is_retryable(too_large)
    assert errors.is_retryable(_rpc_error(status_server, grpc.StatusCode.UNAVAILABLE, "DATABASE_UNAVAILABLE"))
    assert not errors.is_retryable(_rpc_error(status_server, grpc.StatusCode.NOT_FOUND, "RUN_NOT_FOUND"))


def test_foreground_calls_retry_server_busy_until_their_deadline(status_server):
    from labbook._retry import call_with_retry

    attempts = []

    def call():
        attempts.append(1)
        raise _rpc_error(status_server, grpc.StatusCode.RESOURCE_EXHAUSTED, "SERVER_BUSY")

    with pytest.raises(errors.ResourceExhaustedError):
        call_with_retry(call, deadline_s=0.5, sleep=lambda s: None)
    assert len(attempts) > 1
    attempts.clear()

    def too_large():
        attempts.append(1)
        raise _rpc_error(status_server, grpc.StatusCode.RESOURCE_EXHAUSTED, "MESSAGE_TOO_LARGE")

    with pytest.raises(errors.ResourceExhaustedError):
        call_with_retry(too_large, deadline_s=0.5, sleep=lambda s: None)
    assert len(attempts) == 1
