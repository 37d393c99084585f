"""Process-wide run bookkeeping shared by `client`, `run` and `fluent` without their importing
each other in a circle: the runs open in this process (finished or flushed at exit), whether the
script is ending with a failure (an uncaught exception or `sys.exit(<failure>)`), and two late
links — the `Run` class (for `Client.start_run`, registered by `labbook.run`) and the script-mode
context (for `Run.get_context`, registered by `labbook.fluent`). Imports no other labbook
module."""
from __future__ import annotations

import atexit
import importlib
import logging
import os
import sys
import threading
from typing import Any, Callable, Optional

_log = logging.getLogger("labbook")

# Strong references: a run opened and then dropped by the caller must still be flushed at exit.
OPEN_RUNS: "set[Any]" = set()

#: `labbook.run.Run`, registered when that module loads (Client.start_run builds one).
run_class: Any = None
#: `labbook.fluent.get_context`, registered when that module loads (Run.get_context calls it).
context_provider: Optional[Callable[[], Any]] = None

_uncaught_exception: Optional[BaseException] = None
_exit_status: Any = None
_hook_installed = False


def get_context() -> Any:
    """The script-mode run (labbook.fluent.get_context; `import labbook` registers it)."""
    if context_provider is None:
        # `import labbook` loads its names on first use (the console script starts without
        # gRPC): the fluent module registers itself when it loads.
        importlib.import_module("labbook.fluent")
    if context_provider is None:
        raise RuntimeError("labbook.fluent did not register its get_context")
    return context_provider()


def new_run(*args: Any, **kwargs: Any) -> Any:
    """A `labbook.run.Run` (Client.start_run), loading that module when nothing loaded it yet."""
    if run_class is None:
        importlib.import_module("labbook.run")
    return run_class(*args, **kwargs)


def install_excepthook() -> None:
    """Remembers an uncaught exception — and the code of a `sys.exit()` in the main thread,
    which never reaches sys.excepthook — so that the script's own runs end FAILED at exit.
    (`raise SystemExit(1)` written out, and os._exit, cannot be seen: the run ends COMPLETED.)"""
    global _hook_installed
    if _hook_installed:
        return
    _hook_installed = True
    previous = sys.excepthook

    def hook(exc_type: Any, exc: BaseException, tb: Any) -> None:
        global _uncaught_exception
        _uncaught_exception = exc
        previous(exc_type, exc, tb)
    sys.excepthook = hook
    previous_exit = sys.exit

    def exit(status: Any = None) -> Any:
        global _exit_status
        if threading.current_thread() is threading.main_thread():
            _exit_status = status
        return previous_exit(status)
    sys.exit = exit


def exit_failed() -> bool:
    """Whether the interpreter is ending with a failure: an uncaught exception, or sys.exit()
    with a code other than None/0 (a string code exits with status 1)."""
    return _uncaught_exception is not None or _exit_status not in (None, 0)


def close_open_runs_at_exit() -> None:
    """atexit: nothing logged is left only in memory. Runs the SDK opened for the script
    (start_run, get_context) in this process get their final status (FAILED after an uncaught
    exception or sys.exit with a failure code); other runs — and, in a forked child, the parent's
    runs — are only flushed (the child's own points)."""
    failed = exit_failed()
    pid = os.getpid()
    for run in list(OPEN_RUNS):
        try:
            if getattr(run, "_close_at_exit", False) and run._pid == pid:
                run.close("FAILED" if failed else "COMPLETED", timeout=30)
            else:
                run.flush(30)
        except Exception as error:  # at exit: report, never raise
            _log.error("labbook: could not finish run %s at exit: %s", run.id, error)


if (3, 12, 0) <= sys.version_info[:3] <= (3, 12, 2) and hasattr(threading, "_register_atexit"):
    # CPython 3.12.0-3.12.2 refuse to start threads once atexit handlers run, and sending needs
    # gRPC's helper threads: finish the runs at threading shutdown instead, which comes first.
    threading._register_atexit(close_open_runs_at_exit)  # type: ignore[attr-defined]
else:
    atexit.register(close_open_runs_at_exit)
