"""Locks that a forked child gets back released.

`os.fork()` copies a lock in the state it has at that instant, but not the thread that holds it:
a lock another thread held when the process forked stays held in the child, and the child's
first `with lock:` waits forever. The SDK's background threads take some locks for short steps
on every call: the sender's calls go through the token lookup (`_credentials.WatchedFile`),
which holds its lock over an `os.stat` of the credentials file, a window in which the GIL is
free and a fork in another thread catches the lock held. A forked child that then logged
through an inherited run hung in its first call (`test_forked_child_gets_a_fresh_writer`).

`lock()` makes such a lock; in a forked child every one of them that is held is released before
anything else of the SDK runs there (the sender's fork handler, which starts the child's sender
thread, is registered after this module's; `os.register_at_fork` runs `after_in_child` hooks in
registration order). What these locks guard must therefore tolerate a step cut short: caches
that are checked or rebuilt anyway (a file's parsed contents, a client's channel, which the
child builds anew). Not for locks held across a call to the server, nor for state that would be
left inconsistent. No cost on the paths that take them (a plain `threading.Lock`); one weak
reference per lock made.
"""
from __future__ import annotations

import os
import threading
import weakref
from typing import Any

_LOCKS: "weakref.WeakSet[Any]" = weakref.WeakSet()


def lock() -> threading.Lock:
    """A `threading.Lock` that a forked child finds released."""
    made = threading.Lock()
    _LOCKS.add(made)
    return made


def _release_in_child() -> None:
    # The only thread in the child is this one: none of these locks is held by a live thread
    # (a plain Lock may be released by any thread).
    for held in list(_LOCKS):
        if held.locked():
            held.release()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_release_in_child)
