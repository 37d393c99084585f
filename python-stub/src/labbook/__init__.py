"""Labbook Python SDK: experiment tracking over gRPC, or offline to a local directory.

    import labbook
    with labbook.start_run(experiment="mnist", name="baseline") as run:
        run.log_parameters({"lr": 0.01})
        for step in range(100):
            run.log_metric("loss", 1 / (step + 1))

See docs/python-sdk.md.
"""
import importlib
from typing import Any, List

# Names load on first use (PEP 562), so that `import labbook.cli` (the console script) and
# `labbook --help` don't pay for gRPC and the generated stubs.
_LAZY = {
    "Client": "labbook.client",
    "AbortedError": "labbook.errors",
    "AlreadyExistsError": "labbook.errors",
    "AuthenticationError": "labbook.errors",
    "DeadlineExceededError": "labbook.errors",
    "EtagMismatchError": "labbook.errors",
    "ExperimentAlreadyExistsError": "labbook.errors",
    "ExperimentDeletedError": "labbook.errors",
    "ExperimentNotFoundError": "labbook.errors",
    "FailedPreconditionError": "labbook.errors",
    "InternalError": "labbook.errors",
    "InvalidArgumentError": "labbook.errors",
    "InvalidStatusTransitionError": "labbook.errors",
    "LabbookError": "labbook.errors",
    "NotFoundError": "labbook.errors",
    "OutOfRangeError": "labbook.errors",
    "PermissionDeniedError": "labbook.errors",
    "ResourceExhaustedError": "labbook.errors",
    "RunAlreadyExistsError": "labbook.errors",
    "RunDeletedError": "labbook.errors",
    "RunNotFoundError": "labbook.errors",
    "UnauthenticatedError": "labbook.errors",
    "UnavailableError": "labbook.errors",
    "UnimplementedError": "labbook.errors",
    "RunFailedError": "labbook.errors",
    "UploadOffsetMismatchError": "labbook.errors",
    "active_run": "labbook.fluent",
    "end_run": "labbook.fluent",
    "experiment": "labbook.fluent",
    "flush": "labbook.fluent",
    "get_context": "labbook.fluent",
    "load_run": "labbook.fluent",
    "log_metric": "labbook.fluent",
    "log_metrics": "labbook.fluent",
    "log_param": "labbook.fluent",
    "log_params": "labbook.fluent",
    "log_text": "labbook.fluent",
    "search_runs": "labbook.fluent",
    "set_tags": "labbook.fluent",
    "start_run": "labbook.fluent",
    "MetricPoint": "labbook.run",
    "Run": "labbook.run",
    "RunLogger": "labbook.run",
    "Experiment": "labbook._experiment",
    "replay_spool": "labbook._sender",
    "Environment": "labbook._submit",
    "Resources": "labbook._submit",
    "RunConfiguration": "labbook._submit",
    "ScriptRunConfig": "labbook._submit",
    "SubmittedRun": "labbook._submit",
    "SubmittedRunDetails": "labbook._submit",
    "submit": "labbook._submit",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        try:   # a submodule, e.g. labbook.fluent
            return importlib.import_module(f"labbook.{name}")
        except ModuleNotFoundError:
            raise AttributeError(f"module 'labbook' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "Client", "Run", "Experiment", "RunLogger", "MetricPoint", "start_run", "experiment", "active_run", "end_run",
    "ScriptRunConfig", "RunConfiguration", "Environment", "Resources", "SubmittedRun", "SubmittedRunDetails", "submit",
    "get_context", "load_run", "search_runs", "log_metric", "log_metrics", "log_param",
    "log_params", "log_text", "set_tags", "flush", "replay_spool",
    "LabbookError", "InvalidArgumentError", "NotFoundError", "AlreadyExistsError",
    "FailedPreconditionError", "PermissionDeniedError", "UnauthenticatedError",
    "AuthenticationError", "ResourceExhaustedError", "OutOfRangeError", "AbortedError",
    "UnavailableError",
    "DeadlineExceededError", "UnimplementedError", "InternalError",
    "RunNotFoundError", "ExperimentNotFoundError", "RunAlreadyExistsError",
    "ExperimentAlreadyExistsError", "EtagMismatchError", "InvalidStatusTransitionError",
    "RunDeletedError", "ExperimentDeletedError", "UploadOffsetMismatchError", "RunFailedError",
]
