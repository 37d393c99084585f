"""The explicit client: one gRPC channel to a Labbook server and typed calls over it.

Tests and threads use it directly; the fluent functions (`labbook.start_run`, ...) sit on top.
Every call turns gRPC errors into `labbook.errors` types and retries UNAVAILABLE / ABORTED with
jittered backoff.
"""
from __future__ import annotations

import os
import threading
import time
import uuid
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import quote

import grpc

from labbook import _forksafe, _lifecycle
from labbook._credentials import AuthNotice, BearerTokenInterceptor, Credentials
from labbook._target import (DEFAULT_PORT, SOURCE_CODE, SOURCE_DEFAULT, SOURCE_ENV,  # noqa: F401
                             UI_PORT, _connection_hint, parse_target)  # (re-exported names)
from labbook._retry import CONNECT_WINDOW_S, RETRY_WINDOW_S, Backoff, call_with_retry
from labbook.errors import (RETRYABLE_CODES, LabbookError, UnavailableError, UnimplementedError, error_details,
                            from_rpc_error, is_retryable)
from labbook.v1 import (access_pb2, access_pb2_grpc, artifact_pb2, artifact_pb2_grpc,
                        experiment_pb2, experiment_pb2_grpc, log_pb2, log_pb2_grpc, metric_pb2,
                        metric_pb2_grpc, project_pb2, project_pb2_grpc, run_pb2, run_pb2_grpc,
                        server_pb2, server_pb2_grpc, submit_pb2, submit_pb2_grpc)

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
# Server streams that resume from a cursor or byte count: a deadline (e.g. from a proxy) is as
# transient as a lost connection.
STREAM_RETRYABLE = RETRYABLE_CODES | {grpc.StatusCode.DEADLINE_EXCEEDED}


