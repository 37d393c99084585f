"""Scripts submitted as runs (Azure ML's `experiment.submit(ScriptRunConfig)`): the config
classes, `submit()`, and the handle it returns (`SubmittedRun`, a `labbook.Run`).

- `compute_target="local"` (the default): CreateRun QUEUED, then `python -m labbook.runner`
  started detached in `source_directory` with the run's LABBOOK_* variables; the runner starts
  the run, runs the script with the current interpreter and ends the run. Its own console goes
  to `~/.labbook/submissions/<run id>.log` (or `$LABBOOK_SUBMISSIONS_DIR`).
- a server target (ListComputeTargets): the snapshot of `source_directory` (_snapshot.py) is
  built and checked against the target's limit, CreateRun QUEUED, the snapshot uploaded as the
  INPUT artifact `snapshot/source.tar.gz`, then SubmitRun; the server runs it as a Kubernetes
  Job. A failure after CreateRun cancels the QUEUED run before the error is raised.
"""
from __future__ import annotations

import datetime
import logging
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from typing import Any, List, Mapping, Optional, Sequence, Union

import grpc

from labbook import _artifacts, _snapshot
from labbook._values import from_param_value
from labbook.client import SOURCE_ENV, Client, shared_client
from labbook.errors import (FailedPreconditionError, RunFailedError, from_rpc_error,
                            is_retryable)
from labbook.run import Run
from labbook.v1 import log_pb2, run_pb2, submit_pb2

__all__ = ["ScriptRunConfig", "RunConfiguration", "Environment", "Resources", "SubmittedRun", "SubmittedRunDetails", "submit"]

_log = logging.getLogger("labbook")
LOCAL = "local"
SNAPSHOT_PATH = "snapshot/source.tar.gz"
TARGET_TAG = "labbook.compute_target"
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: How long one ReadLogs follow stays open before the run's status is read again.
_FOLLOW_WINDOW_S = 5.0
_ENDED = ("COMPLETED", "FAILED", "CANCELED", "CRASHED")


class Resources:
    """What a server target's pod requests: `cpu` and `memory` as Kubernetes quantities
    ("2", "500m", "4Gi"), `gpu` a count of the target's GPU resource. Not used locally."""

    def __init__(self, cpu: Union[str, int, float, None] = None, memory: Optional[str] = None,
                 gpu: int = 0) -> None:
        self.cpu = "" if cpu is None else str(cpu)
        self.memory = memory or ""
        if isinstance(gpu, bool) or not isinstance(gpu, int) or gpu < 0:
            raise ValueError(f"Resources.gpu={gpu!r}: a whole number >= 0")
        self.gpu = gpu

    def __repr__(self) -> str:
        return f"Resources(cpu={self.cpu!r}, memory={self.memory!r}, gpu={self.gpu})"


class Environment:
    """Azure's `Environment`: a container `image` and `pip_requirements` for a server target (the
    target's default image when None), and environment `variables` of the script (everywhere).
    Locally the script runs with this interpreter: image and pip_requirements are refused."""

    def __init__(self, name: Optional[str] = None, image: Optional[str] = None,
                 pip_requirements: Optional[Sequence[str]] = None,
                 variables: Optional[Mapping[str, Any]] = None) -> None:
        self.name = name
        self.image = image
        if isinstance(pip_requirements, str):
            raise ValueError("Environment.pip_requirements: a list of requirements, e.g. [\"numpy==2.1\"]")
        self.pip_requirements = [str(r) for r in (pip_requirements or [])]
        self.variables = {str(k): str(v) for k, v in (variables or {}).items()}
        for key in self.variables:
            if not _VARIABLE.fullmatch(key) or key.upper().startswith("LABBOOK_"):
                raise ValueError(f"Environment.variables: {key!r} is not a variable name of the form "
                                 "[A-Za-z_][A-Za-z0-9_]* outside LABBOOK_* (the runner's own)")

    @classmethod
    def from_pip_requirements(cls, name: str, file_path: str) -> "Environment":
        """Azure's `Environment.from_pip_requirements(name, file_path)`: the requirements of a
        requirements.txt (comments, blank lines and pip options such as `-r` are left out)."""
        requirements = []
        with open(file_path, encoding="utf-8") as f:
            for line in f:
                line = line.split(" #", 1)[0].strip()
                if line and not line.startswith(("#", "-")):
                    requirements.append(line)
        return cls(name=name, pip_requirements=requirements)

    def __repr__(self) -> str:
        return (f"Environment(name={self.name!r}, image={self.image!r}, "
                f"pip_requirements={self.pip_requirements!r}, variables={sorted(self.variables)!r})")


