"""Where the token sent with every call comes from, and the header that carries it.

The first source that has a token wins, asked again at every call (a token file or the
credentials file may change while the process runs; the environment may be set late, e.g. in a
notebook):

1. `token=` given in code (`labbook.Client(target, token=...)`, `labbook.start_run(..., token=...)`);
2. env `LABBOOK_TOKEN`;
3. env `LABBOOK_TOKEN_FILE`: a file holding the token, e.g. a Kubernetes projected ServiceAccount
   token, read again when its mtime or size changes or at least every 60 s (the kubelet rotates
   it), whitespace stripped;
4. `~/.labbook/credentials` (INI, written by `labbook login`): the `token` of the section named
   after the server the client talks to (`host:port`).

Nothing found: no `authorization` header (a server with access control off needs none). No
token is ever logged; `repr` shows only where tokens come from.
"""
from __future__ import annotations

import collections
import configparser
import logging
import os
import stat
import time
from typing import Any, Callable, Dict, Optional, Set, Tuple

import grpc

from labbook import _forksafe
from labbook._target import parse_target

_log = logging.getLogger("labbook")

#: Read a watched file again at least this often, even when it looks unchanged.
MAX_AGE_S = 60.0
_AUTH_CODES = frozenset({grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED})
_WARNED_MODE: Set[str] = set()


def credentials_path() -> str:
    """`~/.labbook/credentials`."""
    return os.path.join(os.path.expanduser("~"), ".labbook", "credentials")


def mask(token: Optional[str]) -> str:
    """`lbk_abcd...`: enough to recognise a token, never enough to use it."""
    if token is None:
        return "none"
    return "***" if len(token) <= 12 else token[:8] + "..."


def is_auth_failure(code: Any) -> bool:
    return code in _AUTH_CODES


class WatchedFile:
    """A small file kept parsed; at each `get()` one stat, and a new read when its mtime or size
    changed or `MAX_AGE_S` passed. `warn` hears about each new problem once (never the content)."""

    def __init__(self, path: str, parse: Callable[[str], Any], warn: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.path = path
        self._parse = parse
        self._warn = warn
        self._clock = clock
        self._lock = _forksafe.lock()   # held over a stat and a read: a fork must not keep it
        self._stamp: Optional[Tuple[int, int]] = None   # (mtime_ns, size) of what `_value` came from
        self._read_at = 0.0
        self._value: Any = None
        self._problem: Optional[str] = None

    def get(self) -> Any:
        with self._lock:
            try:
                st = os.stat(self.path)
            except FileNotFoundError:
                return self._forget("does not exist")
            except OSError as error:
                return self._forget(f"cannot be read ({type(error).__name__})")
            now = self._clock()
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp or now - self._read_at >= MAX_AGE_S:
                try:
                    with open(self.path, encoding="utf-8") as f:
                        self._value = self._parse(f.read())
                except (OSError, ValueError, configparser.Error) as error:
                    return self._forget(f"cannot be read ({type(error).__name__})")
                self._stamp, self._read_at, self._problem = stamp, now, None
            return self._value

    def _forget(self, problem: str) -> None:
        self._value, self._stamp = None, None
        if problem != self._problem:
            self._problem = problem
            self._warn(f"{self.path} {problem}")
        return None


def parse_credentials(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, default_section="\x00none", strict=False)
    parser.read_string(text)
    return parser


def server_key(target: str) -> str:
    """The credentials-file section of a server: `host:port` as the client targets it, without
    scheme (`grpcs://h:7800` and `h:7800` share one)."""
    return parse_target(target)[0]


def _warn_if_others_can_read(path: str) -> None:
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH) and path not in _WARNED_MODE:
        _WARNED_MODE.add(path)
        _log.warning("labbook: credentials file %s is readable by other users; run: chmod 600 %s", path, path)


