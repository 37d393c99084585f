"""Uploads offline run directories (docs/offline-format.md) to a server, idempotently: the Python
twin of the Java SDK's OfflineSync (same steps, same idempotency keys), behind `labbook sync DIR`.

- the run is opened by project + experiment + name and tagged `labbook.offline_id=<local_id>`; a
  same-named run with another offline id is refused;
- metrics.jsonl line n is sent as sequence n of writer `offline-<local_id>`, so the server skips
  lines it already has;
- tables and logs: only the rows / lines after those the server already holds are appended;
- files: skipped when the server holds the path with the same SHA-256; an interrupted upload
  resumes under an upload id derived from local_id, path and sha256;
- last, the final status with its end time when run.json says the run finished.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from labbook.errors import FailedPreconditionError, LabbookError, NotFoundError
from labbook.v1 import artifact_pb2, common_pb2, log_pb2, metric_pb2, run_pb2

FORMAT = "labbook-offline/1"
OFFLINE_ID_TAG = "labbook.offline_id"
LINES_PER_STREAM = 100
LOG_LINES_PER_CALL = 1000
MAX_LINE_BYTES = 64 * 1024
_FINAL = {"COMPLETED", "FAILED", "CANCELED", "CRASHED"}


@dataclass
class RunResult:
    dir: str
    run_id: str
    run_name: str
    created_run: bool
    params: int = 0
    metric_lines_sent: int = 0
    metric_points_stored: int = 0
    table_rows_appended: int = 0
    log_lines_appended: int = 0
    files_uploaded: int = 0
    files_skipped: int = 0
    references_created: int = 0
    status: str = "RUNNING"

    def summary(self) -> str:
        return (f"{os.path.basename(os.path.normpath(self.dir))} -> run {self.run_id} ({self.run_name}"
                f"{', new' if self.created_run else ''}): {self.params} params, {self.metric_points_stored} metric "
                f"points in {self.metric_lines_sent} batches, {self.table_rows_appended} table rows, "
                f"{self.log_lines_appended} log lines, {self.files_uploaded} files uploaded "
                f"({self.files_skipped} already there), {self.references_created} references, status {self.status}")

    def to_json(self) -> Dict[str, Any]:
        """As the Java CLI's `sync --json` writes OfflineSync.RunResult."""
        return {"dir": self.dir, "runId": self.run_id, "runName": self.run_name, "createdRun": self.created_run,
                "params": self.params, "metricLinesSent": self.metric_lines_sent,
                "metricPointsStored": self.metric_points_stored, "tableRowsAppended": self.table_rows_appended,
                "logLinesAppended": self.log_lines_appended, "filesUploaded": self.files_uploaded,
                "filesSkipped": self.files_skipped, "referencesCreated": self.references_created,
                "status": self.status}


@dataclass
class Result:
    synced: List[RunResult] = field(default_factory=list)
    failures: List[Dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_json(self) -> Dict[str, Any]:
        return {"synced": [r.to_json() for r in self.synced], "failures": self.failures}


def is_run_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "run.json"))


def run_dirs(dir_or_root: str) -> List[str]:
    """The run directories a path names, in name (= start time) order."""
    if is_run_dir(dir_or_root):
        return [dir_or_root]
    return [os.path.join(dir_or_root, d) for d in sorted(os.listdir(dir_or_root))
            if is_run_dir(os.path.join(dir_or_root, d))]


def sync(client: Any, dir_or_root: str) -> Result:
    """Syncs one run directory (one with a run.json) or every run directory below a root; one
    malformed directory does not stop the others."""
    result = Result()
    for d in run_dirs(dir_or_root):
        try:
            result.synced.append(sync_run(client, d))
        except (LabbookError, OSError, ValueError, KeyError, TypeError) as e:
            message = str(e) if isinstance(e, (LabbookError, OSError)) else f"malformed offline run: {e!r}"
            result.failures.append({"dir": d, "message": message})
    return result


