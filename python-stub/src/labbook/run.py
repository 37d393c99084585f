"""`labbook.Run`: one run, online (through a Client) or offline (a local directory).

Logging calls are cheap and never wait for the network: metric points and text lines go to an
in-memory deque that a background Sender turns into batches. Online, params, tags, description
and name changes, table rows and the final status are queued behind the lines and sent by the
same thread in the order they were made (spooled to disk during an outage); their arguments are
checked at the call. Files are uploaded at the call. Where each goes is the run's sink (_sink.py).
"""
from __future__ import annotations

import datetime
import io
import json
import logging
import os
import threading
import time
from typing import (Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, TypeVar,
                    Union)

from labbook import _artifacts, _lifecycle, _offline, _sender, _sink
from labbook._values import check_key as _check_key
from labbook._values import to_float
from labbook.client import SOURCE_ENV, Client, shared_client
from labbook.errors import InvalidArgumentError
from labbook.v1 import log_pb2, run_pb2

__all__ = ["Run", "MetricPoint", "RunLogger"]

from labbook import _dash  # noqa: E402  (the seeds' calls: ML-Dash, SageMaker spellings)

SDK = "python/0.1.0"
_log = logging.getLogger("labbook")
_time_ns = time.time_ns
_FINAL_STATUSES = ("COMPLETED", "FAILED", "CANCELED")
_RESUME_POLICIES = ("allow", "never", "must")
_LEVELS: Dict[str, int] = {"DEBUG": log_pb2.LOG_LEVEL_DEBUG, "INFO": log_pb2.LOG_LEVEL_INFO,
           "WARNING": log_pb2.LOG_LEVEL_WARNING, "WARN": log_pb2.LOG_LEVEL_WARNING,
           "ERROR": log_pb2.LOG_LEVEL_ERROR, "CRITICAL": _offline.CRITICAL, "FATAL": _offline.CRITICAL}
_STREAMS = {"USER": log_pb2.LOG_STREAM_USER, "STDOUT": log_pb2.LOG_STREAM_STDOUT,
            "STDERR": log_pb2.LOG_STREAM_STDERR}
# Strong references: a run opened and then dropped by the caller must still be flushed at exit.
_OPEN_RUNS = _lifecycle.OPEN_RUNS

R = TypeVar("R")


class MetricPoint(NamedTuple):
    step: int
    timestamp_ms: int
    value: float


class _Closed:
    """Stands in for the point deque of a run that is not open: appending raises."""

    def __init__(self, why: str) -> None:
        self.why = why

    def append(self, _item: Any) -> None:
        raise RuntimeError(self.why)

    def __len__(self) -> int:
        return 0


_INT64_MIN, _INT64_MAX = -(2 ** 63), 2 ** 63 - 1


def _timestamp_ms(timestamp: Any) -> int:
    """A datetime, or seconds since the epoch (SageMaker's `timestamp`), to epoch ms."""
    if isinstance(timestamp, datetime.datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=datetime.timezone.utc)
        ms = int(timestamp.timestamp() * 1000)
    else:
        ms = int(float(timestamp) * 1000)
    if not _INT64_MIN <= ms <= _INT64_MAX:
        raise ValueError(f"timestamp {timestamp!r}: outside the signed 64-bit millisecond range")
    return ms


def _resolve_client(client: Optional[Client], target: Optional[str],
                    token: Optional[str] = None) -> Optional[Client]:
    if client is not None:
        return client
    if target:
        return shared_client(target, token, "the target= argument")
    uri = os.environ.get("LABBOOK_TRACKING_URI")
    return shared_client(uri, token, SOURCE_ENV) if uri else None


