"""A fake Kubernetes API server for the tests (issue 18): plain HTTP on a free loopback port,
speaking as much of the API as the Labbook server's fabric8 client uses (KubernetesCompute,
NamespaceWatches): Jobs (batch/v1) created, read, listed, watched and deleted, pods (v1) listed
and watched. Objects live in memory with resourceVersions; every change is an event the open
watches receive (and a watch started from an older resourceVersion first receives what it
missed). The test plays the kubelet: `put_pod` adds or changes a pod as a node would report it.
`requests` records every request (method, path, query, body) for assertions; anything the fake
does not know is answered 404 and recorded in `unknown`, so a new call of the server shows up.

fabric8 first asks for a watch over a WebSocket; the fake answers that upgrade with 200, after
which fabric8 watches with a long-lived HTTP GET (`?watch=true`, chunked JSON lines), as it
does behind `kubectl proxy`."""
from __future__ import annotations

import copy
import datetime
import json
import queue
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

_JOBS = "/apis/batch/v1/namespaces/"
_PODS = "/api/v1/namespaces/"
_KINDS = {"jobs": ("batch/v1", "Job"), "pods": ("v1", "Pod")}


class Request:
    def __init__(self, method: str, path: str, query: Dict[str, str], body: Any) -> None:
        self.method, self.path, self.query, self.body = method, path, query, body

    def __repr__(self) -> str:
        return f"{self.method} {self.path} {self.query}"


