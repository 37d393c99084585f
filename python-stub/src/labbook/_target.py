"""Where a client connects: parsing a target (`host:port`, `grpc://`, `grpcs://`), where it came
from, and what to suggest when it cannot be reached. No other labbook module is imported here:
both `client` and `_credentials` use it."""
from __future__ import annotations

import re
from typing import Tuple

DEFAULT_PORT = 7800
UI_PORT = 7880  # the web UI's HTTP port, often given by mistake for the gRPC port
#: Where a target came from, as connection errors name it.
SOURCE_CODE = "code"
SOURCE_ENV = "env LABBOOK_TRACKING_URI"
SOURCE_DEFAULT = "the default: no target given"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def parse_target(uri: str, source: str = SOURCE_CODE) -> Tuple[str, bool]:
    """`host:port`, `grpc://host:port` (plaintext) or `grpcs://host:port` (TLS) → (host:port,
    secure); the port defaults to 7800 (docs/script-mode.md). Any other scheme (`http://` is the
    usual one: the web UI's address) is a ValueError at once, naming `source`."""
    text = uri
    uri = uri.strip()
    secure = False
    scheme = _SCHEME.match(uri)
    if scheme:
        name = scheme.group(1).lower()
        if name == "grpcs":
            secure = True
        elif name in ("http", "https"):
            raise ValueError(
                f"target {text!r} (from {source}): scheme {name}:// is HTTP, but the SDKs speak gRPC: "
                f"use host:port, grpc://host:port or grpcs://host:port (TLS), with the server's gRPC port (default "
                f"{DEFAULT_PORT}; {UI_PORT} is the web UI's HTTP port)")
        elif name != "grpc":
            raise ValueError(f"target {text!r} (from {source}): unknown scheme {name}://; use "
                             "host:port, grpc://host:port or grpcs://host:port (TLS)")
        uri = uri[scheme.end():]
    uri = uri.rstrip("/")
    if not uri:
        raise ValueError(f"empty tracking URI (from {source})")
    if "/" in uri:
        raise ValueError(f"target {text!r} (from {source}): expected host[:port], without a path")
    host, sep, port = uri.rpartition(":")
    if not sep or not host or not port.isdigit():
        uri = f"{uri}:{DEFAULT_PORT}"
    return uri, secure


def _connection_hint(failure: str, target: str, secure: bool) -> str:
    """What probably went wrong when the server at `target` (host:port) could not be reached."""
    f = failure.lower()
    if secure and ("ssl" in f or "tls" in f):
        return (f"The TLS handshake failed: the server at {target} probably does not use TLS; for a "
                f"plaintext server use {target} or grpc://{target} instead of grpcs://")
    if "settings frame" in f or "http1" in f or "http/1" in f:
        return (f"The server at {target} does not answer gRPC (an HTTP server?): the SDKs speak gRPC on "
                f"port {DEFAULT_PORT} (by default), not the web UI's HTTP port {UI_PORT}")
    if not secure and ("socket closed" in f or "connection reset" in f):
        return (f"The server closed the connection during setup: if it uses TLS, use "
                f"grpcs://{target}")
    if target.endswith(f":{UI_PORT}"):
        return (f"Port {UI_PORT} is the web UI's HTTP port; the SDKs speak gRPC on port "
                f"{DEFAULT_PORT} (by default)")
    return (f"Is the server running there? To use another one, give its gRPC address (host:port, "
            f"default port {DEFAULT_PORT}) as LABBOOK_TRACKING_URI or explicitly")
