"""Conversions from user values (Python, numpy, torch) to the API's numbers, params and cells.

Nothing here imports numpy or torch: scalars are duck-typed through `__float__` / `.item()`.
"""
from __future__ import annotations

import math
import re
from typing import Any, Dict, Union

from labbook.errors import InvalidArgumentError
from labbook.v1 import common_pb2, metric_pb2

#: Metric, param and tag keys and table names, as the server accepts them.
KEY = re.compile(r"^[A-Za-z0-9_\-./: ]{1,250}$")


def check_key(key: str, field: str = "key") -> str:
    if not isinstance(key, str) or not KEY.match(key):
        raise InvalidArgumentError(
            f"{field} {key!r}: 1-250 characters of letters, digits and _ - . / : space", field=field)
    return key


def to_float(value: Any) -> float:
    """A metric value: float(x) works for int, float, bool, numpy scalars and 1-element tensors."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"metric value must be a number, not {type(value).__name__}")
    try:
        return float(value)
    except TypeError:
        item = getattr(value, "item", None)
        if item is None:
            raise TypeError(f"metric value must be a number, not {type(value).__name__}") from None
        return float(item())


def _scalar(value: Any) -> Any:
    """Unwraps numpy/torch scalars (anything with .item() and no len) into Python scalars."""
    if isinstance(value, (bool, int, float, str)):
        return value
    item = getattr(value, "item", None)
    if item is not None:
        try:
            return item()
        except (TypeError, ValueError):
            pass
    return value


def to_param_value(value: Any) -> common_pb2.Value:
    """A typed param: bool, int, float and str keep their type; numpy scalars are unwrapped;
    anything else is stored as its str()."""
    value = _scalar(value)
    if isinstance(value, bool):
        return common_pb2.Value(bool_value=value)
    if isinstance(value, int):
        if -(2**63) <= value < 2**63:
            return common_pb2.Value(int_value=value)
        return common_pb2.Value(string_value=str(value))
    if isinstance(value, float):
        return common_pb2.Value(double_value=value)
    if value is None:
        return common_pb2.Value(string_value="None")
    if not isinstance(value, str):
        try:
            return common_pb2.Value(double_value=float(value))
        except (TypeError, ValueError):
            return common_pb2.Value(string_value=str(value))
    return common_pb2.Value(string_value=value)


def from_param_value(value: common_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    return getattr(value, kind) if kind else None


def param_to_json(key: str, value: common_pb2.Value) -> Dict[str, Any]:
    """A params.jsonl line of the offline format."""
    kind = value.WhichOneof("kind")
    if kind == "double_value":
        return {"key": key, "double": json_number(value.double_value)}
    if kind == "int_value":
        return {"key": key, "int": value.int_value}
    if kind == "bool_value":
        return {"key": key, "bool": value.bool_value}
    return {"key": key, "string": value.string_value}


def to_cell_value(value: Any) -> Union[float, str]:
    """A table cell: numbers (numpy too) become floats, everything else its str()."""
    value = _scalar(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (bool, int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def to_cell(value: Any) -> metric_pb2.TableCell:
    v = to_cell_value(value)
    if isinstance(v, str):
        return metric_pb2.TableCell(string_value=v)
    return metric_pb2.TableCell(number_value=v)


def from_cell(cell: metric_pb2.TableCell) -> Any:
    kind = cell.WhichOneof("kind")
    return getattr(cell, kind) if kind else None


def json_number(value: float) -> Union[float, str]:
    """JSON cannot carry NaN/±Inf: the offline format writes them as strings."""
    if math.isfinite(value):
        return value
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