class RunConfiguration:
    """Azure's `RunConfiguration`: where and how a script runs, shared by several
    `ScriptRunConfig(..., run_config=...)`: `target` ("local" or a server target's name; Azure's
    attribute name), `environment` and `resources`. What a ScriptRunConfig gives itself wins."""

    def __init__(self, environment: Optional[Environment] = None, target: Any = LOCAL,
                 resources: Optional[Resources] = None) -> None:
        self.environment = environment
        self.target = target
        self.resources = resources

    def __repr__(self) -> str:
        return f"RunConfiguration(target={self.target!r}, environment={self.environment!r})"


class ScriptRunConfig:
    """Azure's `ScriptRunConfig`: what to run (`script` in `source_directory` with `arguments`,
    or a whole `command`), where (`compute_target`: "local", the default, or a server target's
    name) and how (`environment`, `resources`); `run_config` (a RunConfiguration) supplies those
    three when not given here. Arguments may be any values: each is passed as `str(value)`,
    unchanged otherwise (argparse in the script sees them as typed)."""

    def __init__(self, source_directory: str = ".", script: Optional[str] = None,
                 arguments: Optional[Sequence[Any]] = None, environment: Optional[Environment] = None,
                 compute_target: Any = None, resources: Optional[Resources] = None,
                 command: Union[str, Sequence[Any], None] = None,
                 run_config: Optional[RunConfiguration] = None) -> None:
        if run_config is not None:
            if not isinstance(run_config, RunConfiguration):
                raise ValueError("ScriptRunConfig.run_config: a labbook.RunConfiguration")
            environment = environment if environment is not None else run_config.environment
            compute_target = compute_target if compute_target is not None else run_config.target
            resources = resources if resources is not None else run_config.resources
        self.run_config = run_config
        self.source_directory = os.fspath(source_directory) if source_directory is not None else "."
        self.script = os.fspath(script) if script is not None else None
        if arguments is not None and isinstance(arguments, (str, bytes)):
            raise ValueError("ScriptRunConfig.arguments: a list, e.g. [\"--epochs\", 3]")
        self.arguments = [str(a) for a in (arguments or [])]
        self.command = (shlex.split(command) if isinstance(command, str)
                        else [str(c) for c in command] if command is not None else None)
        self.environment = environment
        target = getattr(compute_target, "name", compute_target)
        self.compute_target = str(target) if target else LOCAL
        self.resources = resources

    def validate(self) -> None:
        """Checks the fields that do not need the server; ValueError naming the field."""
        if not os.path.isdir(self.source_directory):
            raise ValueError(f"ScriptRunConfig.source_directory={self.source_directory!r}: not a directory")
        if self.environment is not None and not isinstance(self.environment, Environment):
            raise ValueError("ScriptRunConfig.environment: a labbook.Environment")
        if self.resources is not None and not isinstance(self.resources, Resources):
            raise ValueError("ScriptRunConfig.resources: a labbook.Resources")
        if self.command is not None:
            if self.script is not None or self.arguments:
                raise ValueError("ScriptRunConfig: give script= (and arguments=) or command=, not both")
            if not self.command:
                raise ValueError("ScriptRunConfig.command: empty")
            return
        if not self.script:
            raise ValueError("ScriptRunConfig.script: required (the file to run, relative to source_directory)")
        if os.path.isabs(self.script) or ".." in self.script.replace("\\", "/").split("/"):
            raise ValueError(f"ScriptRunConfig.script={self.script!r}: a path relative to source_directory, "
                             "inside it")
        if not os.path.isfile(os.path.join(self.source_directory, self.script)):
            raise ValueError(f"ScriptRunConfig.script={self.script!r}: no such file in source_directory "
                             f"{os.path.abspath(self.source_directory)!r}")

    def script_and_arguments(self) -> "tuple[str, List[str]]":
        """The script and its arguments as SubmitSpec has them: from `command`, a leading
        `python`/`python3` is dropped (a `.py` script runs with Python)."""
        if self.command is None:
            return str(self.script).replace(os.sep, "/"), list(self.arguments)
        command = list(self.command)
        if len(command) > 1 and os.path.basename(command[0]) in ("python", "python3") \
                and command[1].endswith(".py"):
            command = command[1:]
        return command[0], command[1:]

    def __repr__(self) -> str:
        return (f"ScriptRunConfig(source_directory={self.source_directory!r}, script={self.script!r}, "
                f"arguments={self.arguments!r}, compute_target={self.compute_target!r})")


