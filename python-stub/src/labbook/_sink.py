"""Where a `Run`'s records go, one sink per mode (the Java SDK's RunSink / OnlineSink /
OfflineSink): `OnlineSink` talks to a server through a Client, `OfflineSink` writes an offline
run directory (docs/offline-format.md). The Run checks its arguments and keeps its own state
(steps, tags, name); the sink only delivers and reads back. Metric points and text lines go
through the run's background Sender in both modes: the sink gives it its transport.

Online, params, tags, description/name changes, table rows and the final status are queued
on the Sender too, behind the log lines logged before them, and sent by its thread in that
order (spooled to disk during an outage, docs/sdk-protocol.md); the request is built in the
caller's thread, so what the SDK can check (keys, names, sizes) still raises at the call; a
refusal only the server can make is reported in run.errors. Offline they are written at the
call."""
from __future__ import annotations

import collections
import logging
import os
import shutil
import uuid
from typing import Any, Dict, List, Mapping, Optional, Tuple

from google.protobuf import field_mask_pb2

from labbook import _artifacts, _ids, _offline, _sender
from labbook._source import source_info
from labbook._values import check_key, from_cell, from_param_value, to_cell, to_param_value
from labbook.errors import InvalidArgumentError, InvalidStatusTransitionError, NotFoundError
from labbook.v1 import log_pb2, metric_pb2, run_pb2

_log = logging.getLogger("labbook")
_INT64_MIN, _INT64_MAX = -(2 ** 63), 2 ** 63 - 1
ROWS_PER_APPEND = 10_000
PARAMS_PER_CALL = 1_000
# The server's limits that an asynchronous call checks at the call (docs/api.md)
MAX_TAGS = 100
MAX_TAG_VALUE_BYTES = 8 * 1024
MAX_NAME_LENGTH = 256
MAX_DESCRIPTION_BYTES = 64 * 1024
MAX_PARAM_VALUE_BYTES = 256 * 1024
_warned_offline = False

History = Tuple[List[int], List[int], List[float]]


class RunSink:
    """The interface both modes implement. `open` fills the run's identity (id, name, resumed,
    the steps of a resumed run's series); `transport` is what the run's Sender sends through."""

    where = "?"

    def open(self, run: Any) -> None:
        raise NotImplementedError

    def transport(self) -> _sender.Transport:
        raise NotImplementedError

    batch_points = _sender.BATCH_POINTS

    def attach(self, sender: _sender.Sender) -> None:
        """The run's sender, once started."""
        self.sender = sender

    # -- writing ---------------------------------------------------------------------------------
    def params(self, params: Mapping[str, Any]) -> None:
        raise NotImplementedError

    def set_tags(self, tags: Dict[str, str]) -> None:
        raise NotImplementedError

    def remove_tags(self, keys: List[str]) -> None:
        raise NotImplementedError

    def set_description(self, text: str) -> None:
        raise NotImplementedError

    def rename(self, name: str) -> None:
        raise NotImplementedError

    def rows(self, table: str, rows: List[Dict[str, Any]]) -> None:
        raise NotImplementedError

    def upload(self, name: str, source: _artifacts.Source, is_output: bool, media_type: str,
               step: Optional[int]) -> Dict[str, Any]:
        raise NotImplementedError

    def reference(self, name: str, value: str, is_output: bool, media_type: str) -> None:
        raise NotImplementedError

    def close(self, final: Optional[str], timeout: Optional[float]) -> Optional[str]:
        """Flushes and stops the sender and sets the final status (None: leaves it); returns
        the status the run ends with."""
        raise NotImplementedError

    # -- reading ---------------------------------------------------------------------------------
    def metrics(self) -> Dict[str, Any]:
        raise NotImplementedError

    def history(self, name: str, max_points: int, start_step: Optional[int],
                end_step: Optional[int]) -> History:
        raise NotImplementedError

    def parameters(self) -> Dict[str, Any]:
        raise NotImplementedError

    def tags(self, known: Dict[str, str]) -> Dict[str, str]:
        raise NotImplementedError

    def status(self) -> str:
        raise NotImplementedError

    def file_names(self, prefix: str) -> List[str]:
        raise NotImplementedError

    def download(self, name: str, target: str) -> None:
        raise NotImplementedError

    def logs(self) -> List[Dict[str, Any]]:
        raise NotImplementedError

    def portal_url(self) -> Optional[str]:
        return None


