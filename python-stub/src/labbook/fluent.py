"""The fluent API (MLflow style) over Run and Client: `labbook.start_run`, `@labbook.experiment`,
module-level `log_metric` & co. on the active run, `search_runs`, and script mode."""
from __future__ import annotations

import functools
import logging
import os
import tempfile
import threading
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, TypeVar

from labbook import _lifecycle
from labbook.client import SOURCE_ENV, Client, shared_client
from labbook.run import Run
from labbook.v1 import run_pb2

__all__ = ["start_run", "experiment", "active_run", "end_run", "get_context", "load_run",
           "search_runs", "log_metric", "log_metrics", "log_param", "log_params", "set_tags",
           "log_text", "flush"]

_log = logging.getLogger("labbook")
_stack: List[Run] = []
_stack_lock = threading.Lock()
_context_run: Optional[Run] = None

F = TypeVar("F", bound=Callable[..., Any])


class _FluentRun(Run):
    """A Run opened by `start_run`: on the active-run stack until it is closed."""

    _close_at_exit = True

    def close(self, status: Optional[str] = "COMPLETED", timeout: Optional[float] = 60.0) -> None:
        try:
            super().close(status, timeout)
        finally:
            with _stack_lock:
                if self in _stack:
                    _stack.remove(self)


def start_run(experiment: Optional[str] = None, name: Optional[str] = None,
              project: Optional[str] = None, description: Optional[str] = None,
              tags: Optional[Mapping[str, Any]] = None, **options: Any) -> Run:
    """Opens (or resumes, by name) a run and makes it the active run. Use it with `with` (exit
    sets COMPLETED, or FAILED on an exception) or without (then `run.complete()`, or it is
    completed at interpreter exit). Options are those of `labbook.Run` (client=, target=,
    offline=, params=, parent_run_id=, ...)."""
    run = _FluentRun(experiment, name, project, description, tags, **options)
    _install_excepthook()  # without `with`, an uncaught exception still ends the run FAILED
    run.open()
    with _stack_lock:
        _stack.append(run)
    return run


