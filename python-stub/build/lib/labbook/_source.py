"""Where the code runs from: script, args, git commit, host (SourceInfo)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any, Dict


def _git(*args: str) -> str:
    try:
        out = subprocess.run(["git", *args], capture_output=True, text=True, timeout=3, check=False)
        return out.stdout.strip() if out.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        return ""


def source_info() -> Dict[str, Any]:
    commit = _git("rev-parse", "HEAD")
    dirty = bool(commit) and bool(_git("status", "--porcelain", "--untracked-files=no"))
    argv = list(sys.argv) if sys.argv and sys.argv[0] else [""]
    return {"script": os.path.basename(argv[0]) if argv[0] not in ("", "-c") else argv[0],
            "args": argv[1:], "git_commit": commit, "git_dirty": dirty,
            "host": socket.gethostname(), "working_dir": os.getcwd()}