class SubmittedRunDetails(dict):
    """What `wait_for_completion` returns: Azure's details dict — `runId`, `status`
    ("COMPLETED", "FAILED", "CANCELED" or "CRASHED"), `target` (the compute target),
    `startTimeUtc` / `endTimeUtc` (ISO 8601, None when unset) — plus Labbook's `name`,
    `experimentId`, `tags`, `params` (typed) and `runUrl` (the web UI's run page, None without a
    UI). `.run` is the server's whole Run message (`labbook.v1.run_pb2.Run`)."""

    def __init__(self, run: run_pb2.Run, url: Optional[str] = None) -> None:
        super().__init__(
            runId=run.id, name=run.name, experimentId=run.experiment_id, status=_status_name(run.status),
            target=run.tags.get(TARGET_TAG, ""), startTimeUtc=_iso(run.start_time_ms),
            endTimeUtc=_iso(run.end_time_ms), tags=dict(run.tags),
            params={p.key: from_param_value(p.value) for p in run.params}, runUrl=url)
        self.run = run

    @property
    def status(self) -> str:
        return str(self["status"])


def _iso(ms: int) -> Optional[str]:
    if not ms:
        return None
    moment = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


class SubmittedRun(Run):
    """The run of a submission, as `submit()` returns it: attached to the run by id, never
    owning it (the runner sets its status; nothing is set at interpreter exit). Reads as any
    run (`get_metrics()`, `get_file_names()`, `get_details()`, `get_status()`...), and adds
    `wait_for_completion()` and `cancel()`."""

    def __init__(self, client: Client, stored: run_pb2.Run, experiment: str, project: str) -> None:
        super().__init__(experiment=experiment, name=stored.name, project=project, run_id=stored.id,
                         client=client)
        self._sink.run_id = stored.id  # type: ignore[attr-defined]
        self.status = _status_name(stored.status)
        self._runner: Optional[subprocess.Popen] = None
        #: Where the local runner's own console goes (None for a server target).
        self.runner_log: Optional[str] = None
        self._printed = 0  # log offset up to which wait_for_completion printed (a later call goes on)

    def wait_for_completion(self, show_output: bool = True, timeout: Optional[float] = None,
                            raise_on_error: bool = True) -> SubmittedRunDetails:
        """Waits until the run has ended (COMPLETED, FAILED, CANCELED; or CRASHED: its lease
        expired, nobody keeps it alive) and returns its details, Azure's dict
        (`details["status"] == "COMPLETED"`; see SubmittedRunDetails; `.run` is the server's Run
        message). With `show_output` the run's log is printed to `sys.stdout` as it arrives,
        from its first line (a later call goes on after the lines an earlier one printed).
        Raises RunFailedError when the run ended FAILED or CRASHED and `raise_on_error` (its
        message gives the reason the server recorded, e.g. a pod's OOMKilled); TimeoutError
        after `timeout` seconds (the run goes on)."""
        assert self.client is not None
        client = self.client
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            stored = client.get_run(self.id)
            ended = _status_name(stored.status) in _ENDED
            left = None if deadline is None else deadline - time.monotonic()
            if show_output:
                window = _FOLLOW_WINDOW_S if left is None else max(0.0, min(_FOLLOW_WINDOW_S, left))
                self._printed = self._print_logs(self._printed, follow=not ended, timeout=window)
            elif not ended:
                self._watch(_FOLLOW_WINDOW_S if left is None else max(0.0, min(_FOLLOW_WINDOW_S, left)))
            if ended:
                break
            if deadline is not None and time.monotonic() >= deadline:
                self.status = _status_name(client.get_run(self.id).status)
                if self.status not in _ENDED:
                    raise TimeoutError(f"run {self.id} ({self.name}) is still {self.status} after "
                                       f"{timeout} s; it goes on (run.cancel() stops it)")
        self.status = _status_name(stored.status)
        if raise_on_error and self.status in ("FAILED", "CRASHED"):
            history = client.call("runs", "GetRun", run_pb2.GetRunRequest(run_id=self.id)).status_history
            change = history[-1] if history else None
            # a plain FinishRun (the script's exit code) says nothing more than the status
            why = (": ".join(t for t in (change.reason, change.message) if t)
                   if change is not None and (change.message or change.reason != "finish") else "")
            raise RunFailedError(f"run {self.id} ({self.name}) ended {self.status}"
                                 + (f" ({why})" if why else "")
                                 + (f"; the local runner's console: {self.runner_log}" if self.runner_log else ""),
                                 run=stored, status=self.status)
        try:
            url = client.run_url(self.id)
        except Exception:  # the link is a convenience; the outcome is what was waited for
            url = None
        return SubmittedRunDetails(stored, url)

    def _print_logs(self, offset: int, follow: bool, timeout: float) -> int:
        """Prints the log from `offset` (following it for up to `timeout` seconds); returns the
        offset after the last line printed."""
        assert self.client is not None
        request = log_pb2.ReadLogsRequest(run_id=self.id, start_offset=offset, follow=follow)
        try:
            for piece in self.client.stub("logs").ReadLogs(request, timeout=max(timeout, 0.05) if follow else 60):
                out = sys.stdout  # read per batch: notebooks replace it
                for line in piece.lines:
                    out.write(line.text + "\n")
                    offset = line.offset + 1
                out.flush()
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED and not is_retryable(error):
                raise from_rpc_error(error) from error
            if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
                time.sleep(0.5)
        return offset

    def _watch(self, timeout: float) -> None:
        """WatchRun for up to `timeout` seconds, until the run has ended."""
        assert self.client is not None
        try:
            for change in self.client.stub("runs").WatchRun(run_pb2.WatchRunRequest(run_id=self.id),
                                                            timeout=max(timeout, 0.05)):
                if _status_name(change.run.status) in _ENDED:
                    return
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED and not is_retryable(error):
                raise from_rpc_error(error) from error
            if error.code() != grpc.StatusCode.DEADLINE_EXCEEDED:
                time.sleep(0.5)

    def cancel(self) -> None:  # type: ignore[override]
        """CancelRun: a QUEUED or RUNNING run ends CANCELED (again: a no-op; a run that ended
        COMPLETED or FAILED: InvalidStatusTransitionError). The local runner sees it and stops the
        script (SIGTERM, SIGKILL after 10 s); for a server target the server deletes the Job."""
        assert self.client is not None
        self.status = _status_name(self.client.cancel_run(self.id).status)

    def close(self, status: Optional[str] = "COMPLETED", timeout: Optional[float] = 60.0) -> None:
        """A submitted run is ended by its runner, not by this handle (cancel() cancels it)."""
        if status not in (None, "CANCELED"):
            raise RuntimeError(f"run {self.id} was submitted: its runner sets its status (run.cancel() "
                               "cancels it)")
        if status == "CANCELED":
            self.cancel()


