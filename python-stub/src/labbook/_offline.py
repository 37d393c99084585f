"""Offline runs: the local directory format of docs/offline-format.md (`labbook-offline/1`).

Shared with the Java SDK; `bin/labbook sync DIR` uploads it. Every .jsonl file is append-only,
one JSON object per `\\n`-terminated line; run.json is rewritten atomically.
"""
from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import shutil
import threading
import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple

from labbook import _ids
from labbook._sender import Transport
from labbook.errors import RunAlreadyExistsError, RunNotFoundError
from labbook._values import json_number, param_to_json, to_cell_value, to_param_value
from labbook.v1 import log_pb2, metric_pb2

FORMAT = "labbook-offline/1"
_LEVEL_NAMES: Dict[int, str] = {log_pb2.LOG_LEVEL_DEBUG: "DEBUG", log_pb2.LOG_LEVEL_INFO: "INFO",
                log_pb2.LOG_LEVEL_WARNING: "WARNING", log_pb2.LOG_LEVEL_ERROR: "ERROR",
                log_pb2.LOG_LEVEL_UNSPECIFIED: "INFO"}
# The offline format has CRITICAL while the API stops at ERROR: the level travels as an int
# above LOG_LEVEL_ERROR inside the SDK so that offline files keep it.
CRITICAL = 5
_LEVEL_NAMES[CRITICAL] = "CRITICAL"
_STREAM_NAMES: Dict[int, str] = {log_pb2.LOG_STREAM_USER: "USER", log_pb2.LOG_STREAM_STDOUT: "STDOUT",
                 log_pb2.LOG_STREAM_STDERR: "STDERR", log_pb2.LOG_STREAM_UNSPECIFIED: "USER"}


def _cut_torn_lines(directory: str) -> None:
    """Cuts a last line without its newline (a writer died mid-line) off each .jsonl file of a
    reopened run, so that new lines never follow a broken one (readers reject those). Reads
    only the tail, backwards, as the Java writer does: metrics files can be large."""
    for entry in os.listdir(directory):
        if not entry.endswith(".jsonl"):
            continue
        with open(os.path.join(directory, entry), "rb+") as f:
            end = f.seek(0, os.SEEK_END)
            if end == 0:
                continue
            f.seek(end - 1)
            if f.read(1) == b"\n":
                continue
            keep = 0
            while end > 0:
                start = max(0, end - (64 << 10))
                f.seek(start)
                newline = f.read(end - start).rfind(b"\n")
                if newline >= 0:
                    keep = start + newline + 1
                    break
                end = start
            f.truncate(keep)


# Offline run directories this process holds open (POSIX locks do not exclude the same process).
_HELD_DIRS: set = set()
_HELD_LOCK = threading.Lock()


def default_root() -> str:
    return os.environ.get("LABBOOK_OFFLINE_DIR") or os.path.join(os.getcwd(), "labbook-offline")


def _dumps(obj: Any) -> str:
    # allow_nan=False: a non-finite float that slipped through would write invalid JSON.
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


