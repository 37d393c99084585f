"""Retry with exponential backoff and full jitter, for UNAVAILABLE and ABORTED only."""
from __future__ import annotations

import random
import time
from typing import Callable, Optional, TypeVar

import grpc

from labbook.errors import RETRYABLE_CODES, from_rpc_error

T = TypeVar("T")


class Backoff:
    """Delays of base·2^n capped at `cap`, each drawn uniformly from [0, delay] (full jitter), so
    many clients that lost the same server do not come back in lock step."""

    def __init__(self, base: float = 0.05, cap: float = 5.0) -> None:
        self.base = base
        self.cap = cap
        self.attempt = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return random.uniform(delay / 2, delay)

    def reset(self) -> None:
        self.attempt = 0


def call_with_retry(fn: Callable[[], T], *, deadline_s: float = 30.0,
                    sleep: Callable[[float], None] = time.sleep,
                    on_retry: Optional[Callable[[grpc.RpcError], None]] = None) -> T:
    """Calls fn; retries while it fails with a retryable code and the deadline allows; raises the
    typed LabbookError otherwise."""
    backoff = Backoff()
    give_up_at = time.monotonic() + deadline_s
    while True:
        try:
            return fn()
        except grpc.RpcError as error:
            code = error.code() if hasattr(error, "code") else None
            delay = backoff.next_delay()
            if code not in RETRYABLE_CODES or time.monotonic() + delay > give_up_at:
                raise from_rpc_error(error) from error
            if on_retry is not None:
                on_retry(error)
            sleep(delay)
