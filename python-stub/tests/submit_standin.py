"""A stand-in for the server's SubmitService while the server's own is being built (issue 18): a
gRPC server in the test process that answers SubmitService as submit.proto specifies it (known
targets; the run QUEUED; the snapshot artifact present and within the target's limit; the spec
recorded) and forwards every other call, bytes for bytes with its metadata and error details, to
the real server process. What it records (`calls`, `submitted`) lets the tests check what the
SDK sent and in which order; no Kubernetes Job is made: the tests run the pod's command
themselves."""
from __future__ import annotations

import threading
from concurrent import futures
from typing import Any, List, Optional

import grpc
from google.protobuf import descriptor_pool

from labbook.v1 import artifact_pb2, run_pb2, submit_pb2

_SUBMIT = "/labbook.v1.SubmitService/"


class SubmitStandIn:
    def __init__(self, upstream: str, targets: List[submit_pb2.ComputeTarget]) -> None:
        self.targets = targets
        self.calls: List[str] = []                 # every method called, in order
        self.submitted: List[submit_pb2.SubmitRunRequest] = []
        #: When set, SubmitRun fails with this (code, message) after its checks.
        self.refuse: Optional[tuple] = None
        self._lock = threading.Lock()
        self._upstream = grpc.insecure_channel(upstream)
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        self._server.add_generic_rpc_handlers([_Handler(self)])
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self.target = f"127.0.0.1:{self.port}"

    def start(self) -> "SubmitStandIn":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(0)
        self._upstream.close()

    # -- SubmitService, as submit.proto specifies it --------------------------------------------
    def list_targets(self, request: bytes, context: grpc.ServicerContext) -> bytes:
        return submit_pb2.ListComputeTargetsResponse(targets=self.targets).SerializeToString()

    def submit_run(self, raw: bytes, context: grpc.ServicerContext) -> bytes:
        request = submit_pb2.SubmitRunRequest.FromString(raw)
        target = next((t for t in self.targets if t.name == request.spec.compute_target), None)
        if target is None:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION,
                          f"compute_target {request.spec.compute_target!r} is not a target of this server")
        run = self._unary("/labbook.v1.RunService/GetRun", run_pb2.GetRunRequest(run_id=request.run_id),
                          run_pb2.GetRunResponse).run
        if run.status != run_pb2.RUN_STATUS_QUEUED:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, f"run {run.id} is not QUEUED")
        artifacts = self._unary("/labbook.v1.ArtifactService/ListArtifacts", artifact_pb2.ListArtifactsRequest(
            run_id=request.run_id, path_prefix=request.spec.snapshot_path), artifact_pb2.ListArtifactsResponse)
        snapshot = next((a for a in artifacts.artifacts if a.path == request.spec.snapshot_path), None)
        if snapshot is None:
            context.abort(grpc.StatusCode.NOT_FOUND, f"snapshot_path {request.spec.snapshot_path!r}: no such artifact")
        if snapshot.size_bytes > target.max_snapshot_bytes:
            context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "snapshot larger than the target allows")
        if self.refuse is not None:
            context.abort(*self.refuse)
        with self._lock:
            self.submitted.append(request)
        return submit_pb2.SubmitRunResponse(run=run, submission=submit_pb2.Submission(
            run_id=run.id, spec=request.spec, namespace=target.namespace, job_name=f"labbook-{run.id}",
            state="pending")).SerializeToString()

    def _unary(self, method: str, request: Any, response_type: Any) -> Any:
        return response_type.FromString(self._upstream.unary_unary(method)(request.SerializeToString(), timeout=10))

    def note(self, method: str) -> None:
        with self._lock:
            self.calls.append(method.rsplit("/", 1)[-1])


class _Handler(grpc.GenericRpcHandler):
    def __init__(self, standin: SubmitStandIn) -> None:
        self.standin = standin

    def service(self, details: grpc.HandlerCallDetails) -> Optional[grpc.RpcMethodHandler]:
        method = details.method
        standin = self.standin
        standin.note(method)
        if method == _SUBMIT + "ListComputeTargets":
            return grpc.unary_unary_rpc_method_handler(standin.list_targets)
        if method == _SUBMIT + "SubmitRun":
            return grpc.unary_unary_rpc_method_handler(standin.submit_run)
        if method.startswith(_SUBMIT):
            return None  # UNIMPLEMENTED
        name = method.lstrip("/").replace("/", ".")
        try:
            descriptor = descriptor_pool.Default().FindMethodByName(name)
        except KeyError:
            return None
        channel = standin._upstream

        def auth(context: grpc.ServicerContext) -> Any:
            return [(k, v) for k, v in context.invocation_metadata() if k == "authorization"]

        def fail(error: grpc.RpcError, context: grpc.ServicerContext) -> None:
            context.set_trailing_metadata(error.trailing_metadata() or ())
            context.abort(error.code(), error.details() or "")

        if descriptor.client_streaming and not descriptor.server_streaming:
            def stream_unary(requests: Any, context: grpc.ServicerContext) -> bytes:
                try:
                    return channel.stream_unary(method)(requests, metadata=auth(context))
                except grpc.RpcError as error:
                    fail(error, context)
            return grpc.stream_unary_rpc_method_handler(stream_unary)
        if descriptor.server_streaming and not descriptor.client_streaming:
            def unary_stream(request: bytes, context: grpc.ServicerContext) -> Any:
                call = channel.unary_stream(method)(request, metadata=auth(context))
                context.add_callback(call.cancel)
                try:
                    yield from call
                except grpc.RpcError as error:
                    if error.code() != grpc.StatusCode.CANCELLED:
                        fail(error, context)
            return grpc.unary_stream_rpc_method_handler(unary_stream)
        if descriptor.server_streaming:
            def stream_stream(requests: Any, context: grpc.ServicerContext) -> Any:
                call = channel.stream_stream(method)(requests, metadata=auth(context))
                context.add_callback(call.cancel)
                try:
                    yield from call
                except grpc.RpcError as error:
                    fail(error, context)
            return grpc.stream_stream_rpc_method_handler(stream_stream)

        def unary_unary(request: bytes, context: grpc.ServicerContext) -> bytes:
            try:
                return channel.unary_unary(method)(request, metadata=auth(context), timeout=60)
            except grpc.RpcError as error:
                fail(error, context)
        return grpc.unary_unary_rpc_method_handler(unary_unary)