class RunLogger:
    """`run.logger.info("epoch %d", 3)`: text lines into the run's log, at a level."""

    def __init__(self, run: "Run") -> None:
        self._run = run

    def log(self, level: Union[str, int], msg: str, *args: Any) -> None:
        self._run.log_text(msg % args if args else str(msg), level=level)

    def debug(self, msg: str, *args: Any) -> None:
        self.log("DEBUG", msg, *args)

    def info(self, msg: str, *args: Any) -> None:
        self.log("INFO", msg, *args)

    def warning(self, msg: str, *args: Any) -> None:
        self.log("WARNING", msg, *args)

    warn = warning

    def error(self, msg: str, *args: Any) -> None:
        self.log("ERROR", msg, *args)

    def critical(self, msg: str, *args: Any) -> None:
        self.log("CRITICAL", msg, *args)

    def handler(self, level: int = logging.NOTSET) -> logging.Handler:
        """A stdlib logging.Handler that forwards records into the run's log."""
        run = self._run

        class _Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                try:
                    run.log_text(self.format(record), level=record.levelno)
                except Exception:
                    self.handleError(record)
        return _Handler(level)


class Run:
    """One run. Open it with `with labbook.Run(experiment=..., name=...) as run:`, or
    `run.open()` ... `run.complete()`. Opening a name that exists resumes that run as `resume`
    allows: "allow" (default: resume it, or create it), "never" (RunAlreadyExistsError when the
    name is taken), "must" (RunNotFoundError when it is not).

    Online when given a `client`, a `target` or `LABBOOK_TRACKING_URI`; otherwise (or with
    `offline=True`) it writes an offline run directory (docs/offline-format.md). `token=` is the
    API token (or JWT) sent to that server, ahead of `LABBOOK_TOKEN`, `LABBOOK_TOKEN_FILE` and
    `~/.labbook/credentials` (ignored with `client=`, which has its own).

    The seeds' spellings are accepted too: SageMaker's `experiment_name=`/`run_name=`, and
    ML-Dash's `Experiment(name=, project=, local_path=)` (`local_path` or `local_prefix`: offline
    in that directory; `remote=`: the server's gRPC address; `tags=` may be a list; `user_name`
    and `folder` become tags of those names).
    """

    def __init__(self, experiment: Optional[str] = None, name: Optional[str] = None,
                 project: Optional[str] = None, description: Optional[str] = None,
                 tags: Optional[Mapping[str, Any]] = None, *, params: Optional[Mapping[str, Any]] = None,
                 parent_run_id: Optional[str] = None, run_id: Optional[str] = None,
                 client: Optional[Client] = None, target: Optional[str] = None,
                 offline: bool = False, offline_dir: Optional[str] = None,
                 spool_dir: Optional[str] = None, capacity: int = _sender.DEFAULT_CAPACITY,
                 resume: str = "allow", token: Optional[str] = None,
                 experiment_name: Optional[str] = None, run_name: Optional[str] = None,
                 local_path: Optional[str] = None, local_prefix: Optional[str] = None,
                 remote: Optional[str] = None, user_name: Optional[str] = None,
                 folder: Optional[str] = None) -> None:
        # the seeds' spellings (SageMaker, ML-Dash): see _dash.seed_options
        experiment, name, tags, offline, offline_dir, target = _dash.seed_options(
            experiment, name, tags, offline, offline_dir, target, experiment_name=experiment_name,
            run_name=run_name, local_path=local_path, local_prefix=local_prefix, remote=remote,
            user_name=user_name, folder=folder)
        if str(resume).lower() not in _RESUME_POLICIES:
            raise ValueError(f"resume={resume!r}: \"allow\", \"never\" or \"must\"")
        self.resume_policy = str(resume).lower()
        if self.resume_policy == "must" and not name and not run_id:
            raise ValueError("resume=\"must\" needs the name of the run to resume")
        self.experiment = experiment or os.environ.get("LABBOOK_EXPERIMENT") or "default"
        self.name = name
        self.project = project or os.environ.get("LABBOOK_PROJECT") or "default"
        self._description = description or ""
        self._tags = {str(k): str(v) for k, v in (tags or {}).items()}
        self._initial_params = dict(params or {})
        self.parent_run_id = parent_run_id or ""
        self.id: str = run_id or ""
        self._attach = bool(run_id)
        self.client: Optional[Client] = None if offline else _resolve_client(client, target, token)
        self._sink: _sink.RunSink = _sink.sink_for(self.client, offline_dir, SDK)
        if self._attach and self.client is None:
            raise ValueError(f"run_id={run_id!r} needs a server: pass client= or target=, or set "
                             "LABBOOK_TRACKING_URI (an offline run cannot attach to an existing run)")
        self._pid = os.getpid()   # the process that opened the run; only it sets the final status
        self._offline_dir = offline_dir
        self._spool_dir = spool_dir
        self._capacity = capacity
        self.offline: Optional[_offline.OfflineStore] = None
        self.resumed = False
        self.status = "NEW"
        #: Whether closing this run sets its final status (False for a run attached by id).
        self.owns_status = not self._attach
        self._keys: List[str] = []
        self._series: Dict[str, List[int]] = {}
        self._series_lock = threading.Lock()
        # key -> the last step the run already held when it was resumed (or attached): an
        # explicit step at or below it repeats a stored step, which is warned about once per key
        self._stored_last: Dict[str, int] = {}
        self._points: Any = _Closed("the run is not open yet: call run.open() or use `with`")
        self._sender: Optional[_sender.Sender] = None
        self.logger = RunLogger(self)

    # -- lifecycle --------------------------------------------------------------------------------
    def open(self) -> "Run":
        """Creates or resumes the run (or attaches to `run_id`) and starts its sender."""
        if self.status == "RUNNING":
            return self
        self._sink.open(self)
        self._sender = _sender.Sender(
            self._sink.transport(), self._keys, run_id=self.id, spool_dir=self._spool_dir,
            capacity=self._capacity, batch_points=self._sink.batch_points)
        self._sink.attach(self._sender)
        self._points = self._sender.points
        self.status = "RUNNING"
        self._pid = os.getpid()
        _OPEN_RUNS.add(self)
        return self

    def _seed_series(self, key: str, stored_last: Optional[int], next_step: int) -> None:
        """A resumed run's series `key` (as the sink found it stored): its last stored step
        (None when empty) and the step its automatic counter continues from."""
        with self._series_lock:
            if stored_last is not None:
                self._stored_last[key] = stored_last
            if key not in self._series:
                self._series[key] = [len(self._keys), next_step]
                self._keys.append(key)

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Blocks until every metric point, log line and call made so far is stored. True when done
        within `timeout` seconds (False: still queued, or spooled to disk during an outage)."""
        return self._sender.flush(timeout) if self._sender is not None else True

    def close(self, status: Optional[str] = "COMPLETED", timeout: Optional[float] = 60.0) -> None:
        """Flushes, stops the sender and sets the final status — COMPLETED or FAILED
        (FinishRun), CANCELED (CancelRun) — unless the run was attached by id: its owner sets
        the status. `status=None` only flushes and detaches. If someone else finished the run
        meanwhile (e.g. canceled it), their status stays: a warning is logged, nothing raised."""
        if self.status != "RUNNING":
            return
        final = status.upper() if (status and self.owns_status) else None
        if final is not None and final not in _FINAL_STATUSES:
            raise ValueError(f"status {status!r}: COMPLETED, FAILED or CANCELED (or None)")
        final = self._sink.close(final, timeout)
        self._points = _Closed(f"run {self.name!r} is closed")
        self.status = final or "DETACHED"
        _OPEN_RUNS.discard(self)

    def complete(self) -> None:
        """Marks the run COMPLETED (Azure `run.complete()`)."""
        self.close("COMPLETED")

    def fail(self, error: Optional[BaseException] = None) -> None:
        """Marks the run FAILED, logging the error's text when given."""
        if error is not None and self.status == "RUNNING":
            self.log_text(f"{type(error).__name__}: {error}", level="ERROR")
        self.close("FAILED")

    def cancel(self) -> None:
        self.close("CANCELED")

    def __enter__(self) -> "Run":
        return self.open()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc is None:
            self.close("COMPLETED")
        elif isinstance(exc, KeyboardInterrupt):
            self.close("CANCELED")
        else:
            self.fail(exc)

    def __repr__(self) -> str:
        return (f"Run(id={self.id!r}, experiment={self.experiment!r}, name={self.name!r}, "
                f"{self._sink.where}, {self.status})")

    @property
    def offline_dir(self) -> Optional[str]:
        """The run directory of an offline run; None online."""
        return self.offline.dir if self.offline is not None else None

    @property
    def writer_id(self) -> str:
        return self._sender.writer_id if self._sender is not None else ""

    @property
    def errors(self) -> List[Exception]:
        """Permanent background failures (batches or lines the server refused), oldest first."""
        return list(self._sender.errors) if self._sender is not None else []

    # -- metrics (hot path) -----------------------------------------------------------------------
    def _register(self, name: str) -> List[int]:
        if self._sender is None or self.status != "RUNNING":
            raise RuntimeError("the run is not open: call run.open() or use `with`")
        _check_key(name)
        with self._series_lock:
            series = self._series.get(name)
            if series is None:
                series = [len(self._keys), 0]
                self._keys.append(name)
                self._series[name] = series
            return series

    def log_metric(self, name: str, value: Any, step: Optional[int] = None,
                   timestamp: Any = None) -> None:
        """Appends a point to the series `name` (SageMaker `log_metric`). `step` defaults to the
        series' next index; `timestamp` is a datetime or epoch seconds (default now). Returns at
        once; the point is sent in the background."""
        if value.__class__ is not float:
            value = to_float(value)
        series = self._series.get(name)
        if series is None:
            series = self._register(name)
        if step is None:
            step = series[1]
            series[1] = step + 1
        else:
            if step.__class__ is not int:
                step = int(step)
            if not _INT64_MIN <= step <= _INT64_MAX:
                raise ValueError(f"step {step}: outside the signed 64-bit range")
            if step >= series[1]:
                series[1] = step + 1
            elif self._stored_last and step <= self._stored_last.get(name, _INT64_MIN - 1):
                self._warn_repeated_step(name, step)
        points = self._points
        points.append((series[0], step,
                       _time_ns() // 1_000_000 if timestamp is None else _timestamp_ms(timestamp), value))
        if len(points) > self._capacity:
            self._sender.wait_for_room()  # type: ignore[union-attr]

    def _warn_repeated_step(self, name: str, step: int) -> None:
        """Once per key: an explicit step repeats a step the resumed run already held. Both
        points are kept (nothing is dropped or overwritten; see docs/python-sdk.md)."""
        last = self._stored_last.pop(name, None)
        if last is None:
            return  # warned already (another thread got here first)
        _log.warning(
            "labbook: run %r was resumed and already holds steps up to %d of %r; step %d is logged "
            "again. Both points are kept (the series then has two points at that step); to start "
            "the series afresh use a new run (resume=\"never\"), or continue after step %d. "
            "(Warned once per key.)", self.name, last, name, step, last)

    def log(self, name: str, value: Any = _dash.NO_VALUE, description: str = "", step: Optional[int] = None,
            *, level: Union[str, int, None] = None, metadata: Optional[Mapping[str, Any]] = None,
            **fields: Any) -> None:
        """Two seeds, told apart by the arguments (docs/python-sdk.md):

        - Azure `run.log(name, value)`: a point of the series `name` (its next step, or `step`);
          a text value (Azure allows it) is a row `{"value": text}` of the table `name`;
        - ML-Dash `run.log("text")`, `run.log("text", level="info", metadata={...})`: a text
          line — one string and no value, or `level=` given. `metadata` and other keyword
          fields are appended to the line as JSON (`text {"epoch": 1}`)."""
        if value is _dash.NO_VALUE or level is not None:
            if value is not _dash.NO_VALUE:
                raise TypeError(f"run.log({name!r}, {value!r}, level=...): a text line takes no "
                                "value; a metric point takes no level")
            extra = dict(metadata or {}, **fields)
            text = str(name)
            if extra:
                text += " " + json.dumps(extra, sort_keys=True, default=str)
            self.log_text(text, level="INFO" if level is None else level)
            return
        if metadata is not None or fields:
            raise TypeError(f"run.log({name!r}, value): metadata and other fields belong to text lines "
                            "(run.log(text, metadata=...)) or to run.metric(name).append(...)")
        if isinstance(value, str):
            self.log_row(name, value=value)
            return
        self.log_metric(name, value, step=step)

    def log_metrics(self, metrics: Mapping[str, Any], step: Optional[int] = None,
                    timestamp: Any = None) -> None:
        """Several series at once, all at `step` (each series' next step when None)."""
        log_metric = self.log_metric
        for name, value in metrics.items():
            log_metric(name, value, step, timestamp)

    # -- tables ---------------------------------------------------------------------------------
    def _append_rows(self, table: str, rows: List[Dict[str, Any]]) -> None:
        """Table rows, in appends of up to 10,000 (online: numbered by this process's table
        writer, so an append retried after a lost answer is stored once)."""
        self._require_open()
        _check_key(table, "table")
        if rows:
            self._sink.rows(table, rows)

    def log_list(self, name: str, values: Iterable[Any], description: str = "") -> None:
        """Azure `log_list`: one row per value in the single column `value`."""
        self._append_rows(name, [{"value": v} for v in values])

    def log_row(self, name: str, description: Optional[str] = None, **columns: Any) -> None:
        """Azure `log_row`: appends one row, e.g. `run.log_row("per_class", cls="cat", f1=0.9)`."""
        self._append_rows(name, [columns])

    def log_table(self, name: str, value: Mapping[str, Sequence[Any]], description: str = "") -> None:
        """Azure `log_table`: `{column: list}`, the lists zipped into rows (equal lengths)."""
        columns = {str(k): list(v) for k, v in value.items()}
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise InvalidArgumentError(f"log_table {name!r}: columns have different lengths {sorted(lengths)}",
                                       field="value")
        count = lengths.pop() if lengths else 0
        self._append_rows(name, [{k: v[i] for k, v in columns.items()} for i in range(count)])

    # -- params, tags, description --------------------------------------------------------------
    def log_parameters(self, parameters: Mapping[str, Any]) -> None:
        """SageMaker `log_parameters`: typed params (bool, int, float, str); a key logged again
        is overwritten."""
        self._require_open()
        for key in parameters:
            _check_key(str(key), "params.key")
        self._sink.params(parameters)

    def log_parameter(self, name: str, value: Any) -> None:
        self.log_parameters({name: value})

    log_param = log_parameter
    log_params = log_parameters

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        self._require_open()
        tags = {str(k): str(v) for k, v in tags.items()}
        self._sink.set_tags(tags)
        self._tags.update(tags)

    def set_tag(self, key: str, value: Any = "") -> None:
        self.set_tags({key: value})

    tag = set_tag  # Azure run.tag(key, value=None)

    def remove_tags(self, keys: Sequence[str]) -> None:
        self._require_open()
        self._sink.remove_tags(list(keys))
        for key in keys:
            self._tags.pop(key, None)

    @property
    def tags(self) -> Dict[str, str]:
        return dict(self._tags)

    @property
    def description(self) -> str:
        return self._description

    @description.setter
    def description(self, text: str) -> None:
        self.set_description(text)

    def set_description(self, text: str) -> None:
        self._require_open()
        self._sink.set_description(text)
        self._description = text

    def rename(self, name: str) -> None:
        """Gives the run a new name, unique in its experiment (AlreadyExistsError otherwise)."""
        self._require_open()
        self._sink.rename(name)
        self.name = name

    # -- text logs ------------------------------------------------------------------------------
    def log_text(self, text: str, level: Union[str, int] = "INFO", stream: str = "USER") -> None:
        """A line (or several, split at newlines) in the run's log, sent in the background."""
        self._require_open()
        if isinstance(level, int) and not isinstance(level, bool):
            lvl: int = level if level <= _offline.CRITICAL else _offline.CRITICAL
            if level >= logging.DEBUG:  # a stdlib level number; custom levels map to the one below
                lvl = (_offline.CRITICAL if level >= logging.CRITICAL else
                       log_pb2.LOG_LEVEL_ERROR if level >= logging.ERROR else
                       log_pb2.LOG_LEVEL_WARNING if level >= logging.WARNING else
                       log_pb2.LOG_LEVEL_INFO if level >= logging.INFO else log_pb2.LOG_LEVEL_DEBUG)
        else:
            found = _LEVELS.get(str(level).upper())
            if found is None:
                raise InvalidArgumentError(f"level {level!r}: DEBUG, INFO, WARNING, ERROR or CRITICAL",
                                           field="level")
            lvl = found
        strm = _STREAMS.get(stream.upper(), log_pb2.LOG_STREAM_USER)
        now = _time_ns() // 1_000_000
        add_line = self._sender.add_line  # type: ignore[union-attr]
        for line in str(text).splitlines() or [""]:
            for piece in _sender.line_pieces(line):
                add_line(now, lvl, strm, piece)

    # -- files, images, references --------------------------------------------------------------
    def upload_file(self, name: str, path_or_stream: _artifacts.Source, is_output: bool = True,
                    media_type: str = "", step: Optional[int] = None) -> Dict[str, Any]:
        """Stores a file (path, bytes or binary stream) at `name` in the run; verified by size
        and SHA-256, resumable. Returns the artifact's metadata."""
        self._require_open()
        media_type = media_type or _artifacts.guess_media_type(name)
        return self._sink.upload(name, path_or_stream, is_output, media_type, step)

    def log_file(self, path: str, name: Optional[str] = None, is_output: bool = True) -> Dict[str, Any]:
        """SageMaker `log_file`: uploads a local file, by default under its base name."""
        return self.upload_file(name or os.path.basename(path), path, is_output=is_output)

    def upload_folder(self, name: str, path: str, is_output: bool = True) -> List[str]:
        """Uploads every file under `path` to `name/<relative path>`; returns the stored paths."""
        stored = []
        for folder, _dirs, files in os.walk(path):
            for file in sorted(files):
                full = os.path.join(folder, file)
                rel = os.path.relpath(full, path).replace(os.sep, "/")
                target = f"{name.rstrip('/')}/{rel}" if name else rel
                self.upload_file(target, full, is_output=is_output)
                stored.append(target)
        return stored

    def log_artifact(self, name: str, value: Any, is_output: bool = True, media_type: str = "") -> None:
        """SageMaker `log_artifact`: a reference name → URI or value, nothing uploaded."""
        self._require_open()
        self._sink.reference(name, str(value), is_output, media_type)

    def log_image(self, name: str, path: Optional[str] = None, plot: Any = None,
                  description: str = "", step: Optional[int] = None) -> str:
        """Azure `log_image`: an image file (`path`) or a matplotlib figure (`plot`), stored under
        `images/<name>.<ext>`, or `images/<name>/<step>.<ext>` for a series. Returns the path."""
        if (path is None) == (plot is None):
            raise InvalidArgumentError("log_image needs exactly one of path= and plot=", field="path")
        if plot is not None:
            figure = plot.gcf() if hasattr(plot, "gcf") else plot  # pyplot module or a Figure
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
            source: _artifacts.Source = buffer.getvalue()
            ext = ".png"
        else:
            assert path is not None
            source = path
            ext = os.path.splitext(path)[1].lower() or ".png"
        target = f"images/{name}{ext}" if step is None else f"images/{name}/{int(step):08d}{ext}"
        self.upload_file(target, source, media_type=_artifacts.guess_media_type(target) or "image/png",
                         step=step)
        return target

    # -- reading --------------------------------------------------------------------------------
    def get_metrics(self, name: Optional[str] = None) -> Dict[str, Any]:
        """Azure `get_metrics()`: series → last value; a table of one `value` column → list;
        other tables → {column: list}. Flushes first."""
        self.flush(60)
        out = self._sink.metrics()
        return {name: out[name]} if name is not None and name in out else ({} if name else out)

    def get_metric_history(self, name: str, *, as_dataframe: Optional[bool] = None,
                           max_points: int = 0, start_step: Optional[int] = None,
                           end_step: Optional[int] = None) -> Any:
        """The points of one series in step order, from `start_step` to `end_step` (inclusive,
        open ends when None): a pandas DataFrame (columns step, timestamp_ms, value) when pandas
        is installed, else a list of MetricPoint. `as_dataframe=False` forces the list, `True`
        requires pandas."""
        self.flush(60)
        steps, times, values = self._sink.history(name, max_points, start_step, end_step)
        return _history(steps, times, values, as_dataframe)

    def get_parameters(self) -> Dict[str, Any]:
        """Params with their types: {key: bool | int | float | str} (after a flush)."""
        self.flush(60)
        return self._sink.parameters()

    def get_tags(self) -> Dict[str, str]:
        self.flush(60)
        self._tags = self._sink.tags(self._tags)
        return dict(self._tags)

    def get_status(self) -> str:
        self.flush(60)
        return self._sink.status()

    def get_details(self) -> run_pb2.Run:
        """The server's Run message (params, tags, source, times)."""
        assert self.client is not None, "get_details needs a server"
        self.flush(60)
        return self.client.get_run(self.id)

    def get_file_names(self, prefix: str = "") -> List[str]:
        """Paths of the run's files and references (Azure `get_file_names`)."""
        return self._sink.file_names(prefix)

    def download_file(self, name: str, output_file_path: Optional[str] = None) -> str:
        """Downloads the file `name` to `output_file_path` (default: its base name in the working
        directory; a directory keeps the base name). Returns the local path."""
        target = output_file_path or os.path.basename(name)
        if os.path.isdir(target):
            target = os.path.join(target, os.path.basename(name))
        self._sink.download(name, target)
        return target

    def read_logs(self) -> List[Dict[str, Any]]:
        """The run's text lines (after a flush): [{timestamp_ms, level, stream, text}]."""
        self.flush(60)
        return self._sink.logs()

    def get_portal_url(self) -> Optional[str]:
        """The run's page in the web UI, `<public_url>/runs/<run_id>` (Azure's
        `run.get_portal_url()`); append `?embed=1` for the page without the app's header. The
        server's UI address is asked once per client (`GetServerInfo`). None for an offline run
        (no server id yet: after `labbook sync` open the uploaded run) and when the server has no
        UI (HTTP port off, no `--public-url`)."""
        return self._sink.portal_url()

    def _repr_html_(self) -> str:
        """Jupyter's rich display: name, status, params and a link to the run page (small; the
        embedded live page is `labbook.widgets.RunDetails(run).show()`)."""
        from labbook.widgets import summary_html
        return summary_html(self)

    # -- ML-Dash's calls (docs/python-sdk.md, "Coming from ML-Dash") -----------------------------
    def parameters(self) -> "_dash.RunParameters":
        """ML-Dash `run.parameters().set(lr=0.001, batch_size=32)` (and `.get()`)."""
        return _dash.RunParameters(self)

    def metric(self, name: str) -> "_dash.RunMetric":
        """ML-Dash `run.metric("loss").append(value=0.5, epoch=1)` (and `.append_batch([...])`,
        `.read()`): see `labbook._dash.RunMetric` for where each field goes."""
        _check_key(name)
        return _dash.RunMetric(self, name)

    def file(self, file_path: str, prefix: str = "/", name: Optional[str] = None,
             is_output: bool = True) -> Dict[str, Any]:
        """ML-Dash `run.file("model.pth", prefix="/models")`: uploads the local file as
        `models/model.pth` (`prefix` without its leading slash, then `name`, by default the
        file's base name). Returns the stored file's metadata, as `upload_file`."""
        folder = prefix.strip("/")
        base = name or os.path.basename(file_path)
        return self.upload_file(f"{folder}/{base}" if folder else base, file_path, is_output=is_output)

    def _require_open(self) -> None:
        if self.status != "RUNNING":
            raise RuntimeError(f"run {self.name!r} is not open (status {self.status})")

    # -- script mode ----------------------------------------------------------------------------
    @classmethod
    def get_context(cls) -> "Run":
        """The run of this process (docs/script-mode.md): the active `start_run` run, else one
        built once from LABBOOK_* variables, else an offline run. Never raises for a missing
        server configuration."""
        return _lifecycle.get_context()


def _history(steps: List[int], times: List[int], values: List[float], as_dataframe: Optional[bool]) -> Any:
    if as_dataframe is not False:
        try:
            import pandas as pd
        except ImportError:
            if as_dataframe:
                raise
        else:
            return pd.DataFrame({"step": steps, "timestamp_ms": times, "value": values})
    return [MetricPoint(s, t, v) for s, t, v in zip(steps, times, values)]


_lifecycle.run_class = Run