def _lines(run_dir: str, name: str) -> List[Dict[str, Any]]:
    """The complete lines of a .jsonl file (a last line without its newline is ignored)."""
    path = os.path.join(run_dir, name)
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    end = text.rfind("\n")
    out = []
    for n, line in enumerate(text[:end].split("\n") if end >= 0 else [], start=1):
        if not line.strip():
            raise ValueError(f"{path}: line {n} is empty")
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: line {n} is not JSON: {e}") from None
        if not isinstance(obj, dict):
            raise ValueError(f"{path}: line {n} is not a JSON object")
        out.append(obj)
    return out


def _double(v: Any) -> float:
    return float(v)   # "NaN", "Infinity", "-Infinity" and numbers


def sync_run(client: Any, run_dir: str) -> RunResult:
    with open(os.path.join(run_dir, "run.json"), encoding="utf-8") as f:
        run = json.load(f)
    if run.get("format") != FORMAT:
        raise ValueError(f"{run_dir}: run.json format is '{run.get('format', '')}', expected {FORMAT}")
    local_id = run.get("local_id") or ""
    if not local_id:
        raise ValueError(f"{run_dir}: run.json has no local_id")
    project = run.get("project") or "default"
    experiment = run.get("experiment") or "default"
    name = run.get("name") or f"offline-{local_id[:8]}"

    existing = _find_existing(client, project, experiment, name, local_id)
    tags = {str(k): str(v) for k, v in sorted((run.get("tags") or {}).items())}
    tags[OFFLINE_ID_TAG] = local_id
    if existing is not None:
        run_id = existing.id   # not OpenRun again: resuming would add RUNNING -> final on every sync
    else:
        start = int(run.get("start_time_ms") or 0)
        s = run.get("source") or {}
        source = run_pb2.SourceInfo(script=s.get("script") or "", args=[str(a) for a in s.get("args") or []],
                                    git_commit=s.get("git_commit") or "", git_dirty=bool(s.get("git_dirty")),
                                    host=s.get("host") or "", working_dir=s.get("working_dir") or "")
        opened = client.open_run(experiment=experiment, project=project, name=name, tags=tags, source=source,
                                 description=run.get("description") or "",
                                 start_time_ms=start if 0 < start <= time.time() * 1000 else None).run
        run_id = opened.id
        if opened.tags.get(OFFLINE_ID_TAG) != local_id:
            raise FailedPreconditionError(
                f"run '{name}' in experiment '{experiment}' belongs to another offline run "
                f"({OFFLINE_ID_TAG}={opened.tags.get(OFFLINE_ID_TAG)}); rename one of them")
    result = RunResult(run_dir, run_id, name, existing is None)
    client.update_run(run_id, description=run.get("description") or "")
    client.set_tags(run_id, tags)

    result.params = _sync_params(client, run_dir, run_id)
    result.metric_lines_sent, result.metric_points_stored = _sync_metrics(client, run_dir, run_id, local_id)
    result.table_rows_appended = _sync_tables(client, run_dir, run_id)
    result.log_lines_appended = _sync_logs(client, run_dir, run_id)
    result.files_uploaded, result.files_skipped, result.references_created = \
        _sync_artifacts(client, run_dir, run_id, local_id)

    status = run.get("status") or "RUNNING"
    result.status = status
    now = client.get_run(run_id)
    now_status = run_pb2.RunStatus.Name(now.status)[len("RUN_STATUS_"):]
    if now_status != status and now_status in _FINAL:
        now = client.resume_run(run_id)   # reopened offline after an earlier sync finished it
        now_status = "RUNNING"
    if status in _FINAL and now_status != status:
        end = int(run.get("end_time_ms") or 0)
        end_time = max(end, now.start_time_ms) if end > 0 else None
        if status == "CANCELED":
            client.cancel_run(run_id, end_time_ms=end_time)
        else:
            client.finish_run(run_id, status, end_time_ms=end_time)
    try:
        with open(os.path.join(run_dir, ".sync.json"), "w", encoding="utf-8") as f:
            f.write(json.dumps({"target": client.target, "run_id": run_id,
                                "synced_time_ms": int(time.time() * 1000)}) + "\n")
    except OSError:
        pass   # informational only
    return result


