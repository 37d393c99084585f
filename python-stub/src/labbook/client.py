"""The explicit client: one gRPC channel to a Labbook server and typed calls over it.

Tests and threads use it directly; the fluent functions (`labbook.start_run`, ...) sit on top.
Every call turns gRPC errors into `labbook.errors` types and retries UNAVAILABLE / ABORTED with
jittered backoff.
"""
from __future__ import annotations

import os
import threading
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

import grpc

from labbook._retry import call_with_retry
from labbook.v1 import (artifact_pb2, artifact_pb2_grpc, experiment_pb2, experiment_pb2_grpc,
                        log_pb2, log_pb2_grpc, metric_pb2, metric_pb2_grpc, run_pb2, run_pb2_grpc)

DEFAULT_PORT = 7800
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def parse_target(uri: str) -> Tuple[str, bool]:
    """`host:port`, `grpc://host:port` (plaintext) or `grpcs://host:port` (TLS) → (host:port,
    secure); the port defaults to 7800 (docs/script-mode.md)."""
    uri = uri.strip()
    secure = False
    if uri.startswith("grpcs://"):
        secure, uri = True, uri[len("grpcs://"):]
    elif uri.startswith("grpc://"):
        uri = uri[len("grpc://"):]
    uri = uri.rstrip("/")
    if not uri:
        raise ValueError("empty tracking URI")
    host, sep, port = uri.rpartition(":")
    if not sep or not host or not port.isdigit():
        uri = f"{uri}:{DEFAULT_PORT}"
    return uri, secure