def _status_name(status: int) -> str:
    return run_pb2.RunStatus.Name(status).replace("RUN_STATUS_", "")


def _git(directory: str, *args: str) -> str:
    try:
        out = subprocess.run(["git", "-C", directory, *args], capture_output=True, text=True, timeout=3,
                             check=False)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def _source(directory: str, script: str, arguments: List[str]) -> run_pb2.SourceInfo:
    commit = _git(directory, "rev-parse", "HEAD")
    dirty = bool(commit) and bool(_git(directory, "status", "--porcelain", "--untracked-files=no"))
    return run_pb2.SourceInfo(script=script, args=arguments, git_commit=commit, git_dirty=dirty,
                              host=socket.gethostname(), working_dir=os.path.abspath(directory))


def _resolve_client(client: Optional[Client]) -> Client:
    if client is not None:
        return client
    uri = os.environ.get("LABBOOK_TRACKING_URI")
    if not uri:
        raise ValueError("submit needs a server: pass a labbook.Client (Experiment(workspace=...)) or set "
                         "LABBOOK_TRACKING_URI")
    return shared_client(uri, None, SOURCE_ENV)


def submissions_dir() -> str:
    return os.environ.get("LABBOOK_SUBMISSIONS_DIR") or os.path.join(os.path.expanduser("~"), ".labbook",
                                                                      "submissions")


