"""Time-ordered UUIDs (version 7, like the server's ids) and the millisecond clock."""
from __future__ import annotations

import os
import time
import uuid


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def uuid7() -> str:
    ms = now_ms()
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76                                  # version 7
    value |= ((rand >> 62) & 0xFFF) << 64               # rand_a (12 bits)
    value |= 0b10 << 62                                 # variant
    value |= rand & ((1 << 62) - 1)                     # rand_b (62 bits)
    return str(uuid.UUID(int=value))