class OfflineStore(Transport):
    """One offline run directory, written by one process."""

    spools = False

    def __init__(self, *, root: Optional[str], project: str, experiment: str, name: Optional[str],
                 description: str, tags: Mapping[str, str], source: Dict[str, Any], sdk: str,
                 resume: str = "allow") -> None:
        started = _ids.now_ms()
        stamp = datetime.datetime.fromtimestamp(started / 1000, datetime.timezone.utc).strftime("%Y%m%d-%H%M%S")
        self.root = os.path.abspath(root or default_root())
        os.makedirs(self.root, exist_ok=True)
        self._lock = threading.RLock()  # meta edits and the run.json rewrite are one step
        self._dir_lock: Optional[int] = None
        #: True when an earlier offline run of the same name was reopened (as online: resume).
        self.resumed = False
        experiment = experiment or os.environ.get("LABBOOK_EXPERIMENT") or "default"
        if name and self._reopen(project or "default", experiment, name, description, tags, resume):
            return
        if resume == "must":
            raise RunNotFoundError(f"no offline run {name!r} of experiment {experiment!r} under "
                                   f"{self.root} that this process can resume (resume=\"must\"; a "
                                   f"run held open by another process cannot be)", reason="RUN_NOT_FOUND")
        # A random (v4) local_id, and a directory made exclusively: runs started in the same
        # second (DDP ranks, sweep workers) never share one. A clash draws a new id.
        for _attempt in range(100):
            self.local_id = str(uuid.uuid4())
            short = self.local_id.replace("-", "")[:8]
            self.dir = os.path.join(self.root, f"{stamp}-{short}")
            try:
                os.mkdir(self.dir)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(f"could not create a new run directory under {self.root}")
        self._take_dir_lock()
        self.meta: Dict[str, Any] = {
            "format": FORMAT,
            "local_id": self.local_id,
            "project": project or "default",
            "experiment": experiment or os.environ.get("LABBOOK_EXPERIMENT") or "default",
            "name": name or f"offline-{short}",
            "description": description or "",
            "tags": dict(tags or {}),
            "status": "RUNNING",
            "start_time_ms": started,
            "end_time_ms": 0,
            "source": source,
            "sdk": sdk,
        }
        self.write_run_json()

    # -- reopening by name ---------------------------------------------------------------------
    def _reopen(self, project: str, experiment: str, name: str, description: Optional[str],
                tags: Mapping[str, str], resume: str) -> bool:
        """Continues the offline run of this project, experiment and name (names match without
        case, as on the server) when its directory exists and no live process holds it. With
        resume "never" an existing run of that name is RunAlreadyExistsError instead."""
        for entry in sorted(os.listdir(self.root)):
            directory = os.path.join(self.root, entry)
            try:
                with open(os.path.join(directory, "run.json"), encoding="utf-8") as f:
                    meta = json.load(f)
            except (OSError, ValueError):
                continue
            if not (isinstance(meta, dict) and meta.get("format") == FORMAT
                    and meta.get("project") == project
                    and str(meta.get("experiment", "")).lower() == experiment.lower()
                    and str(meta.get("name", "")).lower() == name.lower()):
                continue
            if resume == "never":
                raise RunAlreadyExistsError(
                    f"offline run {name!r} of experiment {experiment!r} exists in {directory} "
                    f"(resume=\"never\")", reason="RUN_ALREADY_EXISTS")
            self.dir = directory
            if not self._take_dir_lock():
                continue  # written right now by another process: that one stays its own
            self.local_id = meta["local_id"]
            self.meta = meta
            _cut_torn_lines(directory)
            meta["status"] = "RUNNING"
            meta["end_time_ms"] = 0
            meta.setdefault("tags", {}).update(tags or {})
            if description:
                meta["description"] = description
            self.resumed = True
            self.write_run_json()
            return True
        return False

    def _take_dir_lock(self) -> bool:
        """An exclusive lock on <dir>/.lock for as long as this run is open. A POSIX record lock
        (`lockf`), the kind Java's FileChannel.lock takes, so the two SDKs see each other's; such
        locks are per process, so the directories held in this process are tracked as well."""
        with _HELD_LOCK:
            if self.dir in _HELD_DIRS:
                return False
            fd = os.open(os.path.join(self.dir, ".lock"), os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            _HELD_DIRS.add(self.dir)
            self._dir_lock = fd
            return True

    def release(self) -> None:
        """Lets a later run of the same name reopen this directory."""
        with _HELD_LOCK:
            if self._dir_lock is not None:
                os.close(self._dir_lock)
                self._dir_lock = None
                _HELD_DIRS.discard(self.dir)

    def last_steps(self) -> Dict[str, int]:
        """The largest step of each series written so far (a reopened run continues after it)."""
        last: Dict[str, int] = {}
        for line in self.read("metrics.jsonl"):
            keys = line["keys"]
            for k, step in zip(line["key_index"], line["step"]):
                key = keys[k]
                if step > last.get(key, step - 1):
                    last[key] = step
        return last

    # -- files ---------------------------------------------------------------------------------
    def write_run_json(self) -> None:
        with self._lock:
            path = os.path.join(self.dir, "run.json")
            tmp = path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(json.dumps(self.meta, ensure_ascii=False, indent=2) + "\n")
            os.replace(tmp, path)

    def append(self, file: str, objects: List[Dict[str, Any]]) -> None:
        text = "".join(_dumps(o) + "\n" for o in objects)
        with self._lock, open(os.path.join(self.dir, file), "a", encoding="utf-8") as f:
            f.write(text)
            f.flush()

    # -- run fields ----------------------------------------------------------------------------
    def set_tags(self, tags: Mapping[str, str]) -> Dict[str, str]:
        with self._lock:
            self.meta["tags"].update({str(k): str(v) for k, v in tags.items()})
            self.write_run_json()
            return dict(self.meta["tags"])

    def remove_tags(self, keys: List[str]) -> Dict[str, str]:
        with self._lock:
            for k in keys:
                self.meta["tags"].pop(k, None)
            self.write_run_json()
            return dict(self.meta["tags"])

    def rename(self, name: str) -> None:
        with self._lock:
            self.meta["name"] = name
            self.write_run_json()

    def set_description(self, description: str) -> None:
        with self._lock:
            self.meta["description"] = description
            self.write_run_json()

    def finish(self, status: str, end_time_ms: int) -> None:
        with self._lock:
            self.meta["status"] = status
            self.meta["end_time_ms"] = end_time_ms if status != "RUNNING" else 0
            self.write_run_json()
        if status != "RUNNING":
            self.release()

    def log_params(self, params: Mapping[str, Any]) -> None:
        self.append("params.jsonl", [param_to_json(str(k), to_param_value(v)) for k, v in params.items()])

    def append_rows(self, table: str, rows: List[Dict[str, Any]]) -> None:
        cells = [{str(k): json_number(c) if isinstance(c, float) else c
                  for k, c in ((k, to_cell_value(v)) for k, v in row.items())} for row in rows]
        self.append("tables.jsonl", [{"table": table, "rows": cells}])

    def add_file(self, path_in_run: str, source_path: Optional[str], data: Optional[bytes], *,
                 is_output: bool, media_type: str, step: Optional[int]) -> Dict[str, Any]:
        rel = os.path.join("files", *path_in_run.split("/"))
        target = os.path.join(self.dir, rel)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if source_path is not None:
            shutil.copyfile(source_path, target)
        else:
            with open(target, "wb") as f:
                f.write(data or b"")
        sha = hashlib.sha256()
        size = 0
        with open(target, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                sha.update(block)
                size += len(block)
        line = {"kind": "file", "path": path_in_run, "file": "files/" + path_in_run,
                "direction": "OUTPUT" if is_output else "INPUT", "media_type": media_type,
                "size_bytes": size, "sha256": sha.hexdigest(), "step": step}
        self.append("artifacts.jsonl", [line])
        return line

    def add_reference(self, name: str, uri: str, *, is_output: bool) -> Dict[str, Any]:
        line = {"kind": "reference", "path": name, "uri": uri,
                "direction": "OUTPUT" if is_output else "INPUT"}
        self.append("artifacts.jsonl", [line])
        return line

    # -- reading back what this process wrote --------------------------------------------------
    def read(self, file: str) -> List[Dict[str, Any]]:
        path = os.path.join(self.dir, file)
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    # -- Transport: metric batches and log lines -----------------------------------------------
    def send_batches(self, writer_id: str, batches: List[metric_pb2.MetricBatch]) -> None:
        self.append("metrics.jsonl", [{
            "keys": list(b.keys), "key_index": list(b.key_index), "step": list(b.step),
            "timestamp_ms": list(b.timestamp_ms), "value": [json_number(v) for v in b.value],
        } for b in batches])

    def last_sequence(self, writer_id: str) -> int:
        return 0

    def send_lines(self, writer_id: str, sequence: int, lines: List[Tuple[int, int, int, str]]) -> None:
        self.append("logs.jsonl", [{"timestamp_ms": ts, "level": _LEVEL_NAMES.get(level, "INFO"),
                                    "stream": _STREAM_NAMES.get(stream, "USER"), "text": text}
                                   for ts, level, stream, text in lines])