class Credentials:
    """The token sources of one client (see the module doc); `token()` is asked per call."""

    def __init__(self, target: str, token: Optional[str] = None) -> None:
        self.server = server_key(target)
        self._explicit = token.strip() if token and token.strip() else None
        self._files: Dict[Tuple[str, str], WatchedFile] = {}
        self._files_lock = _forksafe.lock()

    def _watched(self, kind: str, path: str) -> WatchedFile:
        key = (kind, path)
        watched = self._files.get(key)
        if watched is None:
            with self._files_lock:
                watched = self._files.get(key)
                if watched is None:
                    if kind == "token":
                        watched = WatchedFile(path, lambda text: text.strip() or None, lambda p: _log.warning(
                            "labbook: LABBOOK_TOKEN_FILE %s; calls go without its token until it can be read", p))
                    else:
                        def parse(text: str, path: str = path) -> configparser.ConfigParser:
                            _warn_if_others_can_read(path)
                            return parse_credentials(text)

                        def warn(problem: str) -> None:
                            if not problem.endswith("does not exist"):
                                _log.warning("labbook: credentials file %s", problem)
                        watched = WatchedFile(path, parse, warn)
                    self._files[key] = watched
        return watched

    def current(self) -> Optional[Tuple[str, str]]:
        """(token, where it came from) to send now, or None."""
        if self._explicit:
            return self._explicit, "the token given in code"
        env = os.environ.get("LABBOOK_TOKEN", "").strip()
        if env:
            return env, "LABBOOK_TOKEN"
        token_file = os.environ.get("LABBOOK_TOKEN_FILE", "").strip()
        if token_file:
            token = self._watched("token", token_file).get()
            if token:
                return token, f"LABBOOK_TOKEN_FILE {token_file}"
        path = credentials_path()
        parser = self._watched("credentials", path).get()
        if parser is not None and parser.has_section(self.server):
            token = parser.get(self.server, "token", fallback="").strip()
            if token:
                return token, f"{path} [{self.server}]"
        return None

    def token(self) -> Optional[str]:
        found = self.current()
        return found[0] if found else None

    def __repr__(self) -> str:
        return (f"Credentials(server={self.server!r}, token={'***' if self._explicit else None}, "
                f"then LABBOOK_TOKEN, LABBOOK_TOKEN_FILE, {credentials_path()} [{self.server}])")


class _CallDetails(collections.namedtuple(
        "_CallDetails", ("method", "timeout", "metadata", "credentials", "wait_for_ready", "compression")),
        grpc.ClientCallDetails):
    pass


class BearerTokenInterceptor(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor,
                             grpc.StreamUnaryClientInterceptor, grpc.StreamStreamClientInterceptor):
    """Adds `authorization: Bearer <token>` to every call (unary and streams, from any thread:
    the background sender, spool replay and uploads use the same channel)."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    def _details(self, details: Any) -> Any:
        token = self.credentials.token()
        if token is None:
            return details
        metadata = [(k, v) for k, v in (details.metadata or ()) if k != "authorization"]
        metadata.append(("authorization", f"Bearer {token}"))
        return _CallDetails(details.method, details.timeout, metadata, details.credentials,
                            getattr(details, "wait_for_ready", None), getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation: Any, details: Any, request: Any) -> Any:
        return continuation(self._details(details), request)

    def intercept_stream_unary(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return continuation(self._details(details), request_iterator)

    def intercept_stream_stream(self, continuation: Any, details: Any, request_iterator: Any) -> Any:
        return continuation(self._details(details), request_iterator)


class AuthNotice:
    """One warning — not one per retry — when the server refuses a client's background work
    (metric batches, log lines, spool replay) for its credentials; a success re-arms it."""

    def __init__(self) -> None:
        self._warned = False
        self._lock = _forksafe.lock()

    @property
    def warned(self) -> bool:
        return self._warned

    def refused(self, error: Any) -> bool:
        """True when `error` is UNAUTHENTICATED / PERMISSION_DENIED (and warns the first time)."""
        code = error.code() if hasattr(error, "code") and callable(error.code) else getattr(error, "code", None)
        if not is_auth_failure(code):
            return False
        with self._lock:
            if self._warned:
                return True
            self._warned = True
        from labbook.errors import from_rpc_error

        typed = from_rpc_error(error) if isinstance(error, grpc.RpcError) else error
        _log.warning("labbook: the server refuses this client's credentials (%s). Metric points, log "
                     "lines and the other calls are kept (spooled to disk after a while) and sent once it "
                     "accepts them; nothing is dropped meanwhile.", typed)
        return True

    def accepted(self) -> None:
        if self._warned:
            with self._lock:
                was, self._warned = self._warned, False
            if was:
                _log.info("labbook: the server accepts this client's credentials again")