def experiment(experiment: Optional[str] = None, name: Optional[str] = None,
               project: Optional[str] = None, description: Optional[str] = None,
               tags: Optional[Mapping[str, Any]] = None, **options: Any) -> Callable[[F], F]:
    """Decorator: each call of the function runs inside its own run, passed as the first
    argument. `@labbook.experiment("mnist", name="baseline") def train(run, lr): ...` then
    `train(lr=0.1)`. The run ends COMPLETED, or FAILED when the function raises."""
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with start_run(experiment, name, project, description, tags, **options) as run:
                return fn(run, *args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorate


def active_run() -> Optional[Run]:
    """The innermost open `start_run` run, or None."""
    with _stack_lock:
        return _stack[-1] if _stack else None


def end_run(status: str = "COMPLETED") -> None:
    run = active_run()
    if run is not None:
        run.close(status)


def _require_active() -> Run:
    run = active_run()
    if run is None:
        return get_context()
    return run


def log_metric(name: str, value: Any, step: Optional[int] = None, timestamp: Any = None) -> None:
    _require_active().log_metric(name, value, step, timestamp)


def log_metrics(metrics: Mapping[str, Any], step: Optional[int] = None) -> None:
    _require_active().log_metrics(metrics, step)


def log_param(name: str, value: Any) -> None:
    _require_active().log_parameter(name, value)


def log_params(params: Mapping[str, Any]) -> None:
    _require_active().log_parameters(params)


def set_tags(tags: Mapping[str, Any]) -> None:
    _require_active().set_tags(tags)


def log_text(text: str, level: str = "INFO") -> None:
    _require_active().log_text(text, level)


def flush(timeout: Optional[float] = None) -> None:
    """Flushes every open run of this process."""
    for run in list(_lifecycle.OPEN_RUNS):
        run.flush(timeout)


# -- script mode (docs/script-mode.md) -----------------------------------------------------------
_install_excepthook = _lifecycle.install_excepthook
exit_failed = _lifecycle.exit_failed


class _ContextRun(Run):
    _close_at_exit = True


def _context_from_env() -> Run:
    uri = os.environ.get("LABBOOK_TRACKING_URI")
    run_id = os.environ.get("LABBOOK_RUN_ID")
    if uri and run_id:
        # Case 1: attach. The run must exist (NotFoundError otherwise); its owner sets the status.
        return _ContextRun(run_id=run_id, client=shared_client(uri, source=SOURCE_ENV)).open()
    if uri:
        return _ContextRun(name=os.environ.get("LABBOOK_RUN_NAME") or None,
                           client=shared_client(uri, source=SOURCE_ENV)).open()
    try:
        # As the Java SDK: a LABBOOK_RUN_NAME names (and so reopens) the offline run too.
        return _ContextRun(name=os.environ.get("LABBOOK_RUN_NAME") or None, offline=True).open()
    except OSError as error:
        # "never raises for a missing server configuration": an unwritable offline dir falls
        # back to the temp dir.
        fallback = os.path.join(tempfile.gettempdir(), "labbook-offline")
        _log.warning("labbook: cannot write offline runs under %s (%s); using %s instead",
                     os.environ.get("LABBOOK_OFFLINE_DIR") or "./labbook-offline", error, fallback)
        return _ContextRun(name=os.environ.get("LABBOOK_RUN_NAME") or None, offline=True,
                           offline_dir=fallback).open()


def get_context() -> Run:
    """`labbook.Run.get_context()`: the active start_run run, else this process's script-mode
    run (attach by LABBOOK_RUN_ID, open by LABBOOK_RUN_NAME, or offline), made once."""
    global _context_run
    run = active_run()
    if run is not None:
        return run
    with _stack_lock:
        if _context_run is None or _context_run.status not in ("RUNNING",) or \
                _context_run._sender is None:
            _install_excepthook()
            _context_run = _context_from_env()
        return _context_run


_lifecycle.context_provider = get_context


def load_run(experiment_name: Optional[str] = None, run_name: Optional[str] = None, *,
             run_id: Optional[str] = None, project: Optional[str] = None,
             client: Optional[Client] = None) -> Run:
    """SageMaker `load_run`: with no arguments the script-mode run (`get_context()`); with
    `experiment_name` and `run_name` (or `run_id`) an existing run on the server of `client` or
    LABBOOK_TRACKING_URI, found read-only (GetRun: nothing is created, RunNotFoundError or
    ExperimentNotFoundError when missing) and attached by id: you can log into it and read it,
    and closing it flushes without changing its status (its owner sets that). To resume a run
    — RUNNING again, with a final status at close — open it with
    `start_run(experiment, name, resume="must")`."""
    if experiment_name is None and run_name is None and run_id is None:
        return get_context()
    if run_id is None:
        if not experiment_name or not run_name:
            raise ValueError("load_run needs experiment_name and run_name, or run_id")
        if client is None:
            uri = os.environ.get("LABBOOK_TRACKING_URI")
            if not uri:
                raise ValueError("load_run needs a server: pass client= or set LABBOOK_TRACKING_URI")
            client = shared_client(uri, source=SOURCE_ENV)
        run_id = client.get_run(experiment=experiment_name, name=run_name,
                                project=project or os.environ.get("LABBOOK_PROJECT") or "").id
    return Run(run_id=run_id, client=client).open()


# -- search --------------------------------------------------------------------------------------
def _row(run: run_pb2.Run) -> Dict[str, Any]:
    from labbook._values import from_param_value

    row: Dict[str, Any] = {
        "run_id": run.id, "name": run.name, "experiment_id": run.experiment_id,
        "status": run_pb2.RunStatus.Name(run.status).replace("RUN_STATUS_", ""),
        "start_time_ms": run.start_time_ms, "end_time_ms": run.end_time_ms,
        "description": run.description,
    }
    for p in run.params:
        row[f"params.{p.key}"] = from_param_value(p.value)
    for m in run.metrics:
        row[f"metrics.{m.key}"] = m.last_value
    for k, v in run.tags.items():
        row[f"tags.{k}"] = v
    return row


def search_runs(filter: str = "", order_by: Optional[Sequence[str]] = None, *,
                experiment: Optional[str] = None, experiment_ids: Sequence[str] = (),
                project: Optional[str] = None, max_results: int = 0,
                as_dataframe: Optional[bool] = None, client: Optional[Client] = None) -> Any:
    """Runs matching a filter (docs/search.md), e.g.
    `search_runs("params.lr < 0.01 AND metrics.val_acc >= 0.9", ["metrics.val_acc DESC"])`.
    Returns a pandas DataFrame when pandas is installed (unless `as_dataframe=False`), else a
    list of dicts with run_id, name, status, times, `params.<k>`, `metrics.<k>` (last value) and
    `tags.<k>`."""
    if client is None:
        uri = os.environ.get("LABBOOK_TRACKING_URI")
        if not uri:
            raise ValueError("search_runs needs a server: pass client= or set LABBOOK_TRACKING_URI")
        client = shared_client(uri, source=SOURCE_ENV)
    ids = list(experiment_ids)
    if experiment is not None:
        ids.append(client.get_experiment(experiment, project or "").id)
    rows = [_row(r) for r in client.search_runs(filter=filter, order_by=order_by or (),
                                                 experiment_ids=ids, project=project or "",
                                                 max_results=max_results)]
    if as_dataframe is not False:
        try:
            import pandas as pd
        except ImportError:
            if as_dataframe:
                raise
        else:
            return pd.DataFrame(rows)
    return rows
