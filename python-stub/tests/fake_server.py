"""A fake Labbook server in this process (grpc.server on a loopback port) for client-side tests
that need no database: it records the `authorization` header of every call, refuses the tokens
in `refused` with UNAUTHENTICATED (reason TOKEN_REVOKED, as the real server does), and keeps
metric batches exactly once per (writer, sequence), as the real server does."""
from __future__ import annotations

import threading
import time
from concurrent import futures
from typing import Dict, List, Optional, Set, Tuple

import grpc
from google.protobuf import any_pb2
from google.rpc import code_pb2, error_details_pb2, status_pb2

from labbook.v1 import (log_pb2, log_pb2_grpc, metric_pb2, metric_pb2_grpc, run_pb2, run_pb2_grpc,
                        server_pb2, server_pb2_grpc)


def _abort_unauthenticated(context: grpc.ServicerContext, message: str) -> None:
    info = error_details_pb2.ErrorInfo(reason="TOKEN_REVOKED", domain="labbook.dev")
    detail = any_pb2.Any()
    detail.Pack(info)
    status = status_pb2.Status(code=code_pb2.UNAUTHENTICATED, message=message, details=[detail])
    context.abort_with_status(_RichStatus(grpc.StatusCode.UNAUTHENTICATED, message, status))


class _RichStatus(grpc.Status):
    def __init__(self, code: grpc.StatusCode, details: str, status: status_pb2.Status) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata = (("grpc-status-details-bin", status.SerializeToString()),)


class FakeServer:
    def __init__(self) -> None:
        self.headers: List[Tuple[str, str]] = []   # (method, authorization or "(none)")
        self.refused: Set[str] = set()             # "Bearer <token>" values answered UNAUTHENTICATED
        self.points: Dict[str, int] = {}           # run id -> points stored
        self.last_sequence: Dict[Tuple[str, str], int] = {}
        self.lines: List[str] = []
        self._lock = threading.Lock()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        fake = self

        class Runs(run_pb2_grpc.RunServiceServicer):
            def OpenRun(self, request, context):
                if fake._check(context, "OpenRun"):
                    return run_pb2.OpenRunResponse(run=run_pb2.Run(
                        id="run-" + request.name, name=request.name, status=run_pb2.RUN_STATUS_RUNNING))

            def FinishRun(self, request, context):
                if fake._check(context, "FinishRun"):
                    return run_pb2.FinishRunResponse(run=run_pb2.Run(id=request.run_id, status=request.status))

            def GetRun(self, request, context):
                if fake._check(context, "GetRun"):
                    return run_pb2.GetRunResponse(run=run_pb2.Run(id=request.run_id))

            def RenewRunLease(self, request, context):
                # The SDK's heartbeat: open runs renew their lease in the background.
                if fake._check(context, "RenewRunLease"):
                    return run_pb2.RenewRunLeaseResponse(
                        status=run_pb2.RUN_STATUS_RUNNING,
                        lease_expire_time_ms=int(time.time() * 1000) + 300_000)

        class Metrics(metric_pb2_grpc.MetricServiceServicer):
            def LogMetrics(self, request_iterator, context):
                if not fake._check(context, "LogMetrics"):
                    return None
                response = metric_pb2.LogMetricsResponse()
                for request in request_iterator:
                    b = request.batch
                    with fake._lock:
                        key = (b.run_id, b.writer_id)
                        if b.sequence <= fake.last_sequence.get(key, 0):
                            response.skipped_duplicate_batches += 1
                            continue
                        fake.last_sequence[key] = b.sequence
                        fake.points[b.run_id] = fake.points.get(b.run_id, 0) + len(b.value)
                        response.accepted_batches += 1
                        response.accepted_points += len(b.value)
                return response

            def GetWriterState(self, request, context):
                if fake._check(context, "GetWriterState"):
                    with fake._lock:
                        return metric_pb2.GetWriterStateResponse(
                            last_sequence=fake.last_sequence.get((request.run_id, request.writer_id), 0))

            def GetMetricHistory(self, request, context):
                if fake._check(context, "GetMetricHistory"):
                    yield metric_pb2.GetMetricHistoryResponse(step=[0], timestamp_ms=[1], value=[1.0])

        class Logs(log_pb2_grpc.LogServiceServicer):
            def AppendLogLines(self, request, context):
                if fake._check(context, "AppendLogLines"):
                    with fake._lock:
                        key = (request.run_id, request.writer_id)
                        if request.sequence > fake.last_sequence.get(key, 0):
                            fake.last_sequence[key] = request.sequence
                            fake.lines.extend(line.text for line in request.lines)
                    return log_pb2.AppendLogLinesResponse()

        class Server(server_pb2_grpc.ServerServiceServicer):
            def GetServerInfo(self, request, context):
                if fake._check(context, "GetServerInfo"):
                    return server_pb2.GetServerInfoResponse(server_info=server_pb2.ServerInfo(version="fake"))

        run_pb2_grpc.add_RunServiceServicer_to_server(Runs(), self._server)
        metric_pb2_grpc.add_MetricServiceServicer_to_server(Metrics(), self._server)
        log_pb2_grpc.add_LogServiceServicer_to_server(Logs(), self._server)
        server_pb2_grpc.add_ServerServiceServicer_to_server(Server(), self._server)
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self.target = f"127.0.0.1:{self.port}"

    def _check(self, context: grpc.ServicerContext, method: str) -> bool:
        auth = dict(context.invocation_metadata()).get("authorization", "(none)")
        with self._lock:
            self.headers.append((method, auth))
        if auth in self.refused:
            _abort_unauthenticated(context, f"token {auth[len('Bearer '):][:8]}... was revoked")
            return False
        return True

    def auth_of(self, method: Optional[str] = None) -> List[str]:
        with self._lock:
            return [a for m, a in self.headers if method is None or m == method]

    def start(self) -> "FakeServer":
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop(0)