def _quote(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _find_existing(client: Any, project: str, experiment: str, name: str, local_id: str) -> Optional[Any]:
    try:
        same = list(client.call("runs", "SearchRuns", run_pb2.SearchRunsRequest(
            project=project, filter=f"experiment = {_quote(experiment)} AND name = {_quote(name)}",
            lifecycle=common_pb2.LIFECYCLE_FILTER_ALL, view=run_pb2.RUN_VIEW_FULL)).runs)
    except NotFoundError:
        return None   # no such experiment yet
    for r in same:
        other = r.tags.get(OFFLINE_ID_TAG)
        if other != local_id:
            raise FailedPreconditionError(
                f"run '{name}' in experiment '{experiment}' exists and is not this offline run "
                f"({OFFLINE_ID_TAG}={other or 'none'}); rename the offline run in run.json")
        if r.deleted:
            raise FailedPreconditionError(
                f"run '{name}' ({r.id}) was synced before and has been deleted; restore it to sync again")
    return same[0] if same else None


def _sync_params(client: Any, run_dir: str, run_id: str) -> int:
    params: Dict[str, Any] = {}
    for p in _lines(run_dir, "params.jsonl"):
        key = p["key"]
        params.pop(key, None)   # a later line wins
        if "int" in p:
            params[key] = int(p["int"])
        elif "double" in p:
            params[key] = _double(p["double"])
        elif "bool" in p:
            params[key] = bool(p["bool"])
        elif "string" in p:
            params[key] = str(p["string"])
        else:
            raise ValueError(f"{run_dir}: param {key} has no value")
    keys = list(params)
    for i in range(0, len(keys), 1000):
        client.log_params(run_id, {k: params[k] for k in keys[i:i + 1000]})
    return len(params)


def _sync_metrics(client: Any, run_dir: str, run_id: str, local_id: str) -> "tuple[int, int]":
    lines = _lines(run_dir, "metrics.jsonl")
    writer = f"offline-{local_id}"
    last = client.get_writer_state(run_id, writer) if lines else 0
    sent = stored = 0
    for start in range(min(last, len(lines)), len(lines), LINES_PER_STREAM):
        batches = []
        for i in range(start, min(len(lines), start + LINES_PER_STREAM)):
            line = lines[i]
            batches.append(metric_pb2.LogMetricsRequest(batch=metric_pb2.MetricBatch(
                run_id=run_id, writer_id=writer, sequence=i + 1, keys=line["keys"], key_index=line["key_index"],
                step=line["step"], timestamp_ms=line["timestamp_ms"], value=[_double(v) for v in line["value"]])))
        response = client.log_metric_batches(batches)
        sent += response.accepted_batches
        stored += response.accepted_points
    return sent, stored


def _sync_tables(client: Any, run_dir: str, run_id: str) -> int:
    from labbook._values import to_cell
    tables: Dict[str, List[Dict[str, Any]]] = {}
    for line in _lines(run_dir, "tables.jsonl"):
        rows = tables.setdefault(line["table"], [])
        for r in line["rows"]:
            rows.append({k: (_double(v) if isinstance(v, (int, float)) or v in ("NaN", "Infinity", "-Infinity")
                             else str(v)) for k, v in r.items()})
    if not tables:
        return 0
    have = {t.name: t.row_count for t in client.list_tables(run_id)}
    appended = 0
    for name, rows in tables.items():
        for start in range(have.get(name, 0), len(rows), 10_000):
            chunk = rows[start:start + 10_000]
            client.append_table_rows(run_id, name, [metric_pb2.TableRow(cells={k: to_cell(v) for k, v in row.items()})
                                                    for row in chunk])
            appended += len(chunk)
    return appended


def _has_line(client: Any, run_id: str, offset: int) -> bool:
    return bool(client.read_logs(run_id, start_offset=offset, limit=1))


def _log_count(client: Any, run_id: str) -> int:
    if not _has_line(client, run_id, 0):
        return 0
    present, absent = 0, 1
    while _has_line(client, run_id, absent):
        present, absent = absent, absent * 2
    while absent - present > 1:
        mid = present + (absent - present) // 2
        if _has_line(client, run_id, mid):
            present = mid
        else:
            absent = mid
    return present + 1


def _truncate(text: str) -> str:
    data = text.encode("utf-8")
    return text if len(data) <= MAX_LINE_BYTES else data[:MAX_LINE_BYTES].decode("utf-8", "ignore")


def _sync_logs(client: Any, run_dir: str, run_id: str) -> int:
    lines = _lines(run_dir, "logs.jsonl")
    if not lines:
        return 0
    have = _log_count(client, run_id)
    appended = 0
    for start in range(min(have, len(lines)), len(lines), LOG_LINES_PER_CALL):
        chunk = []
        for line in lines[start:start + LOG_LINES_PER_CALL]:
            level = line.get("level") or "INFO"
            level = "ERROR" if level == "CRITICAL" else level
            chunk.append(log_pb2.LogLine(timestamp_ms=int(line["timestamp_ms"]),
                                         level=log_pb2.LogLevel.Value("LOG_LEVEL_" + level),
                                         stream=log_pb2.LogStream.Value("LOG_STREAM_" + (line.get("stream") or "USER")),
                                         text=_truncate(line.get("text") or "")))
        appended += client.append_log_lines(run_id, chunk).accepted_lines
    return appended


def _name_uuid(name: str) -> str:
    """Java's UUID.nameUUIDFromBytes (an MD5 UUID without namespace): the Java sync's upload ids."""
    digest = bytearray(hashlib.md5(name.encode("utf-8")).digest())
    digest[6] = (digest[6] & 0x0F) | 0x30
    digest[8] = (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def _sync_artifacts(client: Any, run_dir: str, run_id: str, local_id: str) -> "tuple[int, int, int]":
    from labbook import _artifacts
    latest: Dict[str, Dict[str, Any]] = {}
    for a in _lines(run_dir, "artifacts.jsonl"):
        latest.pop(a["path"], None)   # a later line wins
        latest[a["path"]] = a
    uploaded = skipped = references = 0
    root = os.path.realpath(run_dir)
    for path, a in latest.items():
        direction = a.get("direction") or "OUTPUT"
        try:
            existing = client.call("artifacts", "GetArtifact", artifact_pb2.GetArtifactRequest(
                run_id=run_id, path=path)).artifact
        except NotFoundError:
            existing = None
        is_ref = existing is not None and existing.kind == artifact_pb2.ARTIFACT_KIND_REFERENCE
        if (a.get("kind") or "file") == "reference":
            if existing is None or not is_ref or existing.uri != a["uri"]:
                client.create_reference(run_id, path, a["uri"], common_pb2.Direction.Value("DIRECTION_" + direction))
                references += 1
            else:
                skipped += 1
            continue
        sha = a.get("sha256") or ""
        if existing is not None and not is_ref and existing.sha256 == sha:
            skipped += 1
            continue
        file = os.path.realpath(os.path.join(run_dir, a["file"]))
        if not file.startswith(root + os.sep):
            raise ValueError(f"{run_dir}: artifact file {file} lies outside the run directory")
        step = a.get("step")
        _artifacts.upload(client, run_id, path, file, is_output=direction == "OUTPUT",
                          media_type=a.get("media_type") or "", step=None if step is None else int(step),
                          upload_id=_name_uuid(f"{local_id}\n{path}\n{sha}"))
        uploaded += 1
    return uploaded, skipped, references
