"""Framework integrations, each imported only when you import its module (the SDK itself needs
neither framework):

* `labbook.integrations.keras.LabbookCallback` — a `keras.callbacks.Callback`.
* `labbook.integrations.lightning.LabbookLogger` — a PyTorch Lightning logger.
"""
from typing import Any, Dict, Mapping


def flatten(params: Mapping[str, Any], prefix: str = "") -> Dict[str, Any]:
    """Nested dicts (and argparse Namespaces) to dotted keys: {"opt": {"lr": 1}} → {"opt.lr": 1}.
    Values that are not bool/int/float/str become their str()."""
    out: Dict[str, Any] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if hasattr(value, "__dict__") and not isinstance(value, type) and type(value).__name__ == "Namespace":
            value = vars(value)
        if isinstance(value, Mapping):
            out.update(flatten(value, f"{name}."))
        elif isinstance(value, (bool, int, float, str)) or hasattr(value, "item"):
            out[name] = value
        else:
            out[name] = str(value)
    return out