class OnlineSink(RunSink):
    """A run on a server."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.run_id = ""
        self.sender: Optional[_sender.Sender] = None

    @property
    def where(self) -> str:  # type: ignore[override]
        return self.client.target

    # -- opening ---------------------------------------------------------------------------------
    def open(self, run: Any) -> None:
        if run._attach:
            self._adopt(run, self.client.get_run(run.id))
            self._seed_steps(run)
        else:
            self._open(run)
        self.run_id = run.id
        # what dead writers left in the spool, in the background (docs/sdk-protocol.md)
        _sender.replay_at_open(self.client, run._spool_dir, run.id)

    def _open(self, run: Any) -> None:
        """OpenRun (the experiment is created when missing), or for `resume="never"` with a
        given name CreateRun with a request id: both are safe to retry after a lost answer."""
        source = run_pb2.SourceInfo(**source_info())
        policy = run.resume_policy
        if not run.name:
            # The name is made here, not by the server, so that an OpenRun retried after a lost
            # response resumes the run it created instead of creating a second one.
            run.name = f"run-{uuid.uuid4().hex[:12]}"
            policy = "allow"
        if policy == "never":
            # OpenRun(NEVER) retried after a lost answer would refuse the run it made itself;
            # CreateRun's request id makes the retry return that run instead.
            experiment = self.client.create_experiment(run.experiment, run.project, return_existing=True)
            created = self.client.create_run(
                experiment_id=experiment.id, name=run.name, description=run._description,
                tags=run._tags, params=run._initial_params, parent_run_id=run.parent_run_id,
                source=source)
            run.resumed = False
            self._adopt(run, created)
            return
        response = self.client.open_run(
            experiment=run.experiment, project=run.project, name=run.name, resume=policy,
            create_experiment_if_missing=True, description=run._description, tags=run._tags,
            params=run._initial_params, parent_run_id=run.parent_run_id, source=source)
        run.resumed = response.resumed
        self._adopt(run, response.run)
        if run.resumed:
            self._seed_steps(run)

    @staticmethod
    def _adopt(run: Any, stored: run_pb2.Run) -> None:
        run.id = stored.id
        run.name = stored.name
        run._description = stored.description
        run._tags = dict(stored.tags)

    def _seed_steps(self, run: Any) -> None:
        """A resumed run continues each series after its last step."""
        for summary in self.client.list_metrics(run.id):
            run._seed_series(summary.key, summary.last_step if summary.count > 0 else None,
                             summary.last_step + 1)

    def transport(self) -> _sender.Transport:
        return _sender.OnlineTransport(self.client, self.run_id)

    # -- writing: queued, sent in order by the sender thread ----------------------------------------
    def _queue(self, **request: Any) -> _sender.Call:
        assert self.sender is not None, "the run is not open"
        return self.sender.add_call(_sender.Call(**request))

    def params(self, params: Mapping[str, Any]) -> None:
        items = [run_pb2.Param(key=str(k), value=to_param_value(v)) for k, v in params.items()]
        for item in items:
            if item.value.WhichOneof("kind") == "string_value" and \
                    len(item.value.string_value.encode("utf-8", "surrogatepass")) > MAX_PARAM_VALUE_BYTES:
                raise InvalidArgumentError(f"param {item.key!r}: value longer than {MAX_PARAM_VALUE_BYTES} "
                                           "bytes", field="params.value")
        for start in range(0, len(items), PARAMS_PER_CALL):
            self._queue(log_params=run_pb2.LogParamsRequest(
                run_id=self.run_id, params=items[start:start + PARAMS_PER_CALL]))

    def set_tags(self, tags: Dict[str, str]) -> None:
        if not tags:
            return
        if len(tags) > MAX_TAGS:
            raise InvalidArgumentError(f"{len(tags)} tags: at most {MAX_TAGS} per run", field="tags")
        for key, value in tags.items():
            check_key(key, "tags.key")
            if len(value.encode("utf-8", "surrogatepass")) > MAX_TAG_VALUE_BYTES:
                raise InvalidArgumentError(f"tag {key!r}: value longer than {MAX_TAG_VALUE_BYTES} bytes",
                                           field="tags.value")
        self._queue(set_run_tags=run_pb2.SetRunTagsRequest(run_id=self.run_id, tags=tags))

    def remove_tags(self, keys: List[str]) -> None:
        if not keys:
            return
        for key in keys:
            check_key(key, "remove_keys")
        self._queue(set_run_tags=run_pb2.SetRunTagsRequest(run_id=self.run_id, remove_keys=keys))

    def set_description(self, text: str) -> None:
        if len(text.encode("utf-8", "surrogatepass")) > MAX_DESCRIPTION_BYTES:
            raise InvalidArgumentError(f"description longer than {MAX_DESCRIPTION_BYTES} bytes",
                                       field="description")
        self._queue(update_run=run_pb2.UpdateRunRequest(
            run_id=self.run_id, description=text, update_mask=field_mask_pb2.FieldMask(paths=["description"])))

    def rename(self, name: str) -> None:
        if not isinstance(name, str) or not name.strip() or name != name.strip() or len(name) > MAX_NAME_LENGTH:
            raise InvalidArgumentError(f"run name {name!r}: 1-{MAX_NAME_LENGTH} characters, not blank, "
                                       "without leading or trailing whitespace", field="name")
        self._queue(update_run=run_pb2.UpdateRunRequest(
            run_id=self.run_id, name=name, update_mask=field_mask_pb2.FieldMask(paths=["name"])))

    def rows(self, table: str, rows: List[Dict[str, Any]]) -> None:
        """Appends of up to 10,000 rows; the sender numbers each with this process's table
        writer when it first sends (or spools) it, so an append retried after a lost answer is
        stored once."""
        for start in range(0, len(rows), ROWS_PER_APPEND):
            chunk = [metric_pb2.TableRow(cells={str(k): to_cell(v) for k, v in row.items()})
                     for row in rows[start:start + ROWS_PER_APPEND]]
            self._queue(append_table_rows=metric_pb2.AppendTableRowsRequest(
                run_id=self.run_id, table=table, rows=chunk))

    def upload(self, name: str, source: _artifacts.Source, is_output: bool, media_type: str,
               step: Optional[int]) -> Dict[str, Any]:
        artifact = _artifacts.upload(self.client, self.run_id, name, source, is_output=is_output,
                                     media_type=media_type, step=step)
        return {"path": artifact.path, "size_bytes": artifact.size_bytes, "sha256": artifact.sha256,
                "media_type": artifact.media_type}

    def reference(self, name: str, value: str, is_output: bool, media_type: str) -> None:
        self.client.create_reference(self.run_id, name, value, _artifacts.direction(is_output), media_type)

    def close(self, final: Optional[str], timeout: Optional[float]) -> Optional[str]:
        """Queues FinishRun / CancelRun (with the time of this close as the end time) behind
        everything logged, then closes the sender: delivered, or spooled when the server stays
        unreachable (replay_spool sends it later). If someone else finished the run meanwhile
        (e.g. canceled it), their status stays: a warning, nothing raised; the status the run
        has is returned."""
        assert self.sender is not None
        call = None
        if final:
            now = _ids.now_ms()
            request = (dict(cancel_run=run_pb2.CancelRunRequest(run_id=self.run_id, end_time_ms=now))
                       if final == "CANCELED" else
                       dict(finish_run=run_pb2.FinishRunRequest(
                           run_id=self.run_id, status=run_pb2.RunStatus.Value(f"RUN_STATUS_{final}"),
                           end_time_ms=now)))
            call = self.sender.add_call(_sender.Call(quiet=True, **request))
        self.sender.close(timeout)
        if call is None or final is None:
            return final
        if call.outcome == "refused":
            if isinstance(call.error, InvalidStatusTransitionError):
                return self._already_final(final, call.error)
            assert call.error is not None
            self.sender.errors.append(call.error)
            _log.warning("labbook: the server refused status %s of run %s: %s", final, self.run_id,
                         call.error)
        elif call.outcome != "delivered":
            _log.warning("labbook: status %s of run %s is spooled (the server is unreachable); "
                         "labbook.replay_spool() sends it later", final, self.run_id)
        return final

    def _already_final(self, final: str, error: InvalidStatusTransitionError) -> str:
        current = error.metadata.get("status", "")
        if not current:
            try:
                current = run_pb2.RunStatus.Name(self.client.get_run(self.run_id).status)
            except Exception:  # the warning below still says what happened
                current = "UNKNOWN"
        current = current.replace("RUN_STATUS_", "")
        _log.warning("labbook: run %s is already %s; not setting %s (%s)", self.run_id, current,
                     final, error.message)
        return current

    # -- reading ---------------------------------------------------------------------------------
    def metrics(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for summary in self.client.list_metrics(self.run_id):
            out[summary.key] = summary.last_value
        for info in self.client.list_tables(self.run_id):
            columns, rows = self.client.get_table(self.run_id, info.name)
            names = [c.name for c in columns]
            data = {c: [from_cell(r.cells[c]) if c in r.cells else None for r in rows] for c in names}
            out[info.name] = data["value"] if names == ["value"] else data
        return out

    def history(self, name: str, max_points: int, start_step: Optional[int],
                end_step: Optional[int]) -> History:
        return self.client.get_metric_history(self.run_id, name, max_points=max_points,
                                              start_step=start_step, end_step=end_step)

    def parameters(self) -> Dict[str, Any]:
        return {p.key: from_param_value(p.value) for p in self.client.get_run(self.run_id).params}

    def tags(self, known: Dict[str, str]) -> Dict[str, str]:
        return dict(self.client.get_run(self.run_id).tags)

    def status(self) -> str:
        return run_pb2.RunStatus.Name(self.client.get_run(self.run_id).status).replace("RUN_STATUS_", "")

    def file_names(self, prefix: str) -> List[str]:
        return [a.path for a in self.client.list_artifacts(self.run_id, path_prefix=prefix)]

    def download(self, name: str, target: str) -> None:
        _artifacts.download(self.client, self.run_id, name, target)

    def logs(self) -> List[Dict[str, Any]]:
        return [{"timestamp_ms": l.timestamp_ms, "level": log_pb2.LogLevel.Name(l.level)[10:],
                 "stream": log_pb2.LogStream.Name(l.stream)[11:], "text": l.text}
                for l in self.client.read_logs(self.run_id)]

    def portal_url(self) -> Optional[str]:
        return self.client.run_url(self.run_id) if self.run_id else None


class OfflineSink(RunSink):
    """An offline run directory (docs/offline-format.md), written at the call."""

    where = "offline"
    batch_points = _sender.OFFLINE_BATCH_POINTS

    def __init__(self, root: Optional[str], sdk: str) -> None:
        self.root = root
        self.sdk = sdk
        self.store: Optional[_offline.OfflineStore] = None
        self.sender: Optional[_sender.Sender] = None

    def open(self, run: Any) -> None:
        global _warned_offline
        store = self.store = run.offline = _offline.OfflineStore(
            root=self.root, project=run.project, experiment=run.experiment, name=run.name,
            description=run._description, tags=run._tags, source=source_info(), sdk=self.sdk,
            resume=run.resume_policy)
        run.id = store.local_id
        run.name = store.meta["name"]
        run.resumed = store.resumed
        if run.resumed:
            for key, step in store.last_steps().items():
                run._seed_series(key, step, step + 1)
        if run._initial_params:
            store.log_params(run._initial_params)
        if not _warned_offline:
            _warned_offline = True
            _log.warning("labbook: no tracking server (LABBOOK_TRACKING_URI unset): recording offline "
                         "to %s; upload later with `bin/labbook sync %s`", store.dir, store.root)

    def transport(self) -> _sender.Transport:
        assert self.store is not None
        return self.store

    def _store(self) -> _offline.OfflineStore:
        assert self.store is not None, "the offline run is not open"
        return self.store

    # -- writing ---------------------------------------------------------------------------------
    def params(self, params: Mapping[str, Any]) -> None:
        self._store().log_params(params)

    def set_tags(self, tags: Dict[str, str]) -> None:
        self._store().set_tags(tags)

    def remove_tags(self, keys: List[str]) -> None:
        self._store().remove_tags(keys)

    def set_description(self, text: str) -> None:
        self._store().set_description(text)

    def rename(self, name: str) -> None:
        self._store().rename(name)

    def rows(self, table: str, rows: List[Dict[str, Any]]) -> None:
        for start in range(0, len(rows), ROWS_PER_APPEND):
            self._store().append_rows(table, rows[start:start + ROWS_PER_APPEND])

    def upload(self, name: str, source: _artifacts.Source, is_output: bool, media_type: str,
               step: Optional[int]) -> Dict[str, Any]:
        path, data = _artifacts._as_bytes_source(source)
        return self._store().add_file(name, path, data, is_output=is_output, media_type=media_type,
                                      step=step)

    def reference(self, name: str, value: str, is_output: bool, media_type: str) -> None:
        self._store().add_reference(name, value, is_output=is_output)

    def close(self, final: Optional[str], timeout: Optional[float]) -> Optional[str]:
        if self.sender is not None:
            self.sender.close(timeout)
        if final:
            self._store().finish(final, _ids.now_ms())
        self._store().release()  # a later run of this name may reopen the directory
        return final

    # -- reading ---------------------------------------------------------------------------------
    def metrics(self) -> Dict[str, Any]:
        store = self._store()
        last: Dict[str, Any] = {}
        for line in store.read("metrics.jsonl"):
            keys = line["keys"]
            for k, s, v in zip(line["key_index"], line["step"], line["value"]):
                if keys[k] not in last or s >= last[keys[k]][0]:
                    last[keys[k]] = (s, float(v))
        out: Dict[str, Any] = {k: v for k, (_s, v) in last.items()}
        tables: Dict[str, List[Dict[str, Any]]] = collections.OrderedDict()
        for line in store.read("tables.jsonl"):
            tables.setdefault(line["table"], []).extend(line["rows"])
        for table, rows in tables.items():
            names: List[str] = []
            for row in rows:
                names.extend(c for c in row if c not in names)
            data = {c: [row.get(c) for row in rows] for c in names}
            out[table] = data["value"] if names == ["value"] else data
        return out

    def history(self, name: str, max_points: int, start_step: Optional[int],
                end_step: Optional[int]) -> History:
        lo = _INT64_MIN if start_step is None else start_step
        hi = _INT64_MAX if end_step is None else end_step
        pts: List[Tuple[int, int, float]] = []
        found = False
        for line in self._store().read("metrics.jsonl"):
            keys = line["keys"]
            for k, s, t, v in zip(line["key_index"], line["step"], line["timestamp_ms"], line["value"]):
                if keys[k] == name:
                    found = True
                    if lo <= s <= hi:
                        pts.append((s, t, float(v)))
        if not found:
            raise NotFoundError(f"metric {name!r} not found in offline run {self._store().local_id}")
        pts.sort(key=lambda p: p[0])
        if not pts:
            return [], [], []
        steps, times, values = (list(c) for c in zip(*pts))
        return steps, times, values  # type: ignore[return-value]

    def parameters(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        for line in self._store().read("params.jsonl"):
            for kind in ("double", "int", "string", "bool"):
                if kind in line:
                    v = line[kind]
                    out[line["key"]] = float(v) if kind == "double" else v
        return out

    def tags(self, known: Dict[str, str]) -> Dict[str, str]:
        return dict(known)

    def status(self) -> str:
        return str(self._store().meta["status"])

    def file_names(self, prefix: str) -> List[str]:
        seen: Dict[str, None] = {}
        for line in self._store().read("artifacts.jsonl"):
            if line["path"].startswith(prefix):
                seen[line["path"]] = None
        return sorted(seen)

    def download(self, name: str, target: str) -> None:
        shutil.copyfile(os.path.join(self._store().dir, "files", *name.split("/")), target)

    def logs(self) -> List[Dict[str, Any]]:
        return self._store().read("logs.jsonl")


def sink_for(client: Any, offline_dir: Optional[str], sdk: str) -> RunSink:
    return OfflineSink(offline_dir, sdk) if client is None else OnlineSink(client)