class Client:
    """A connection to one Labbook server, e.g. `labbook.Client("localhost:7800")`.

    Every call carries `authorization: Bearer <token>` when a token is found: `token=`, else env
    `LABBOOK_TOKEN`, else the file named by `LABBOOK_TOKEN_FILE` (re-read when it changes), else
    the server's section of `~/.labbook/credentials` (see docs/python-sdk.md, Authentication).

    Thread-safe. After `os.fork()` the child builds its own channel on first use (gRPC channels
    must not cross a fork).
    """

    def __init__(self, target: Optional[str] = None, *, secure: Optional[bool] = None,
                 retry_deadline_s: float = RETRY_WINDOW_S, token: Optional[str] = None,
                 target_source: Optional[str] = None) -> None:
        #: Where the target came from (e.g. "env LABBOOK_TRACKING_URI"), as connection errors say.
        self.target_source = target_source or (SOURCE_CODE if target else SOURCE_DEFAULT)
        self.target, parsed_secure = parse_target(target or f"localhost:{DEFAULT_PORT}", self.target_source)
        self.secure = parsed_secure if secure is None else secure
        self.retry_deadline_s = retry_deadline_s
        #: Whether the server has answered a call of this client yet: until it has, synchronous
        #: calls retry for CONNECT_WINDOW_S only (a wrong target or a stopped server fails fast).
        self.reached = False
        #: Where each call's token comes from (`credentials.current()`: the token and its source).
        self.credentials = Credentials(self.target, token)
        #: Warns once when background work is refused for credentials.
        self.auth_notice = AuthNotice()
        self._lock = _forksafe.lock()   # a forked child builds its own channel under it
        self._pid = -1
        self._channel: Optional[grpc.Channel] = None
        self._server_info: Optional[server_pb2.ServerInfo] = None

    # -- channel and stubs ------------------------------------------------------------------
    def _connect(self) -> None:
        with self._lock:
            if self._pid == os.getpid() and self._channel is not None:
                return
            options = [("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                       ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                       ("grpc.enable_retries", 0)]
            if self.secure:
                raw = grpc.secure_channel(self.target, grpc.ssl_channel_credentials(), options)
            else:
                raw = grpc.insecure_channel(self.target, options)
            channel = grpc.intercept_channel(raw, BearerTokenInterceptor(self.credentials))
            self.access = access_pb2_grpc.AccessServiceStub(channel)
            self.runs = run_pb2_grpc.RunServiceStub(channel)
            self.experiments = experiment_pb2_grpc.ExperimentServiceStub(channel)
            self.metrics = metric_pb2_grpc.MetricServiceStub(channel)
            self.logs = log_pb2_grpc.LogServiceStub(channel)
            self.artifacts = artifact_pb2_grpc.ArtifactServiceStub(channel)
            self.projects = project_pb2_grpc.ProjectServiceStub(channel)
            self.server = server_pb2_grpc.ServerServiceStub(channel)
            self.submit = submit_pb2_grpc.SubmitServiceStub(channel)
            self._channel = raw
            self._pid = os.getpid()

    def stub(self, name: str) -> Any:
        """The generated stub `runs`, `experiments`, `metrics`, `logs`, `artifacts`, `projects`,
        `server`, `submit` or `access` (its calls carry the token too)."""
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

    def __repr__(self) -> str:
        return f"Client({self.target!r}, secure={self.secure}, credentials={self.credentials!r})"

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def call(self, service: str, method: str, request: Any, *, retry: bool = True,
             timeout: Optional[float] = 60.0) -> Any:
        """Calls a unary RPC with typed errors (and retries, unless `retry=False`)."""
        def once() -> Any:
            try:
                response = getattr(self.stub(service), method)(request, timeout=timeout)
            except grpc.RpcError as error:
                self._note_failure(error)
                raise
            self.reached = True
            return response
        try:
            return call_with_retry(once, deadline_s=self.retry_deadline_s if retry else 0.0,
                                   window_s=self._retry_window)
        except UnavailableError as error:
            raise self.explain(error)

    @property
    def display_target(self) -> str:
        """The target as given to connection errors: `host:port`, or `grpcs://host:port`."""
        return f"grpcs://{self.target}" if self.secure else self.target

    def _retry_window(self) -> float:
        return RETRY_WINDOW_S if self.reached else CONNECT_WINDOW_S

    def _note_failure(self, error: grpc.RpcError) -> None:
        """A failure that came from the server (not from the connection) shows it is there."""
        code = error.code() if hasattr(error, "code") else None
        if code not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                        grpc.StatusCode.CANCELLED) or error_details(error).reason:
            self.reached = True

    def explain(self, error: LabbookError) -> LabbookError:
        """A connection failure (UNAVAILABLE without a server's reason) made to name the target,
        where it came from and a hint: a TLS/plaintext mismatch, the UI's port, or where to set
        the address. Returns the same error object."""
        if not isinstance(error, UnavailableError) or error.reason or getattr(error, "_explained", False):
            return error
        failure = error.message[len("UNAVAILABLE: "):] if error.message.startswith("UNAVAILABLE: ") \
            else error.message
        hint = _connection_hint(failure, self.target, self.secure)
        text = (f"cannot reach the Labbook server at {self.display_target} (target from "
                f"{self.target_source}): {failure}. {hint}")
        error.args = (text,)
        error.message = text
        error.hint = hint
        error._explained = True  # type: ignore[attr-defined]
        return error

    # -- server and links to its web UI -----------------------------------------------------
    def server_info(self) -> server_pb2.ServerInfo:
        """The server's version and web UI base URL (`GetServerInfo`), asked once per client:
        they do not change while the server runs (a failed call is not kept)."""
        info = self._server_info
        if info is None:
            info = self.call("server", "GetServerInfo", server_pb2.GetServerInfoRequest()).server_info
            self._server_info = info
        return info

    def public_url(self) -> Optional[str]:
        """The web UI's base URL without a trailing slash; None when the server has no UI (its
        HTTP port is off and no `--public-url` is set)."""
        return self.server_info().public_url.rstrip("/") or None

    def run_url(self, run_id: str) -> Optional[str]:
        """The run page `<public_url>/runs/<run_id>`, or None without a UI."""
        base = self.public_url()
        return f"{base}/runs/{quote(run_id, safe='')}" if base else None

    def experiment_url(self, experiment_id: str) -> Optional[str]:
        """The experiment's runs table `<public_url>/experiments/<id>/runs`, or None without a UI."""
        base = self.public_url()
        return f"{base}/experiments/{quote(experiment_id, safe='')}/runs" if base else None

    # -- identity, tokens and the audit log ---------------------------------------------------
    def get_caller(self) -> access_pb2.Caller:
        """Who this client's credentials name and their roles (`GetCaller`): `principal`,
        `method`, `roles`, `expire_time_ms`, `auth_enabled`, `token_id`. UnauthenticatedError
        when the server does not accept them."""
        return self.call("access", "GetCaller", access_pb2.GetCallerRequest()).caller

    def create_token(self, name: str, project: str, role: Union[str, int], *,
                     ttl_seconds: int = 0) -> access_pb2.CreateTokenResponse:
        """An API token with `role` ("viewer", "editor", "admin") in `project` (`*`: every
        project); the response's `secret` is shown this once. Sent once, not retried."""
        return self.call("access", "CreateToken", access_pb2.CreateTokenRequest(
            name=name, project=project or "", role=access_role(role), ttl_seconds=int(ttl_seconds)),
            retry=False)

    def list_tokens(self, project: str = "", *, show_inactive: bool = False) -> Iterator[access_pb2.Token]:
        """The tokens of the projects the caller administers (or of `project`), newest first,
        following the pages; revoked and expired ones only with `show_inactive`."""
        page = ""
        while True:
            response = self.call("access", "ListTokens", access_pb2.ListTokensRequest(
                project=project or "", show_inactive=show_inactive, page_size=1000, page_token=page))
            yield from response.tokens
            page = response.next_page_token
            if not page:
                return

    def revoke_token(self, token_id: str) -> access_pb2.Token:
        """Revokes a token: within 10 s no server replica accepts it any more."""
        return self.call("access", "RevokeToken", access_pb2.RevokeTokenRequest(token_id=token_id)).token

    def list_audit_events(self, project: str = "", principal: str = "", *,
                          limit: int = 100) -> List[access_pb2.AuditEvent]:
        """The newest `limit` audit events (0: all) of `project` / `principal`, newest first."""
        out: List[access_pb2.AuditEvent] = []
        page = ""
        while True:
            size = min(1000, limit - len(out)) if limit > 0 else 1000
            response = self.call("access", "ListAuditEvents", access_pb2.ListAuditEventsRequest(
                project=project or "", principal=principal or "", page_size=size, page_token=page))
            out.extend(response.events)
            page = response.next_page_token
            if not page or (limit > 0 and len(out) >= limit):
                return out[:limit] if limit > 0 else out

    # -- runs -------------------------------------------------------------------------------
    def start_run(self, experiment: Optional[str] = None, name: Optional[str] = None, **options: Any) -> Any:
        """Opens (or resumes) a run on this client's server as a `labbook.Run`, not touching the
        fluent active-run stack: `with client.start_run("mnist", "baseline") as run: ...`.
        Options are those of `labbook.Run` (`resume="allow"|"never"|"must"`, tags=, params=,
        ...). (The StartRun RPC, QUEUED -> RUNNING, is `start_queued_run`.)"""
        return _lifecycle.new_run(experiment, name, client=self, **options).open()

    def open_run(self, *, experiment: str = "", experiment_id: str = "", project: str = "",
                 name: str = "", resume: Union[str, int] = "allow",
                 create_experiment_if_missing: bool = True, description: str = "",
                 tags: Optional[Mapping[str, str]] = None, params: Optional[Mapping[str, Any]] = None,
                 parent_run_id: str = "", source: Optional[run_pb2.SourceInfo] = None,
                 start_time_ms: Optional[int] = None) -> run_pb2.OpenRunResponse:
        """OpenRun: the upsert by name. Creates the run, or resumes an existing one of that name
        as `resume` allows ("allow": either; "never": ALREADY_EXISTS when the name is taken;
        "must": NOT_FOUND when it is not). The experiment is `experiment_id`, or `project` +
        `experiment` (created when missing unless `create_experiment_if_missing=False`).
        Retried on UNAVAILABLE/ABORTED: safe with "allow" and "must" (a retry resumes the run the
        lost call made), not with "never" (use create_run with a request id). `start_time_ms`
        is the start of a run this call creates (e.g. uploaded from elsewhere; ignored on resume;
        not before 1970 nor in the future)."""
        from labbook._values import to_param_value

        request = run_pb2.OpenRunRequest(
            experiment_id=experiment_id, project=project or "",
            experiment_name="" if experiment_id else (experiment or ""),
            create_experiment_if_missing=create_experiment_if_missing and not experiment_id,
            name=name or "", resume=resume_policy(resume), description=description or "",
            tags={str(k): str(v) for k, v in (tags or {}).items()}, parent_run_id=parent_run_id,
            params=[run_pb2.Param(key=str(k), value=to_param_value(v)) for k, v in (params or {}).items()])
        if source is not None:
            request.source.CopyFrom(source)
        if start_time_ms is not None:
            request.start_time_ms = int(start_time_ms)
        return self.call("runs", "OpenRun", request)

    def create_run(self, *, experiment_id: str, name: str = "", description: str = "",
                   tags: Optional[Mapping[str, str]] = None, params: Optional[Mapping[str, Any]] = None,
                   parent_run_id: str = "", source: Optional[run_pb2.SourceInfo] = None,
                   queued: bool = False, request_id: Optional[str] = None) -> run_pb2.Run:
        """CreateRun: only creates (RunAlreadyExistsError when the name is taken); QUEUED with
        `queued=True`. A request id (a fresh UUID unless given) makes the retries safe: a retry
        after a lost answer returns the run the first call created."""
        from labbook._values import to_param_value

        request = run_pb2.CreateRunRequest(
            experiment_id=experiment_id, name=name or "", description=description or "",
            tags={str(k): str(v) for k, v in (tags or {}).items()}, parent_run_id=parent_run_id,
            params=[run_pb2.Param(key=str(k), value=to_param_value(v)) for k, v in (params or {}).items()],
            initial_status=run_pb2.RUN_STATUS_QUEUED if queued else run_pb2.RUN_STATUS_RUNNING,
            request_id=request_id if request_id is not None else str(uuid.uuid4()))
        if source is not None:
            request.source.CopyFrom(source)
        return self.call("runs", "CreateRun", request).run

    def get_run(self, run_id: Optional[str] = None, *, experiment: Optional[str] = None,
                name: Optional[str] = None, experiment_id: Optional[str] = None,
                project: str = "") -> run_pb2.Run:
        """A run by id, or by experiment (`experiment_id`, or `project` + `experiment` name) and
        run `name`. Read-only: never creates or resumes anything (RunNotFoundError,
        ExperimentNotFoundError)."""
        if run_id:
            request = run_pb2.GetRunRequest(run_id=run_id)
        else:
            request = run_pb2.GetRunRequest(
                experiment_id=experiment_id or "", project=project or "",
                experiment_name="" if experiment_id else (experiment or ""), run_name=name or "")
        return self.call("runs", "GetRun", request).run

    def update_run(self, run_id: str, *, name: Optional[str] = None,
                   description: Optional[str] = None, etag: str = "") -> run_pb2.Run:
        """Renames a run and/or changes its description (only the fields given). With `etag`
        (from a Run you read) the change applies only if nobody changed the run since:
        EtagMismatchError otherwise. Status changes go through finish_run, cancel_run, ..."""
        request = run_pb2.UpdateRunRequest(run_id=run_id, etag=etag or "")
        if name is not None:
            request.update_mask.paths.append("name")
            request.name = name
        if description is not None:
            request.update_mask.paths.append("description")
            request.description = description
        if not request.update_mask.paths:
            raise ValueError("update_run: give name= and/or description=")
        return self.call("runs", "UpdateRun", request).run

    def start_queued_run(self, run_id: str) -> run_pb2.Run:
        """StartRun: a QUEUED run becomes RUNNING (a RUNNING one is returned unchanged)."""
        return self.call("runs", "StartRun", run_pb2.StartRunRequest(run_id=run_id)).run

    def finish_run(self, run_id: str, status: Union[str, int] = "COMPLETED", *,
                   end_time_ms: Optional[int] = None) -> run_pb2.Run:
        """FinishRun: COMPLETED or FAILED, ending now (or at `end_time_ms`). Finishing again with
        the same status is a no-op; another is InvalidStatusTransitionError."""
        request = run_pb2.FinishRunRequest(run_id=run_id, status=run_status(status))
        if end_time_ms is not None:
            request.end_time_ms = int(end_time_ms)
        return self.call("runs", "FinishRun", request).run

    def cancel_run(self, run_id: str, *, end_time_ms: Optional[int] = None) -> run_pb2.Run:
        """CancelRun: a QUEUED, RUNNING or CRASHED run becomes CANCELED (again: no-op), ending now (or at
        `end_time_ms`, not before its start)."""
        request = run_pb2.CancelRunRequest(run_id=run_id)
        if end_time_ms is not None:
            request.end_time_ms = int(end_time_ms)
        return self.call("runs", "CancelRun", request).run

    def resume_run(self, run_id: str) -> run_pb2.Run:
        """ResumeRun: a finished or CRASHED run becomes RUNNING again (recorded in its status
        history)."""
        return self.call("runs", "ResumeRun", run_pb2.ResumeRunRequest(run_id=run_id)).run

    def renew_run_lease(self, run_id: str) -> run_pb2.RenewRunLeaseResponse:
        """RenewRunLease, the heartbeat: a RUNNING run's lease expires a server lease from now, a
        CRASHED run is RUNNING again; a QUEUED or finished run is left alone. An open `Run`
        renews its lease by itself in the background."""
        return self.call("runs", "RenewRunLease", run_pb2.RenewRunLeaseRequest(run_id=run_id))

    def set_tags(self, run_id: str, tags: Mapping[str, str],
                 remove_keys: Sequence[str] = ()) -> Dict[str, str]:
        response = self.call("runs", "SetRunTags", run_pb2.SetRunTagsRequest(
            run_id=run_id, tags={str(k): str(v) for k, v in tags.items()}, remove_keys=list(remove_keys)))
        return dict(response.tags)

    def delete_run(self, run_id: str) -> run_pb2.Run:
        """DeleteRun: soft-deletes the run (hidden from lists and searches until restored or
        purged); returns it with `deleted` set."""
        return self.call("runs", "DeleteRun", run_pb2.DeleteRunRequest(run_id=run_id)).run

    def restore_run(self, run_id: str) -> run_pb2.Run:
        """RestoreRun: a soft-deleted run becomes active again."""
        return self.call("runs", "RestoreRun", run_pb2.RestoreRunRequest(run_id=run_id)).run

    def purge_run(self, run_id: str) -> int:
        """PurgeRun: removes a soft-deleted run and its child runs for good (params, metrics, logs,
        tables, artifacts); returns how many runs were removed. An active run is
        FailedPreconditionError (delete it first). Not retried: a retry after a lost answer would
        find nothing to purge."""
        return self.call("runs", "PurgeRun", run_pb2.PurgeRunRequest(run_id=run_id), retry=False).purged_runs

    def rename_run(self, run_id: str, name: str) -> run_pb2.Run:
        """Renames a run (update_run with name=)."""
        return self.update_run(run_id, name=name)

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

    # -- experiments and projects -----------------------------------------------------------
    def create_experiment(self, name: str, project: str = "", *, description: str = "",
                          folder: str = "", tags: Optional[Mapping[str, str]] = None,
                          return_existing: bool = False) -> experiment_pb2.Experiment:
        """CreateExperiment; with `return_existing` an active experiment of that name is
        returned as it is (upsert by name)."""
        return self.call("experiments", "CreateExperiment", experiment_pb2.CreateExperimentRequest(
            project=project or "", name=name, description=description or "", folder=folder or "",
            tags={str(k): str(v) for k, v in (tags or {}).items()},
            return_existing=return_existing)).experiment

    def get_experiment(self, name: Optional[str] = None, project: str = "", *,
                       experiment_id: Optional[str] = None) -> experiment_pb2.Experiment:
        """An experiment by `project` + `name` (case-insensitive), or by `experiment_id`."""
        request = (experiment_pb2.GetExperimentRequest(experiment_id=experiment_id) if experiment_id
                   else experiment_pb2.GetExperimentRequest(project=project or "", name=name or ""))
        return self.call("experiments", "GetExperiment", request).experiment

    def update_experiment(self, experiment_id: str, *, name: Optional[str] = None,
                          description: Optional[str] = None, folder: Optional[str] = None,
                          tags: Optional[Mapping[str, str]] = None,
                          etag: str = "") -> experiment_pb2.Experiment:
        """Changes the fields given (`tags` replaces them all; set_experiment_tags merges); with
        `etag`, only if the experiment is unchanged since it was read (EtagMismatchError)."""
        request = experiment_pb2.UpdateExperimentRequest(experiment_id=experiment_id, etag=etag or "")
        for path, value in (("name", name), ("description", description), ("folder", folder)):
            if value is not None:
                request.update_mask.paths.append(path)
                setattr(request, path, value)
        if tags is not None:
            request.update_mask.paths.append("tags")
            request.tags.update({str(k): str(v) for k, v in tags.items()})
        if not request.update_mask.paths:
            raise ValueError("update_experiment: give at least one of name, description, folder, tags")
        return self.call("experiments", "UpdateExperiment", request).experiment

    def set_experiment_tags(self, experiment_id: str, tags: Mapping[str, Any],
                            remove_keys: Sequence[str] = ()) -> Dict[str, str]:
        """Adds or overwrites tags, removes `remove_keys`; returns all the experiment's tags."""
        response = self.call("experiments", "SetExperimentTags", experiment_pb2.SetExperimentTagsRequest(
            experiment_id=experiment_id, tags={str(k): str(v) for k, v in tags.items()},
            remove_keys=list(remove_keys)))
        return dict(response.experiment.tags)

    def delete_experiment(self, experiment_id: str) -> experiment_pb2.Experiment:
        """DeleteExperiment: soft-deletes the experiment; it and its runs are hidden until
        restored or purged."""
        return self.call("experiments", "DeleteExperiment",
                         experiment_pb2.DeleteExperimentRequest(experiment_id=experiment_id)).experiment

    def restore_experiment(self, experiment_id: str) -> experiment_pb2.Experiment:
        """RestoreExperiment: a soft-deleted experiment becomes active again."""
        return self.call("experiments", "RestoreExperiment",
                         experiment_pb2.RestoreExperimentRequest(experiment_id=experiment_id)).experiment

    def purge_experiment(self, experiment_id: str) -> int:
        """PurgeExperiment: removes a soft-deleted experiment and all its runs for good; returns
        how many runs were removed. Not retried (see purge_run)."""
        return self.call("experiments", "PurgeExperiment",
                         experiment_pb2.PurgeExperimentRequest(experiment_id=experiment_id),
                         retry=False).purged_runs

    def rename_experiment(self, experiment_id: str, name: str) -> experiment_pb2.Experiment:
        """Renames an experiment (update_experiment with name=)."""
        return self.update_experiment(experiment_id, name=name)

    def list_projects(self, *, page_size: int = 0) -> Iterator[project_pb2.Project]:
        """Every project (sorted by name), following the pages."""
        token = ""
        while True:
            response = self.call("projects", "ListProjects", project_pb2.ListProjectsRequest(
                page_size=page_size, page_token=token))
            yield from response.projects
            token = response.next_page_token
            if not token:
                return

    def list_compute_targets(self) -> List["submit_pb2.ComputeTarget"]:
        """The server's compute targets for `ScriptRunConfig(compute_target=NAME)`, sorted by
        name ("local" is not among them: it is always there); none from a server without them."""
        try:
            return list(self.call("submit", "ListComputeTargets", submit_pb2.ListComputeTargetsRequest()).targets)
        except UnimplementedError:  # a server from before submissions: it has no targets
            return []

    def get_submission(self, run_id: str) -> "submit_pb2.Submission":
        """The submission of a run submitted to a server target: its Job, pod and what the server
        last saw of them (`state`, `message`); NotFoundError for a run not submitted so."""
        return self.call("submit", "GetSubmission", submit_pb2.GetSubmissionRequest(run_id=run_id)).submission

    def get_project(self, project: str = "") -> project_pb2.Project:
        """One project (`default` when empty); NotFoundError when it holds no experiment."""
        return self.call("projects", "GetProject", project_pb2.GetProjectRequest(project=project)).project

    # -- metrics and tables -----------------------------------------------------------------
    def get_writer_state(self, run_id: str, writer_id: str) -> int:
        """The last sequence `writer_id` committed to the run (metric batches, log lines or table
        rows: one counter per writer); 0 when it never committed."""
        return self.call("metrics", "GetWriterState", metric_pb2.GetWriterStateRequest(
            run_id=run_id, writer_id=writer_id), retry=False, timeout=10.0).last_sequence

    def log_metric_batches(self, batches: Iterable[metric_pb2.LogMetricsRequest],
                           timeout: Optional[float] = 120.0) -> metric_pb2.LogMetricsResponse:
        """One LogMetrics stream carrying `batches`; raises grpc.RpcError (the sender decides)."""
        return self.stub("metrics").LogMetrics(iter(batches), timeout=timeout)

    def list_metrics(self, run_id: str, *, key_prefix: str = "",
                     page_size: int = 0) -> List[metric_pb2.MetricSummary]:
        """Summaries of every series of the run (sorted by key; only keys starting with
        `key_prefix` when given), following the pages."""
        out: List[metric_pb2.MetricSummary] = []
        token = ""
        while True:
            response = self.call("metrics", "ListMetrics", metric_pb2.ListMetricsRequest(
                run_id=run_id, key_prefix=key_prefix, page_size=page_size, page_token=token))
            out.extend(response.metrics)
            token = response.next_page_token
            if not token:
                return out

    def get_metric_history(self, run_id: str, key: str, *, max_points: int = 0,
                           start_step: Optional[int] = None, end_step: Optional[int] = None,
                           deadline_s: Optional[float] = None) -> Tuple[List[int], List[int], List[float]]:
        """(steps, timestamps_ms, values) of one series in step order, from `start_step` to
        `end_step` (inclusive; open ends when None), downsampled on the server with
        `max_points`. A stream broken by UNAVAILABLE/ABORTED/DEADLINE_EXCEEDED resumes after
        the last point received (the response cursor), not from the start; the retry budget
        (`deadline_s`, default the client's) renews whenever points arrived."""
        request = metric_pb2.GetMetricHistoryRequest(run_id=run_id, key=key, max_points=max_points)
        if start_step is not None:
            request.start_step = int(start_step)
        if end_step is not None:
            request.end_step = int(end_step)
        budget = self.retry_deadline_s if deadline_s is None else deadline_s
        steps: List[int] = []
        times: List[int] = []
        values: List[float] = []
        cursor, kept = "", 0          # the last cursor received and the points up to it
        backoff = Backoff()
        give_up_at = time.monotonic() + budget
        while True:
            request.page_token = cursor
            try:
                for piece in self.stub("metrics").GetMetricHistory(request, timeout=300):
                    steps.extend(piece.step)
                    times.extend(piece.timestamp_ms)
                    values.extend(piece.value)
                    if piece.next_page_token:
                        cursor, kept = piece.next_page_token, len(steps)
                        give_up_at = time.monotonic() + budget
                        backoff.reset()
                return steps, times, values
            except grpc.RpcError as error:
                delay = backoff.next_delay()
                self._note_failure(error)
                if (error.code() not in STREAM_RETRYABLE and not is_retryable(error)) \
                        or time.monotonic() + delay > give_up_at:
                    raise self.explain(from_rpc_error(error)) from error
                # Points after the cursor (a last message without one, or a downsampled read
                # that has no cursor at all) are read again.
                del steps[kept:], times[kept:], values[kept:]
                time.sleep(delay)

    def batch_get_metric_history(self, run_ids: Sequence[str], keys: Sequence[str], *,
                                 max_points: int = 0, start_step: Optional[int] = None,
                                 end_step: Optional[int] = None
                                 ) -> Dict[Tuple[str, str], Tuple[List[int], List[int], List[float]]]:
        """Many series in one call (charts overlaying runs): {(run_id, key): (steps,
        timestamps_ms, values)} for each key of each run that has it, in request order, each
        downsampled to about `max_points` (0: the server's 1000)."""
        request = metric_pb2.BatchGetMetricHistoryRequest(
            run_ids=list(run_ids), keys=list(keys), max_points=max_points)
        if start_step is not None:
            request.start_step = int(start_step)
        if end_step is not None:
            request.end_step = int(end_step)
        response = self.call("metrics", "BatchGetMetricHistory", request)
        return {(s.run_id, s.key): (list(s.step), list(s.timestamp_ms), list(s.value))
                for s in response.series}

    def append_table_rows(self, run_id: str, table: str, rows: Sequence[metric_pb2.TableRow], *,
                          writer_id: str = "", sequence: int = 0) -> metric_pb2.AppendTableRowsResponse:
        """AppendTableRows. With a writer id and sequence the call is retried after
        UNAVAILABLE/ABORTED (a resent sequence the server committed is acknowledged with
        `duplicate`, not stored twice); without them it is sent once."""
        return self.call("metrics", "AppendTableRows", metric_pb2.AppendTableRowsRequest(
            run_id=run_id, table=table, rows=rows, writer_id=writer_id, sequence=sequence),
            retry=bool(writer_id))

    def list_tables(self, run_id: str, *, page_size: int = 0) -> List[metric_pb2.TableInfo]:
        """Every table of the run (name, row_count, columns), sorted by name, following pages."""
        out: List[metric_pb2.TableInfo] = []
        token = ""
        while True:
            response = self.call("metrics", "ListTables", metric_pb2.ListTablesRequest(
                run_id=run_id, page_size=page_size, page_token=token))
            out.extend(response.tables)
            token = response.next_page_token
            if not token:
                return out

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
    def append_log_lines(self, run_id: str, lines: Sequence[log_pb2.LogLine], *,
                         writer_id: str = "", sequence: int = 0) -> log_pb2.AppendLogLinesResponse:
        """AppendLogLines (unary). Retried as append_table_rows: only with a writer id."""
        return self.call("logs", "AppendLogLines", log_pb2.AppendLogLinesRequest(
            run_id=run_id, lines=lines, writer_id=writer_id, sequence=sequence), retry=bool(writer_id))

    def read_logs(self, run_id: str, *, start_offset: int = 0, limit: int = 0) -> List[log_pb2.LogLine]:
        def read() -> List[log_pb2.LogLine]:
            out: List[log_pb2.LogLine] = []
            for piece in self.stub("logs").ReadLogs(log_pb2.ReadLogsRequest(
                    run_id=run_id, start_offset=start_offset, limit=limit), timeout=120):
                out.extend(piece.lines)
            return out
        try:
            return call_with_retry(read, deadline_s=self.retry_deadline_s, window_s=self._retry_window)
        except UnavailableError as error:
            raise self.explain(error)

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

    def get_upload_status(self, run_id: str, upload_id: str) -> artifact_pb2.GetUploadStatusResponse:
        return self.call("artifacts", "GetUploadStatus", artifact_pb2.GetUploadStatusRequest(
            run_id=run_id, upload_id=upload_id), retry=False, timeout=10.0)

    def create_reference(self, run_id: str, name: str, uri: str, direction: Any,
                         media_type: str = "") -> artifact_pb2.Artifact:
        return self.call("artifacts", "CreateArtifactReference", artifact_pb2.CreateArtifactReferenceRequest(
            run_id=run_id, name=name, uri=uri, direction=direction, media_type=media_type)).artifact


_POLICIES = {"allow": run_pb2.RESUME_POLICY_ALLOW, "never": run_pb2.RESUME_POLICY_NEVER,
             "must": run_pb2.RESUME_POLICY_MUST}
_STATUSES = {"RUNNING": run_pb2.RUN_STATUS_RUNNING, "COMPLETED": run_pb2.RUN_STATUS_COMPLETED,
             "FAILED": run_pb2.RUN_STATUS_FAILED, "CANCELED": run_pb2.RUN_STATUS_CANCELED,
             "QUEUED": run_pb2.RUN_STATUS_QUEUED, "CRASHED": run_pb2.RUN_STATUS_CRASHED}


def resume_policy(resume: Union[str, int]) -> int:
    """"allow" | "never" | "must" (or a ResumePolicy value) to the ResumePolicy enum."""
    if isinstance(resume, int) and not isinstance(resume, bool):
        return resume
    policy = _POLICIES.get(str(resume).lower())
    if policy is None:
        raise ValueError(f"resume={resume!r}: \"allow\", \"never\" or \"must\"")
    return policy


def access_role(role: Union[str, int]) -> int:
    """"viewer" | "editor" | "admin" (any case, "ROLE_" prefix allowed, or a Role value)."""
    if isinstance(role, int) and not isinstance(role, bool):
        return role
    name = str(role).upper()
    name = name[len("ROLE_"):] if name.startswith("ROLE_") else name
    if name not in ("VIEWER", "EDITOR", "ADMIN"):
        raise ValueError(f"role {role!r}: viewer, editor or admin")
    return access_pb2.Role.Value(f"ROLE_{name}")


def run_status(status: Union[str, int]) -> int:
    """"COMPLETED" (or "RUN_STATUS_COMPLETED", any case, or the enum value) to RunStatus."""
    if isinstance(status, int) and not isinstance(status, bool):
        return status
    name = str(status).upper()
    name = name[len("RUN_STATUS_"):] if name.startswith("RUN_STATUS_") else name
    if name not in _STATUSES:
        raise ValueError(f"status {status!r}: one of {', '.join(_STATUSES)}")
    return _STATUSES[name]


_SHARED: Dict[Tuple[str, Optional[str]], Client] = {}
_SHARED_LOCK = threading.Lock()


def shared_client(target: str, token: Optional[str] = None, source: str = SOURCE_CODE) -> Client:
    """One Client (one channel) per target (and token given in code) for the runs and searches
    that name a server by URI rather than passing a Client: opening many runs does not open many
    channels. `source` says where the target came from (for connection errors; the source of
    the run that made the shared client is the one named)."""
    with _SHARED_LOCK:
        client = _SHARED.get((target, token))
        if client is None:
            client = _SHARED[(target, token)] = Client(target, token=token, target_source=source)
        return client