class FakeKubernetes:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._version = 100
        #: (resource, namespace) -> name -> object
        self._objects: Dict[Tuple[str, str], Dict[str, Dict[str, Any]]] = {}
        #: every change: (resourceVersion, resource, namespace, event type, object)
        self._events: List[Tuple[int, str, str, str, Dict[str, Any]]] = []
        self._watches: List["queue.Queue[Optional[bytes]]"] = []
        self.requests: List[Request] = []
        self.unknown: List[Request] = []
        self.closed = threading.Event()
        #: (how many more POSTs to refuse, None: all; code, reason, message): see refuse_creates.
        self._refusal: Tuple[Optional[int], int, str, str] = (0, 0, "", "")
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"

    def start(self) -> "FakeKubernetes":
        threading.Thread(target=self._http.serve_forever, daemon=True, name="fake-kubernetes").start()
        return self

    def stop(self) -> None:
        self.closed.set()
        with self._lock:
            for watch in self._watches:
                watch.put(None)
        self._http.shutdown()
        self._http.server_close()

    def write_kubeconfig(self, path: Path, namespace: str = "default") -> Path:
        """A kubeconfig (JSON is YAML) naming this API with a dummy bearer token."""
        Path(path).write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "fake",
            "clusters": [{"name": "fake", "cluster": {"server": self.url}}],
            "users": [{"name": "fake", "user": {"token": "fake-token"}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake", "namespace": namespace}}],
        }))
        return Path(path)

    # -- what the test reads and does -----------------------------------------------------------
    def job(self, namespace: str, name: str) -> Optional[Dict[str, Any]]:
        with self._lock:
            found = self._objects.get(("jobs", namespace), {}).get(name)
            return copy.deepcopy(found) if found else None

    def calls(self, method: str, path_part: str = "") -> List[Request]:
        with self._lock:
            return [r for r in self.requests if r.method == method and path_part in r.path]

    def watching(self) -> int:
        """How many watches are open now."""
        with self._lock:
            return len(self._watches)

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"fake Kubernetes API: timed out waiting for {what}; requests: {self.requests}")

    def put_pod(self, namespace: str, pod: Dict[str, Any]) -> Dict[str, Any]:
        """Adds or replaces a pod as a kubelet would report it (an ADDED/MODIFIED event)."""
        with self._lock:
            return self._store("pods", namespace, pod)

    def delete_job(self, namespace: str, name: str) -> None:
        """Deletes a Job as `kubectl delete job` would (a DELETED event)."""
        with self._lock:
            assert self._delete("jobs", namespace, name) is not None, f"no Job {namespace}/{name}"

    def refuse_creates(self, count: Optional[int], code: int = 403, reason: str = "Forbidden",
                       message: str = "") -> None:
        """The next `count` creations (None: all until called again with 0) are answered with
        this Status, as an API without the RBAC for it, or overloaded, would."""
        with self._lock:
            self._refusal = (count, code, reason, message or f"{reason} (the fake refuses)")

    def set_job_status(self, namespace: str, name: str, status: Dict[str, Any]) -> None:
        with self._lock:
            job = copy.deepcopy(self._objects[("jobs", namespace)][name])
            job["status"] = status
            self._store("jobs", namespace, job)

    # -- the store (under the lock) ----------------------------------------------------------------
    def _next_version(self) -> str:
        self._version += 1
        return str(self._version)

    def _store(self, resource: str, namespace: str, obj: Dict[str, Any]) -> Dict[str, Any]:
        obj = copy.deepcopy(obj)
        api_version, kind = _KINDS[resource]
        obj.setdefault("apiVersion", api_version)
        obj.setdefault("kind", kind)
        meta = obj.setdefault("metadata", {})
        meta["namespace"] = namespace
        items = self._objects.setdefault((resource, namespace), {})
        before = items.get(meta["name"])
        if before is None:
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("creationTimestamp", datetime.datetime.now(datetime.timezone.utc)
                            .strftime("%Y-%m-%dT%H:%M:%SZ"))
        else:
            meta["uid"] = before["metadata"]["uid"]
            meta["creationTimestamp"] = before["metadata"]["creationTimestamp"]
        meta["resourceVersion"] = self._next_version()
        items[meta["name"]] = obj
        self._emit(resource, namespace, "ADDED" if before is None else "MODIFIED", obj)
        return copy.deepcopy(obj)

    def _delete(self, resource: str, namespace: str, name: str) -> Optional[Dict[str, Any]]:
        gone = self._objects.get((resource, namespace), {}).pop(name, None)
        if gone is not None:
            gone["metadata"]["resourceVersion"] = self._next_version()
            self._emit(resource, namespace, "DELETED", gone)
        return gone

    def _emit(self, resource: str, namespace: str, kind: str, obj: Dict[str, Any]) -> None:
        event = (int(obj["metadata"]["resourceVersion"]), resource, namespace, kind, copy.deepcopy(obj))
        self._events.append(event)
        for watch in self._watches:
            watch.put(event)  # type: ignore[arg-type]
        self._lock.notify_all()

    def _list(self, resource: str, namespace: str, selector: str) -> Dict[str, Any]:
        api_version, kind = _KINDS[resource]
        items = [copy.deepcopy(o) for o in self._objects.get((resource, namespace), {}).values()
                 if _matches(o, selector)]
        return {"apiVersion": api_version, "kind": kind + "List",
                "metadata": {"resourceVersion": str(self._version)}, "items": items}


def _matches(obj: Dict[str, Any], selector: str) -> bool:
    """Equality-based label selectors (`a=b,c!=d,e`), what fabric8's withLabel sends."""
    labels = obj.get("metadata", {}).get("labels") or {}
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key) != value:
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


def _status(code: int, reason: str, message: str, details: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success" if code < 300 else "Failure",
            "message": message, "reason": reason, "code": code, "details": details or {}}