def submit(config: ScriptRunConfig, experiment: Any = None, *, tags: Optional[Mapping[str, Any]] = None,
           name: Optional[str] = None, description: Optional[str] = None, project: Optional[str] = None,
           client: Optional[Client] = None) -> SubmittedRun:
    """Submits `config` as a new run of `experiment` (a name or a labbook.Experiment; default
    LABBOOK_EXPERIMENT, else "default") and returns its handle at once (QUEUED: the runner
    starts it). See the module doc for the local and server targets."""
    if not isinstance(config, ScriptRunConfig):
        raise TypeError(f"submit: a labbook.ScriptRunConfig, not {type(config).__name__}")
    if experiment is not None and not isinstance(experiment, str):  # a labbook.Experiment
        if client is None:
            client = experiment._client()
            if client is None:
                raise ValueError(f"{experiment!r} has no server: submit needs one (Experiment(workspace=...) "
                                 "or LABBOOK_TRACKING_URI)")
        project = project or experiment.project
        experiment = experiment.name
    experiment = experiment or os.environ.get("LABBOOK_EXPERIMENT") or "default"
    project = project or os.environ.get("LABBOOK_PROJECT") or "default"
    config.validate()
    client = _resolve_client(client)
    if config.compute_target == LOCAL:
        return _submit_local(client, config, experiment, project, tags, name, description)
    return _submit_to_server(client, config, experiment, project, tags, name, description)


def _create_queued(client: Client, config: ScriptRunConfig, experiment: str, project: str,
                   tags: Optional[Mapping[str, Any]], name: Optional[str], description: Optional[str],
                   script: str, arguments: List[str]) -> run_pb2.Run:
    exp = client.create_experiment(experiment, project, return_existing=True)
    all_tags = {str(k): str(v) for k, v in (tags or {}).items()}
    all_tags[TARGET_TAG] = config.compute_target
    return client.create_run(experiment_id=exp.id, name=name or f"run-{uuid.uuid4().hex[:12]}",
                             description=description or "", tags=all_tags, queued=True,
                             source=_source(config.source_directory, script, arguments))


def _cancel_quietly(client: Client, run_id: str) -> None:
    try:
        client.cancel_run(run_id)
    except Exception as error:  # the original error is what the caller needs
        _log.warning("labbook: could not cancel the QUEUED run %s: %s", run_id, error)


# -- local --------------------------------------------------------------------------------------
def _submit_local(client: Client, config: ScriptRunConfig, experiment: str, project: str,
                  tags: Optional[Mapping[str, Any]], name: Optional[str],
                  description: Optional[str]) -> SubmittedRun:
    env_config = config.environment or Environment()
    if env_config.image:
        raise ValueError("Environment.image: the local target runs the script with this interpreter "
                         f"({sys.executable}), not in an image; submit to a server target for images")
    if env_config.pip_requirements:
        raise ValueError("Environment.pip_requirements: the local target runs the script with this "
                         f"interpreter ({sys.executable}) as it is; install them here first")
    if config.resources is not None:
        _log.warning("labbook: resources are requested from server targets only; the local run ignores %r",
                     config.resources)
    script, arguments = config.script_and_arguments()  # as the run's source info records them
    if config.command is not None:
        command = list(config.command)
        if os.path.basename(command[0]) in ("python", "python3"):
            command[0] = sys.executable
    else:
        command = ([sys.executable, script] if script.endswith(".py")
                   else [os.path.join(".", script)]) + arguments
    stored = _create_queued(client, config, experiment, project, tags, name, description, script, arguments)
    try:
        handle = SubmittedRun(client, stored, experiment, project)
        env = dict(os.environ)
        env.update(env_config.variables)
        env.update(LABBOOK_TRACKING_URI=client.display_target, LABBOOK_PROJECT=project,
                   LABBOOK_EXPERIMENT=experiment, LABBOOK_RUN_ID=stored.id, LABBOOK_RUN_NAME=stored.name)
        explicit = client.credentials._explicit  # a token given in code reaches the runner too
        if explicit:
            env["LABBOOK_TOKEN"] = explicit
        folder = submissions_dir()
        os.makedirs(folder, exist_ok=True)
        handle.runner_log = os.path.join(folder, f"{stored.id}.log")
        with open(handle.runner_log, "ab") as console:
            handle._runner = subprocess.Popen(
                [sys.executable, "-m", "labbook.runner", "--", *command], cwd=config.source_directory,
                env=env, stdin=subprocess.DEVNULL, stdout=console, stderr=subprocess.STDOUT,
                start_new_session=True)
        # reaps the runner when it ends (no zombie while this process lives)
        threading.Thread(target=handle._runner.wait, daemon=True, name="labbook-runner-reaper").start()
        return handle
    except BaseException:
        _cancel_quietly(client, stored.id)
        raise