class Client:
    """A connection to one Labbook server, e.g. `labbook.Client("localhost:7800")`.

    Thread-safe. After `os.fork()` the child builds its own channel on first use (gRPC channels
    must not cross a fork).
    """

    def __init__(self, target: str = "localhost:7800", *, secure: Optional[bool] = None,
                 retry_deadline_s: float = 30.0) -> None:
        self.target, parsed_secure = parse_target(target)
        self.secure = parsed_secure if secure is None else secure
        self.retry_deadline_s = retry_deadline_s
        self._lock = threading.Lock()
        self._pid = -1
        self._channel: Optional[grpc.Channel] = None

    # -- channel and stubs ------------------------------------------------------------------
    def _connect(self) -> None:
        with self._lock:
            if self._pid == os.getpid() and self._channel is not None:
                return
            options = [("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                       ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                       ("grpc.enable_retries", 0)]
            if self.secure:
                channel = grpc.secure_channel(self.target, grpc.ssl_channel_credentials(), options)
            else:
                channel = grpc.insecure_channel(self.target, options)
            self.runs = run_pb2_grpc.RunServiceStub(channel)
            self.experiments = experiment_pb2_grpc.ExperimentServiceStub(channel)
            self.metrics = metric_pb2_grpc.MetricServiceStub(channel)
            self.logs = log_pb2_grpc.LogServiceStub(channel)
            self.artifacts = artifact_pb2_grpc.ArtifactServiceStub(channel)
            self._channel = channel
            self._pid = os.getpid()

    def stub(self, name: str) -> Any:
        """The generated stub `runs`, `experiments`, `metrics`, `logs` or `artifacts`."""
        if self._pid != os.getpid() or self._channel is None:
            self._connect()
        return getattr(self, name)

    def close(self) -> None:
        with self._lock:
            if self._channel is not None and self._pid == os.getpid():
                self._channel.close()
            self._channel = None

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def call(self, service: str, method: str, request: Any, *, retry: bool = True,
             timeout: Optional[float] = 60.0) -> Any:
        """Calls a unary RPC with typed errors (and retries, unless `retry=False`)."""
        def once() -> Any:
            return getattr(self.stub(service), method)(request, timeout=timeout)
        return call_with_retry(once, deadline_s=self.retry_deadline_s if retry else 0.0)

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, experiment: Optional[str] = None, name: Optional[str] = None, **options: Any) -> Any:
        """Opens (or resumes) a run on this client's server, not touching the fluent active-run
        stack: `with client.start_run("mnist", "baseline") as run: ...`."""
        from labbook.run import Run

        return Run(experiment, name, client=self, **options).open()

    def create_run(self, *, experiment: str, name: str = "", project: str = "",
                   description: str = "", tags: Optional[Mapping[str, str]] = None,
                   params: Optional[Mapping[str, Any]] = None, parent_run_id: str = "",
                   source: Optional[run_pb2.SourceInfo] = None) -> run_pb2.CreateRunResponse:
        from labbook._values import to_param_value

        request = run_pb2.CreateRunRequest(
            project=project or "", experiment_name=experiment, name=name or "",
            description=description or "", tags=dict(tags or {}), parent_run_id=parent_run_id,
            params=[run_pb2.Param(key=k, value=to_param_value(v)) for k, v in (params or {}).items()])
        if source is not None:
            request.source.CopyFrom(source)
        return self.call("runs", "CreateRun", request)

    def get_run(self, run_id: str) -> run_pb2.Run:
        return self.call("runs", "GetRun", run_pb2.GetRunRequest(run_id=run_id)).run

    def update_run(self, run_id: str, *, status: Optional[Any] = None,
                   description: Optional[str] = None, end_time_ms: Optional[int] = None) -> run_pb2.Run:
        request = run_pb2.UpdateRunRequest(run_id=run_id)
        if status is not None:
            request.update_fields.append("status")
            request.status = status
        if description is not None:
            request.update_fields.append("description")
            request.description = description
        if end_time_ms is not None:
            request.update_fields.append("end_time_ms")
            request.end_time_ms = end_time_ms
        return self.call("runs", "UpdateRun", request).run

    def set_tags(self, run_id: str, tags: Mapping[str, str],
                 remove_keys: Sequence[str] = ()) -> Dict[str, str]:
        response = self.call("runs", "SetRunTags", run_pb2.SetRunTagsRequest(
            run_id=run_id, tags={str(k): str(v) for k, v in tags.items()}, remove_keys=list(remove_keys)))
        return dict(response.tags)

    def log_params(self, run_id: str, params: Mapping[str, Any]) -> None:
        from labbook._values import to_param_value

        self.call("runs", "LogParams", run_pb2.LogParamsRequest(
            run_id=run_id,
            params=[run_pb2.Param(key=str(k), value=to_param_value(v)) for k, v in params.items()]))

    def search_runs(self, *, filter: str = "", order_by: Sequence[str] = (),
                    experiment_ids: Sequence[str] = (), project: str = "",
                    max_results: int = 0, page_size: int = 0) -> Iterator[run_pb2.Run]:
        """Every matching run, following the pages."""
        token = ""
        while True:
            response = self.call("runs", "SearchRuns", run_pb2.SearchRunsRequest(
                experiment_ids=list(experiment_ids), project=project, filter=filter,
                order_by=list(order_by), page_size=page_size, page_token=token,
                max_results=max_results))
            yield from response.runs
            token = response.next_page_token
            if not token:
                return

    def get_experiment(self, name: str, project: str = "") -> experiment_pb2.Experiment:
        return self.call("experiments", "GetExperiment",
                         experiment_pb2.GetExperimentRequest(project=project, name=name)).experiment

    # -- metrics and tables -----------------------------------------------------------------
    def get_writer_state(self, run_id: str, writer_id: str) -> int:
        return self.call("metrics", "GetWriterState", metric_pb2.GetWriterStateRequest(
            run_id=run_id, writer_id=writer_id), retry=False, timeout=10.0).last_sequence

    def log_metric_batches(self, batches: Iterable[metric_pb2.LogMetricsRequest],
                           timeout: Optional[float] = 120.0) -> metric_pb2.LogMetricsResponse:
        """One LogMetrics stream carrying `batches`; raises grpc.RpcError (the sender decides)."""
        return self.stub("metrics").LogMetrics(iter(batches), timeout=timeout)

    def list_metrics(self, run_id: str) -> List[metric_pb2.MetricSummary]:
        return list(self.call("metrics", "ListMetrics", metric_pb2.ListMetricsRequest(run_id=run_id)).metrics)

    def get_metric_history(self, run_id: str, key: str, *, max_points: int = 0,
                           start_step: Optional[int] = None,
                           end_step: Optional[int] = None) -> Tuple[List[int], List[int], List[float]]:
        request = metric_pb2.GetMetricHistoryRequest(run_id=run_id, key=key, max_points=max_points)
        if start_step is not None or end_step is not None:
            request.has_step_range = True
            request.start_step = start_step if start_step is not None else -(2**63)
            request.end_step = end_step if end_step is not None else 2**63 - 1

        def read() -> Tuple[List[int], List[int], List[float]]:
            steps: List[int] = []
            times: List[int] = []
            values: List[float] = []
            for piece in self.stub("metrics").GetMetricHistory(request, timeout=300):
                steps.extend(piece.step)
                times.extend(piece.timestamp_ms)
                values.extend(piece.value)
            return steps, times, values
        return call_with_retry(read, deadline_s=self.retry_deadline_s)

    def append_table_rows(self, run_id: str, table: str, rows: Sequence[metric_pb2.TableRow]) -> int:
        return self.call("metrics", "AppendTableRows", metric_pb2.AppendTableRowsRequest(
            run_id=run_id, table=table, rows=rows)).row_count

    def list_tables(self, run_id: str) -> List[str]:
        return list(self.call("metrics", "ListTables", metric_pb2.ListTablesRequest(run_id=run_id)).tables)

    def get_table(self, run_id: str, table: str) -> Tuple[List[metric_pb2.TableColumn], List[metric_pb2.TableRow]]:
        columns: List[metric_pb2.TableColumn] = []
        rows: List[metric_pb2.TableRow] = []
        token = ""
        while True:
            response = self.call("metrics", "GetTable", metric_pb2.GetTableRequest(
                run_id=run_id, table=table, page_size=10000, page_token=token))
            if not columns:
                columns = list(response.columns)
            rows.extend(response.rows)
            token = response.next_page_token
            if not token:
                return columns, rows

    # -- logs -------------------------------------------------------------------------------
    def append_logs(self, run_id: str, lines: Sequence[log_pb2.LogLine]) -> int:
        def once() -> int:
            return self.stub("logs").AppendLogs(
                iter([log_pb2.AppendLogsRequest(run_id=run_id, lines=lines)]), timeout=60).accepted_lines
        return call_with_retry(once, deadline_s=self.retry_deadline_s)

    def read_logs(self, run_id: str, *, start_offset: int = 0, limit: int = 0) -> List[log_pb2.LogLine]:
        def read() -> List[log_pb2.LogLine]:
            out: List[log_pb2.LogLine] = []
            for piece in self.stub("logs").ReadLogs(log_pb2.ReadLogsRequest(
                    run_id=run_id, start_offset=start_offset, limit=limit), timeout=120):
                out.extend(piece.lines)
            return out
        return call_with_retry(read, deadline_s=self.retry_deadline_s)

    # -- artifacts --------------------------------------------------------------------------
    def list_artifacts(self, run_id: str, *, path_prefix: str = "",
                       media_type_prefix: str = "") -> List[artifact_pb2.Artifact]:
        out: List[artifact_pb2.Artifact] = []
        token = ""
        while True:
            response = self.call("artifacts", "ListArtifacts", artifact_pb2.ListArtifactsRequest(
                run_id=run_id, path_prefix=path_prefix, media_type_prefix=media_type_prefix,
                page_size=1000, page_token=token))
            out.extend(response.artifacts)
            token = response.next_page_token
            if not token:
                return out

    def create_reference(self, run_id: str, name: str, uri: str, direction: Any,
                         media_type: str = "") -> artifact_pb2.Artifact:
        return self.call("artifacts", "CreateArtifactReference", artifact_pb2.CreateArtifactReferenceRequest(
            run_id=run_id, name=name, uri=uri, direction=direction, media_type=media_type)).artifact


_SHARED: Dict[str, Client] = {}
_SHARED_LOCK = threading.Lock()


def shared_client(target: str) -> Client:
    """One Client (one channel) per target for the runs and searches that name a server by URI
    rather than passing a Client: opening many runs does not open many channels."""
    with _SHARED_LOCK:
        client = _SHARED.get(target)
        if client is None:
            client = _SHARED[target] = Client(target)
        return client
