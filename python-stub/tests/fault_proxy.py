"""A gRPC proxy in front of the real server that injects network faults on chosen calls.

It forwards every `labbook.v1` method as raw bytes (errors, with their status details, pass
through unchanged) and records each request. Faults, each for the next `times` calls of one
method:

* `lose_answer(method)`: the call reaches the server and is committed there, then the client
  sees UNAVAILABLE instead of the answer — what a dropped connection after the commit looks
  like;
* `break_stream(method, after)`: a server stream is cut with UNAVAILABLE after `after`
  messages;
* `cut()` … `restore()`: an outage — every call fails with UNAVAILABLE without reaching the
  server (nothing recorded) until restored.

Only what the SDK does with such faults is under test; the server behind it is the real one.
"""
from __future__ import annotations

import threading
from concurrent import futures
from typing import Any, Dict, Iterator, List, Tuple

import grpc

from labbook.v1 import artifact_pb2, experiment_pb2, log_pb2, metric_pb2, project_pb2, run_pb2

_FILES = (run_pb2, experiment_pb2, metric_pb2, log_pb2, artifact_pb2, project_pb2)


def _timeout(context: grpc.ServicerContext) -> Any:
    """The caller's remaining deadline, None when it set none (gRPC reports ~2^63 seconds then,
    which as a timeout would expire at once)."""
    remaining = context.time_remaining()
    return remaining if remaining is not None and remaining < 10 ** 7 else None


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self._channel = grpc.insecure_channel(upstream, options=[
            ("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)])
        self._lock = threading.Lock()
        self._lose: Dict[str, int] = {}
        self._break: Dict[str, Tuple[int, int]] = {}
        self.down = False
        #: method name -> raw requests as received (stream requests: one list per call).
        self.requests: Dict[str, List[Any]] = {}
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=[
            ("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)])
        for module in _FILES:
            for service in module.DESCRIPTOR.services_by_name.values():
                self._server.add_generic_rpc_handlers((self._handler(service),))
        port = self._server.add_insecure_port("127.0.0.1:0")
        self.target = f"127.0.0.1:{port}"

    # -- faults -------------------------------------------------------------------------------
    def lose_answer(self, method: str, times: int = 1) -> None:
        with self._lock:
            self._lose[method] = times

    def break_stream(self, method: str, after: int, times: int = 1) -> None:
        with self._lock:
            self._break[method] = (after, times)

    def cut(self) -> None:
        """The server becomes unreachable through the proxy (UNAVAILABLE), until restore()."""
        self.down = True

    def restore(self) -> None:
        self.down = False

    def _refuse_if_down(self, context: grpc.ServicerContext) -> None:
        if self.down:
            context.abort(grpc.StatusCode.UNAVAILABLE, "fault proxy: server unreachable")

    def requests_of(self, method: str, message_type: Any) -> List[Any]:
        """The recorded requests of a unary or server-streaming method, decoded."""
        return [message_type.FromString(raw) for raw in self.requests.get(method, [])]

    def _take(self, table: Dict[str, Any], method: str) -> Any:
        with self._lock:
            entry = table.get(method)
            if entry is None:
                return None
            if isinstance(entry, tuple):
                after, times = entry
                table[method] = (after, times - 1) if times > 1 else None
                return after
            table[method] = entry - 1 if entry > 1 else None
            return True

    def _record(self, method: str, request: Any) -> None:
        with self._lock:
            self.requests.setdefault(method, []).append(request)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> "FaultProxy":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(grace=None)
        self._channel.close()

    # -- forwarding ---------------------------------------------------------------------------
    def _handler(self, service: Any) -> grpc.GenericRpcHandler:
        handlers = {}
        for method in service.methods:
            path = f"/{service.full_name}/{method.name}"
            if method.client_streaming and method.server_streaming:
                continue  # labbook.v1 has no bidirectional streams
            if method.client_streaming:
                handlers[method.name] = grpc.stream_unary_rpc_method_handler(self._stream_unary(method.name, path))
            elif method.server_streaming:
                handlers[method.name] = grpc.unary_stream_rpc_method_handler(self._unary_stream(method.name, path))
            else:
                handlers[method.name] = grpc.unary_unary_rpc_method_handler(self._unary_unary(method.name, path))
        return grpc.method_handlers_generic_handler(service.full_name, handlers)

    @staticmethod
    def _pass_error(error: grpc.RpcError, context: grpc.ServicerContext) -> None:
        trailers = [(k, v) for k, v in (error.trailing_metadata() or ())
                    if k == "grpc-status-details-bin"]
        if trailers:
            context.set_trailing_metadata(trailers)
        context.abort(error.code(), error.details() or "")

    def _unary_unary(self, name: str, path: str) -> Any:
        call = self._channel.unary_unary(path)

        def handle(request: bytes, context: grpc.ServicerContext) -> bytes:
            self._refuse_if_down(context)
            self._record(name, request)
            try:
                answer = call(request, timeout=_timeout(context))
            except grpc.RpcError as error:
                self._pass_error(error, context)
            if self._take(self._lose, name):
                context.abort(grpc.StatusCode.UNAVAILABLE, "fault proxy: answer lost after the commit")
            return answer
        return handle

    def _stream_unary(self, name: str, path: str) -> Any:
        call = self._channel.stream_unary(path)

        def handle(requests: Iterator[bytes], context: grpc.ServicerContext) -> bytes:
            self._refuse_if_down(context)
            received: List[bytes] = []
            self._record(name, received)

            def forward() -> Iterator[bytes]:
                for request in requests:
                    received.append(request)
                    yield request
            try:
                answer = call(forward(), timeout=_timeout(context))
            except grpc.RpcError as error:
                self._pass_error(error, context)
            if self._take(self._lose, name):
                context.abort(grpc.StatusCode.UNAVAILABLE, "fault proxy: answer lost after the commit")
            return answer
        return handle

    def _unary_stream(self, name: str, path: str) -> Any:
        call = self._channel.unary_stream(path)

        def handle(request: bytes, context: grpc.ServicerContext) -> Iterator[bytes]:
            self._refuse_if_down(context)
            self._record(name, request)
            cut = self._take(self._break, name)
            sent = 0
            try:
                for message in call(request, timeout=_timeout(context)):
                    if cut is not None and sent >= cut:
                        context.abort(grpc.StatusCode.UNAVAILABLE, "fault proxy: stream broken")
                    yield message
                    sent += 1
            except grpc.RpcError as error:
                self._pass_error(error, context)
        return handle