def _handler(api: FakeKubernetes) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet: `requests` records them
            pass

        def _route(self) -> Optional[Tuple[str, str, Optional[str]]]:
            """(resource, namespace, name) of a Job or pod path."""
            path = urlsplit(self.path).path
            for prefix, resource in ((_JOBS, "jobs"), (_PODS, "pods")):
                if path.startswith(prefix):
                    parts = path[len(prefix):].split("/")
                    if len(parts) in (2, 3) and parts[1] == resource and all(parts):
                        return resource, parts[0], parts[2] if len(parts) == 3 else None
            return None

        def _record(self) -> Tuple[Request, Optional[Tuple[str, str, Optional[str]]]]:
            split = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            request = Request(self.command, split.path, query, body)
            route = self._route()
            with api._lock:
                api.requests.append(request)
                if route is None:
                    api.unknown.append(request)
            return request, route

        def _send(self, code: int, body: Dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            request, route = self._record()
            if route is None:
                return self._send(404, _status(404, "NotFound", f"the fake has no {request.path}"))
            resource, namespace, name = route
            if self.headers.get("Upgrade", "").lower() == "websocket":
                # not a WebSocket server: fabric8 then watches over plain HTTP
                return self._send(200, _status(200, "", "watch over HTTP"))
            if request.query.get("watch") in ("true", "1"):
                return self._watch(resource, namespace, request.query)
            with api._lock:
                if name is None:
                    return self._send(200, api._list(resource, namespace, request.query.get("labelSelector", "")))
                found = api._objects.get((resource, namespace), {}).get(name)
                if found is None:
                    return self._send(404, _status(404, "NotFound", f'{resource} "{name}" not found',
                                                   {"name": name, "kind": resource}))
                return self._send(200, found)

        def do_POST(self) -> None:
            request, route = self._record()
            if route is None or route[2] is not None or not isinstance(request.body, dict):
                return self._send(404, _status(404, "NotFound", f"the fake has no POST {request.path}"))
            resource, namespace, _ = route
            name = request.body.get("metadata", {}).get("name", "")
            with api._lock:
                count, code, reason, message = api._refusal
                if count is None or count > 0:
                    api._refusal = (None if count is None else count - 1, code, reason, message)
                    return self._send(code, _status(code, reason, message, {"name": name, "kind": resource}))
                if name in api._objects.get((resource, namespace), {}):
                    return self._send(409, _status(409, "AlreadyExists", f'{resource} "{name}" already exists',
                                                   {"name": name, "kind": resource}))
                created = api._store(resource, namespace, request.body)
            self._send(201, created)

        def do_DELETE(self) -> None:
            request, route = self._record()
            if route is None or route[2] is None:
                return self._send(404, _status(404, "NotFound", f"the fake has no DELETE {request.path}"))
            resource, namespace, name = route
            with api._lock:
                gone = api._delete(resource, namespace, name)
            if gone is None:
                return self._send(404, _status(404, "NotFound", f'{resource} "{name}" not found',
                                               {"name": name, "kind": resource}))
            self._send(200, _status(200, "", "", {"name": name, "kind": resource, "uid": gone["metadata"]["uid"]}))

        def _watch(self, resource: str, namespace: str, query: Dict[str, str]) -> None:
            """Streams the events of (resource, namespace) matching the selector: first those
            after the asked resourceVersion, then each new one, until timeoutSeconds or stop()."""
            selector = query.get("labelSelector", "")
            since = int(query.get("resourceVersion") or 0)
            ends = time.monotonic() + min(float(query.get("timeoutSeconds") or 300), 300)
            events: "queue.Queue[Any]" = queue.Queue()
            with api._lock:
                for event in api._events:
                    if event[0] > since:
                        events.put(event)
                api._watches.append(events)
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.flush()
                while not api.closed.is_set():
                    try:
                        event = events.get(timeout=max(0.0, min(1.0, ends - time.monotonic())))
                    except queue.Empty:
                        if time.monotonic() >= ends:
                            break
                        continue
                    if event is None:
                        break
                    _version, kind, ns, type_, obj = event
                    if kind != resource or ns != namespace or not _matches(obj, selector):
                        continue
                    line = (json.dumps({"type": type_, "object": obj}) + "\n").encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with api._lock:
                    api._watches.remove(events)
                self.close_connection = True

    return Handler