# -- server targets ---------------------------------------------------------------------------
def list_compute_targets(client: Client) -> List[submit_pb2.ComputeTarget]:
    """The server's targets; none from a server without SubmitService (UNIMPLEMENTED)."""
    return client.list_compute_targets()


def _find_target(client: Client, config: ScriptRunConfig, project: str) -> submit_pb2.ComputeTarget:
    targets = list_compute_targets(client)
    for target in targets:
        if target.name == config.compute_target:
            if target.projects and project not in target.projects:
                raise FailedPreconditionError(
                    f"compute_target {target.name!r} is open to projects {', '.join(target.projects)} only, "
                    f"not to {project!r}", field="compute_target", reason="COMPUTE_TARGET_UNKNOWN")
            return target
    known = ", ".join([LOCAL] + [t.name for t in targets])
    raise FailedPreconditionError(
        f"compute_target {config.compute_target!r}: the server at {client.display_target} has no such target; "
        f"known: {known}", field="compute_target", reason="COMPUTE_TARGET_UNKNOWN")


def _spec(config: ScriptRunConfig, script: str, arguments: List[str]) -> submit_pb2.SubmitSpec:
    env = config.environment or Environment()
    resources = config.resources or Resources()
    return submit_pb2.SubmitSpec(
        compute_target=config.compute_target, script=script, arguments=arguments,
        snapshot_path=SNAPSHOT_PATH,
        environment=submit_pb2.SubmitEnvironment(image=env.image or "", pip_requirements=env.pip_requirements,
                                                 variables=env.variables),
        resources=submit_pb2.SubmitResources(cpu=resources.cpu, memory=resources.memory, gpu=resources.gpu))


def _submit_to_server(client: Client, config: ScriptRunConfig, experiment: str, project: str,
                      tags: Optional[Mapping[str, Any]], name: Optional[str],
                      description: Optional[str]) -> SubmittedRun:
    target = _find_target(client, config, project)
    if config.resources is not None and config.resources.gpu and not target.gpu_resource:
        raise ValueError(f"Resources.gpu={config.resources.gpu}: compute target {target.name!r} has no GPUs")
    script, arguments = config.script_and_arguments()
    with tempfile.TemporaryDirectory(prefix="labbook-submit-") as tmp:
        archive = os.path.join(tmp, "source.tar.gz")
        # built (and refused when too large) before the run exists: nothing to clean up then
        _snapshot.build_snapshot(config.source_directory, archive, target.max_snapshot_bytes or None,
                                 target.name)
        stored = _create_queued(client, config, experiment, project, tags, name, description, script,
                                arguments)
        try:
            _artifacts.upload(client, stored.id, SNAPSHOT_PATH, archive, is_output=False,
                              media_type="application/gzip")
            response = client.call("submit", "SubmitRun", submit_pb2.SubmitRunRequest(
                run_id=stored.id, spec=_spec(config, script, arguments)))
        except BaseException:
            _cancel_quietly(client, stored.id)
            raise
    return SubmittedRun(client, response.run if response.run.id else stored, experiment, project)

