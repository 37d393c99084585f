"""Labbook Python SDK: experiment tracking over gRPC, or offline to a local directory.

    import labbook
    with labbook.start_run(experiment="mnist", name="baseline") as run:
        run.log_parameters({"lr": 0.01})
        for step in range(100):
            run.log_metric("loss", 1 / (step + 1))

See docs/python-sdk.md.
"""
from labbook.client import Client
from labbook.errors import (AbortedError, AlreadyExistsError, AuthenticationError,
                            DeadlineExceededError, EtagMismatchError, ExperimentAlreadyExistsError,
                            ExperimentDeletedError, ExperimentNotFoundError,
                            FailedPreconditionError, InternalError, InvalidArgumentError,
                            InvalidStatusTransitionError, LabbookError, NotFoundError,
                            OutOfRangeError, PermissionDeniedError, ResourceExhaustedError,
                            RunAlreadyExistsError, RunDeletedError, RunNotFoundError,
                            UnauthenticatedError, UnavailableError, UnimplementedError,
                            RunFailedError, UploadOffsetMismatchError)
from labbook.fluent import (active_run, end_run, experiment, flush, get_context, load_run,
                            log_metric, log_metrics, log_param, log_params, log_text, search_runs,
                            set_tags, start_run)
from labbook.run import MetricPoint, Run, RunLogger
from labbook._experiment import Experiment
from labbook._sender import replay_spool
from labbook._submit import (Environment, Resources, RunConfiguration, ScriptRunConfig, SubmittedRun,
                             SubmittedRunDetails, submit)

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
