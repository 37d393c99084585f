"""Keras callback: epoch (and optionally batch) logs become Labbook metrics.

    from labbook.integrations.keras import LabbookCallback
    model.fit(x, y, epochs=10, callbacks=[LabbookCallback(run)])

Works with Keras 3 (`keras`) and tf.keras. Importing this module imports Keras.
"""
from __future__ import annotations

from typing import Any, Dict, Optional

try:
    import keras as _keras
except ImportError:  # older TensorFlow ships it as tf.keras only
    from tensorflow import keras as _keras  # type: ignore[no-redef]

from labbook.run import Run


class LabbookCallback(_keras.callbacks.Callback):  # type: ignore[misc]
    """Logs each epoch's `logs` (loss, metrics, val_*) at step = epoch, and, when
    `log_every_n_batches` > 0, batch logs under `batch/<name>` at the global batch step. Training
    parameters (epochs, steps) are logged as params `keras.<name>` at the start."""

    def __init__(self, run: Optional[Run] = None, log_every_n_batches: int = 0, prefix: str = "") -> None:
        super().__init__()
        self.run = run
        self.log_every_n_batches = log_every_n_batches
        self.prefix = prefix
        self._global_batch = 0

    def _run(self) -> Run:
        if self.run is None:
            self.run = Run.get_context()
        return self.run

    def on_train_begin(self, logs: Optional[Dict[str, Any]] = None) -> None:
        params = {f"keras.{k}": v for k, v in (self.params or {}).items()
                  if isinstance(v, (bool, int, float, str))}
        if params:
            self._run().log_parameters(params)

    def on_train_batch_end(self, batch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        self._global_batch += 1
        if self.log_every_n_batches and self._global_batch % self.log_every_n_batches == 0:
            for name, value in (logs or {}).items():
                self._run().log_metric(f"{self.prefix}batch/{name}", value, step=self._global_batch)

    def on_epoch_end(self, epoch: int, logs: Optional[Dict[str, Any]] = None) -> None:
        run = self._run()
        for name, value in (logs or {}).items():
            try:
                run.log_metric(f"{self.prefix}{name}", value, step=epoch)
            except TypeError:  # a non-numeric log entry (e.g. a learning-rate schedule object)
                pass

    def on_train_end(self, logs: Optional[Dict[str, Any]] = None) -> None:
        self._run().flush(60)
