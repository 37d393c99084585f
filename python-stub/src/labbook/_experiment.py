"""`labbook.Experiment`: Azure ML's `Experiment(workspace, name)` and its `start_logging()`."""
from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Union

from labbook.client import SOURCE_ENV, Client, shared_client

__all__ = ["Experiment"]


class Experiment:
    """An experiment by name, in which runs are started (Azure's `Experiment(ws, "name")`).

    `workspace` says where it lives, as Azure's workspace does: a `labbook.Client`, or a server
    address (`host:port`), or None — then `LABBOOK_TRACKING_URI`, and without it offline runs.
    The experiment itself is created with its first run. `project` (default `LABBOOK_PROJECT`,
    else "default") is Labbook's level above experiments.

        exp = labbook.Experiment(labbook.Client("localhost:7800"), "my-experiment")
        run = exp.start_logging()
        run.log("observations", 15000)
        run.complete()

    A script runs as a run of it with `exp.submit(labbook.ScriptRunConfig(...))` (see `submit`).
    """

    def __init__(self, workspace: Union[Client, str, None] = None, name: Optional[str] = None, *,
                 project: Optional[str] = None, offline: bool = False,
                 offline_dir: Optional[str] = None) -> None:
        if not name:
            raise ValueError("Experiment needs a name: Experiment(workspace, name)")
        self.name = name
        self.project = project or os.environ.get("LABBOOK_PROJECT") or "default"
        self.workspace = workspace
        self._offline = offline
        self._offline_dir = offline_dir

    def _client(self) -> Optional[Client]:
        if self._offline:
            return None
        if isinstance(self.workspace, Client):
            return self.workspace
        if isinstance(self.workspace, str) and self.workspace:
            return shared_client(self.workspace, None, "the workspace= argument")
        uri = os.environ.get("LABBOOK_TRACKING_URI")
        return shared_client(uri, None, SOURCE_ENV) if uri else None

    def start_logging(self, *args: Any, name: Optional[str] = None, display_name: Optional[str] = None,
                      description: Optional[str] = None, tags: Optional[Mapping[str, Any]] = None,
                      outputs: Any = None, snapshot_directory: Any = None, **options: Any) -> "Any":
        """Azure `start_logging()`: starts a new interactive run of this experiment (named `name`
        or `display_name`, else `run-<12 hex>`) and returns it open; end it with
        `run.complete()` (else it ends at interpreter exit, FAILED after an uncaught exception).
        Options are those of `labbook.Run` (`resume=`, `params=`, ...). Azure's `outputs` and
        `snapshot_directory` (folders it uploads itself) are accepted and ignored: upload
        with `run.upload_file` / `run.upload_folder`."""
        from labbook import fluent
        client = self._client()
        if client is None:
            options.setdefault("offline", True)
            if self._offline_dir:
                options.setdefault("offline_dir", self._offline_dir)
        return fluent.start_run(self.name, name or display_name, self.project, description, tags,
                                client=client, **options)

    def submit(self, config: Any, tags: Optional[Mapping[str, Any]] = None, name: Optional[str] = None,
               description: Optional[str] = None) -> Any:
        """Azure `experiment.submit(config)`: runs the `labbook.ScriptRunConfig` as a new run of
        this experiment (named `name`, else `run-<12 hex>`) on its compute target and returns
        the run's handle at once — a `labbook.Run` with `wait_for_completion(show_output=True)`
        and `cancel()`. Needs a server (the workspace, or LABBOOK_TRACKING_URI)."""
        from labbook import _submit
        return _submit.submit(config, self, tags=tags, name=name, description=description)

    def __repr__(self) -> str:
        return f"Experiment(name={self.name!r}, project={self.project!r})"
