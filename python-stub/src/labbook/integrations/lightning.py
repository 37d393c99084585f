"""PyTorch Lightning logger writing into a Labbook run.

    from labbook.integrations.lightning import LabbookLogger
    trainer = Trainer(logger=LabbookLogger(experiment="mnist", name="baseline"))

Works with `lightning` (2.x) or `pytorch_lightning`. Importing this module imports Lightning.
Only rank zero logs (Lightning's rank_zero_only), as with Lightning's own loggers.
"""
from __future__ import annotations

import sys
from argparse import Namespace
from typing import Any, Dict, Mapping, Optional, Union

try:
    from lightning.pytorch.loggers.logger import Logger, rank_zero_experiment
    from lightning.pytorch.utilities import rank_zero_only
except ImportError:
    from pytorch_lightning.loggers.logger import Logger, rank_zero_experiment  # type: ignore[no-redef]
    from pytorch_lightning.utilities import rank_zero_only  # type: ignore[no-redef]

from labbook.integrations import flatten
from labbook.run import Run

_FINAL = {"success": "COMPLETED", "finished": "COMPLETED", "failed": "FAILED", "interrupted": "CANCELED"}


class LabbookLogger(Logger):  # type: ignore[misc]
    """Opens (or resumes) the run lazily on rank zero, or uses the `run` you pass (then its status
    is yours to set)."""

    def __init__(self, experiment: Optional[str] = None, name: Optional[str] = None,
                 run: Optional[Run] = None, **run_options: Any) -> None:
        super().__init__()
        self._experiment_name = experiment
        self._run_name = name
        self._run_options = run_options
        self._run = run
        self._owns_run = run is None

    @property
    def name(self) -> str:
        return self._experiment_name or "default"

    @property
    def version(self) -> str:
        return self._run.id if self._run is not None else (self._run_name or "")

    @property
    @rank_zero_experiment
    def experiment(self) -> Run:
        """The Labbook run (Lightning calls this the logger's experiment)."""
        if self._run is None:
            self._run = Run(self._experiment_name, self._run_name, **self._run_options).open()
        return self._run

    def _open_run(self) -> Run:
        """The run to log into. finalize() closed it after fit(); trainer.test()/validate() log
        again: resume the same run by name (offline: a new run directory with the same name)."""
        run = self.experiment
        if self._owns_run and run.status != "RUNNING":
            self._run = run = Run(self._experiment_name, run.name, **self._run_options).open()
        return run

    @rank_zero_only
    def log_hyperparams(self, params: Union[Dict[str, Any], Namespace], *args: Any, **kwargs: Any) -> None:
        if isinstance(params, Namespace):
            params = vars(params)
        flat = flatten(params)
        if flat:
            self._open_run().log_parameters(flat)

    @rank_zero_only
    def log_metrics(self, metrics: Mapping[str, Any], step: Optional[int] = None) -> None:
        run = self._open_run()
        for key, value in metrics.items():
            if key == "epoch":
                continue
            run.log_metric(key, value, step=step)

    @rank_zero_only
    def save(self) -> None:
        """Lightning calls this after every log_metrics: nothing to do, the points are already on
        their way (the background sender); finalize() waits for them."""

    @rank_zero_only
    def finalize(self, status: str) -> None:
        if self._run is None:
            return
        if self._owns_run:
            final = _FINAL.get(status, "COMPLETED")
            if status == "failed" and isinstance(sys.exc_info()[1], KeyboardInterrupt):
                final = "CANCELED"  # Lightning reports Ctrl-C as "failed" from its except block
            self._run.close(final)
        else:
            self._run.flush(60)
