"""ML-Dash's call shapes on a Labbook run (docs/python-sdk.md, "Coming from ML-Dash"):
`run.parameters().set(lr=0.001)`, `run.metric("loss").append(value=0.5, epoch=1)`, and the
mapping of ML-Dash's `Experiment(...)` keyword arguments onto `labbook.Run`'s. Everything here
calls the public methods of `Run` (log_parameters, log_metric, log_row, ...)."""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Tuple

if TYPE_CHECKING:  # pragma: no cover
    from labbook.run import Run

__all__ = ["RunParameters", "RunMetric", "flatten", "seed_options", "NO_VALUE"]

#: The default of `Run.log`'s value: `run.log("text")` was given no value (a text line).
NO_VALUE: Any = object()


def flatten(values: Mapping[str, Any], prefix: str = "") -> Dict[str, Any]:
    """`{"model": {"lr": 0.1}}` → `{"model.lr": 0.1}` (ML-Dash's nested parameters)."""
    out: Dict[str, Any] = {}
    for key, value in values.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, full + "."))
        else:
            out[full] = value
    return out


class RunParameters:
    """`run.parameters()`: ML-Dash's parameter object over the run's params."""

    def __init__(self, run: "Run") -> None:
        self._run = run

    def set(self, values: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> "RunParameters":
        """Logs params from a dict and/or keyword arguments; nested dicts become dotted keys
        (`model={"lr": 0.1}` → `model.lr`). A key set again is overwritten. Returns self."""
        merged: Dict[str, Any] = dict(values or {})
        merged.update(kwargs)
        if merged:
            self._run.log_parameters(flatten(merged))
        return self

    def get(self, flatten: bool = True) -> Dict[str, Any]:
        """The run's params (dotted keys; `flatten=False` nests them again at the dots)."""
        params = self._run.get_parameters()
        if flatten:
            return params
        nested: Dict[str, Any] = {}
        for key, value in params.items():
            node = nested
            *parents, leaf = key.split(".")
            for part in parents:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):  # "a" and "a.b" both set: keep "a.b" flat
                    node = None  # type: ignore[assignment]
                    break
                node = child
            if node is None:
                nested[key] = value
            else:
                node[leaf] = value
        return nested


def _is_number(value: Any) -> bool:
    if isinstance(value, (str, bytes)):
        return False
    if isinstance(value, numbers.Number):
        return True
    try:  # numpy scalars, 0-d tensors
        float(value)
        return True
    except (TypeError, ValueError):
        return False


class RunMetric:
    """`run.metric("loss")`: ML-Dash's metric object. `append(value=0.5, epoch=1)` is a point of
    the series `loss` at step 1 (`step=` wins over `epoch=`; neither: the series' next step).
    Every other numeric field `f` is a point of the series `loss/f` at the same step (with both
    `step` and `epoch` given, `epoch` too). Fields that are not numbers (text, lists, ...) go,
    together with the step, into a row of the table `loss/fields` (not `loss`: a table and a
    series of one name would share one entry of `get_metrics()`)."""

    def __init__(self, run: "Run", name: str) -> None:
        self._run = run
        self.name = name

    def append(self, value: Any = None, *, step: Optional[int] = None, epoch: Optional[int] = None,
               timestamp: Any = None, **fields: Any) -> "RunMetric":
        if step is None and epoch is not None:
            step, epoch = epoch, None
        if epoch is not None:
            fields["epoch"] = epoch
        if value is None and not fields:
            raise TypeError(f"metric({self.name!r}).append() needs value= or other fields")
        points: List[Tuple[str, Any]] = []
        if value is not None:
            points.append((self.name, value))
        other: Dict[str, Any] = {}
        for field, field_value in fields.items():
            if _is_number(field_value):
                points.append((f"{self.name}/{field}", field_value))
            else:
                other[field] = field_value
        log_metric = self._run.log_metric
        for key, point in points:
            log_metric(key, point, step=step, timestamp=timestamp)
        if other:
            if step is not None:
                other["step"] = step
            self._run.log_row(f"{self.name}/fields", **other)
        return self

    def append_batch(self, items: Iterable[Mapping[str, Any]]) -> "RunMetric":
        """`append(**item)` for each dict, in order."""
        for item in items:
            self.append(**dict(item))
        return self

    def read(self) -> Any:
        """The points of the series `name` (as `run.get_metric_history(name)`)."""
        return self._run.get_metric_history(self.name)


def seed_options(experiment: Optional[str], name: Optional[str], tags: Any,
                 offline: bool, offline_dir: Optional[str], target: Optional[str], *,
                 experiment_name: Optional[str], run_name: Optional[str],
                 local_path: Optional[str], local_prefix: Optional[str], remote: Optional[str],
                 user_name: Optional[str], folder: Optional[str]
                 ) -> Tuple[Optional[str], Optional[str], Optional[Dict[str, Any]], bool,
                            Optional[str], Optional[str]]:
    """Maps the seeds' keyword arguments of `Run(...)` onto Labbook's: SageMaker's
    `experiment_name`/`run_name`; ML-Dash's `local_path` (or `local_prefix`) = an offline run in
    that directory, `remote=` = the server's address (an online run), `tags=[...]` = tags with
    empty values, `user_name` and `folder` = the tags `user_name` and `folder`."""
    if experiment_name is not None:
        if experiment is not None and experiment != experiment_name:
            raise ValueError("give experiment= or experiment_name=, not both")
        experiment = experiment_name
    if run_name is not None:
        if name is not None and name != run_name:
            raise ValueError("give name= or run_name=, not both")
        name = run_name
    if tags is not None and not isinstance(tags, Mapping):
        tags = {str(t): "" for t in tags}
    extra = {k: v for k, v in (("user_name", user_name), ("folder", folder)) if v is not None}
    if extra:
        tags = {**(tags or {}), **extra}
    if remote is not None:
        if local_path is not None or offline:
            raise ValueError("remote= is an online run; local_path= (or offline=True) an offline one: "
                             "give one of them")
        target = target or remote
    else:
        local = local_path if local_path is not None else local_prefix
        if local is not None:
            offline, offline_dir = True, offline_dir or local
    return experiment, name, tags, offline, offline_dir, target
