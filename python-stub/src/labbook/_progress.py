"""Upload progress with tqdm, when it is installed (extra `progress`) and stderr is a terminal.

Never required: without tqdm, or when stderr is a pipe or file (CI logs, notebooks' captured
output), uploads are silent. `LABBOOK_PROGRESS=0` turns the bars off, `=1` forces them on a
non-terminal.
"""
from __future__ import annotations

import os
import sys
from typing import Any, Optional

#: Smaller uploads show no bar: it would flash and vanish.
MIN_BYTES = 1 << 20


def bar(total: int, desc: str) -> Optional[Any]:
    """A tqdm bar in bytes on stderr, or None (no tqdm, not a terminal, small, or turned off)."""
    setting = os.environ.get("LABBOOK_PROGRESS", "").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return None
    forced = setting in ("1", "true", "yes", "on")
    if total < MIN_BYTES and not forced:
        return None
    try:
        tty = sys.stderr is not None and sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    if not tty and not forced:
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False,
                file=sys.stderr, dynamic_ncols=True)
