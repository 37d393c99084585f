"""Retry with exponential backoff and jitter, for UNAVAILABLE and ABORTED only.

The numbers are the Java SDK's too (docs/python-sdk.md, docs/java-sdk.md): waits of 100 ms
doubling to 5 s, each drawn between a quarter of and the whole of that; a synchronous call
retries for at most RETRY_WINDOW_S in all, or CONNECT_WINDOW_S while the server has not answered
the client yet, so a wrong target or a stopped server fails fast."""
from __future__ import annotations

import random
import time
from typing import Callable, Optional, TypeVar

import grpc

from labbook.errors import from_rpc_error, is_retryable

T = TypeVar("T")

#: How long a synchronous call retries once the server has answered this client.
RETRY_WINDOW_S = 30.0
#: How long it retries before the server has ever answered this client.
CONNECT_WINDOW_S = 3.0


class Backoff:
    """Delays of base·2^n capped at `cap`, each drawn uniformly from [delay/4, delay], so many
    clients that lost the same server do not come back in lock step (the quarter keeps retries
    from spinning)."""

    def __init__(self, base: float = 0.1, cap: float = 5.0) -> None:
        self.base = base
        self.cap = cap
        self.attempt = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return random.uniform(delay / 4, delay)

    def reset(self) -> None:
        self.attempt = 0


def call_with_retry(fn: Callable[[], T], *, deadline_s: float = 30.0,
                    sleep: Callable[[float], None] = time.sleep,
                    on_retry: Optional[Callable[[grpc.RpcError], None]] = None,
                    window_s: Optional[Callable[[], float]] = None) -> T:
    """Calls fn; retries while it fails with a retryable code and the deadline allows (and the
    window, asked after each failure: e.g. shorter while the server has never answered); raises
    the typed LabbookError otherwise."""
    backoff = Backoff()
    start = time.monotonic()
    while True:
        try:
            return fn()
        except grpc.RpcError as error:
            code = error.code() if hasattr(error, "code") else None
            delay = backoff.next_delay()
            limit = deadline_s if window_s is None else min(deadline_s, window_s())
            if not is_retryable(error) or time.monotonic() + delay > start + limit:
                raise from_rpc_error(error) from error
            if on_retry is not None:
                on_retry(error)
            sleep(delay)
