"""The background sender: points go from the caller's deque to columnar MetricBatches.

The caller only appends a tuple `(key_id, step, timestamp_ms, value)` to a `collections.deque`
(atomic under the GIL, no lock). A daemon thread drains the deque, packs up to `batch_points`
(50,000 online, 10,000 offline) points into one `MetricBatch` (packed parallel arrays, a key dictionary), numbers it with this
writer's next sequence and hands it to a transport:

* online: one LogMetrics stream per group of batches. The server commits each batch with the
  writer's `last_sequence`, so after a broken stream the sender asks `GetWriterState` and resends
  only the batches after it (exactly-once). Retries use jittered exponential backoff; an outage
  longer than `spool_after_s` (or too much pending data) moves the pending batches to a spool
  directory on disk, which is replayed in order once the server is back.
* offline: each batch becomes one line of metrics.jsonl (docs/offline-format.md).

Text log lines travel through a second deque, sent by the same thread in unary AppendLogLines
calls under a writer id of their own (one per kind of append: the server keeps one last sequence
per writer). A call whose answer is lost is resent with the same lines and sequence, after
GetWriterState said it was not committed; the server acknowledges a committed one as a
duplicate, so no line is stored twice. Table rows (sent at the call, not in the background) use
a third writer id, `SequencedWriter`.
"""
from __future__ import annotations

import collections
import itertools
import logging
import operator
import os
import threading
import time
import uuid
import weakref
from typing import Any, Callable, Deque, List, Optional, Tuple, cast

import grpc

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from labbook import _forksafe  # noqa: F401  (its fork hook first: it releases locks the new thread takes)
from labbook._credentials import is_auth_failure
from labbook._retry import Backoff
from labbook.errors import NotFoundError, from_rpc_error, is_retryable
from labbook.v1 import log_pb2, metric_pb2, run_pb2, spool_pb2

_log = logging.getLogger("labbook")

BATCH_POINTS = 50_000          # points per MetricBatch sent to a server (≤ 100,000 accepted)
OFFLINE_BATCH_POINTS = 10_000  # points per metrics.jsonl line (the offline format's limit)
MAX_KEYS_PER_BATCH = 1_000     # the server's limit
BATCHES_PER_STREAM = 32        # batches sent on one LogMetrics stream
DEFAULT_CAPACITY = 2_000_000   # points the caller may queue before log_metric waits
IDLE_WAIT_S = 0.05
# The longest the sender delivers calls in one round before it turns to metric batches and flush
# marks again: another thread logging text steadily keeps the call queue from ever emptying.
CALLS_SLICE_S = 0.1
#: The longest time between two lease renewals (the heartbeat): a third of the server's default
#: lease of 300 s. Each renewal's answer says when the lease expires; the next one is due after a
#: third of what is left, so a server with a shorter lease is renewed more often.
LEASE_RENEW_MAX_S = 100.0
LEASE_RENEW_MIN_S = 0.2
TRANSPORT_RETRIES = 5          # INTERNAL/UNKNOWN/CANCELLED retries before a batch counts as refused
_TRANSPORT_CODES = frozenset({grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN, grpc.StatusCode.CANCELLED})
LINES_PER_APPEND = 1_000
CALL_TIMEOUT_S = 60.0          # deadline of one queued unary call
DEFAULT_SPOOL_AFTER_S = 10.0   # the spool window; env LABBOOK_SPOOL_AFTER_SECONDS overrides
MAX_LINE_BYTES = 64 * 1024     # the server's limit per log line (UTF-8)
#: How long os.fork() waits for the senders to leave gRPC (see _before_fork); then it forks anyway.
FORK_QUIESCE_S = 2.0


def line_pieces(text: str) -> List[str]:
    """One log line as the server accepts it: valid UTF-8 (a lone surrogate, e.g. from a
    surrogateescape'd byte, becomes its `\\udcff` escape), no NUL (U+FFFD instead), and at most
    64 KiB of UTF-8 per line — a longer line is split into several, cut between characters."""
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    if text.isascii():
        if len(text) <= MAX_LINE_BYTES:
            return [text]
        return [text[i:i + MAX_LINE_BYTES] for i in range(0, len(text), MAX_LINE_BYTES)]
    data = text.encode("utf-8", "backslashreplace")
    if len(data) <= MAX_LINE_BYTES:
        return [data.decode("utf-8")]
    pieces = []
    while data:
        cut = min(len(data), MAX_LINE_BYTES)
        while cut < len(data) and (data[cut] & 0xC0) == 0x80:  # not inside a character
            cut -= 1
        pieces.append(data[:cut].decode("utf-8"))
        data = data[cut:]
    return pieces


class FlushMark:
    """Placed in the point deque by flush(); set once every point before it is acknowledged."""

    __slots__ = ("event", "sequence", "calls")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.sequence = -1
        self.calls = 0   # lines and calls enqueued before the mark (delivered or dropped: released)


Point = Tuple[int, int, int, float]
_GETTERS = tuple(operator.itemgetter(i) for i in range(4))


def _columns(chunk: List[Any]) -> Tuple[List[Any], ...]:
    """Points (tuples) to the four parallel columns; map+itemgetter runs in C and, unlike
    zip(*chunk), allocates no per-point iterator."""
    return tuple(list(map(getter, chunk)) for getter in _GETTERS)


class Transport:
    """Where batches and log lines go. `send_batches` raises grpc.RpcError on failure."""

    def send_batches(self, writer_id: str, batches: List[metric_pb2.MetricBatch]) -> None:
        raise NotImplementedError

    def start_send(self, writer_id: str, batches: List[metric_pb2.MetricBatch]) -> Any:
        """Starts sending; returns an object with done(), result() and add_done_callback()."""
        return _Done(self, writer_id, batches)

    def last_sequence(self, writer_id: str) -> int:
        raise NotImplementedError

    def send_lines(self, writer_id: str, sequence: int, lines: List[Tuple[int, int, int, str]]) -> None:
        """Appends lines as call `sequence` of `writer_id`; raises grpc.RpcError on failure."""
        raise NotImplementedError

    def send_unit(self, unit: "Unit") -> None:
        """Delivers one queued call; raises grpc.RpcError on failure. Only log lines here (an
        offline run writes everything else at the call)."""
        if unit.lines is None:
            raise NotImplementedError(f"{type(self).__name__} cannot send {unit.describe()}")
        self.send_lines(unit.writer_id, unit.sequence, unit.lines)

    def start_renew_lease(self) -> Any:
        """Starts renewing the run's lease (RenewRunLease); a future of the response, or None
        when there is no server (offline)."""
        return None

    spools = False


class _Done:
    """A finished 'future' for transports that send synchronously (offline files)."""

    def __init__(self, transport: Transport, writer_id: str, batches: List[metric_pb2.MetricBatch]) -> None:
        self.error: Optional[BaseException] = None
        try:
            transport.send_batches(writer_id, batches)
        except BaseException as error:  # re-raised by result()
            self.error = error

    def done(self) -> bool:
        return True

    def add_done_callback(self, fn: Callable[[Any], None]) -> None:
        fn(self)

    def result(self) -> None:
        if self.error is not None:
            raise self.error


class OnlineTransport(Transport):
    spools = True

    def __init__(self, client: Any, run_id: str) -> None:
        self.client = client
        self.run_id = run_id

    def send_batches(self, writer_id: str, batches: List[metric_pb2.MetricBatch]) -> None:
        self.client.log_metric_batches([metric_pb2.LogMetricsRequest(batch=b) for b in batches])

    def start_send(self, writer_id: str, batches: List[metric_pb2.MetricBatch]) -> Any:
        return self.client.stub("metrics").LogMetrics.future(
            iter([metric_pb2.LogMetricsRequest(batch=b) for b in batches]), timeout=120)

    def last_sequence(self, writer_id: str) -> int:
        return self.client.stub("metrics").GetWriterState(metric_pb2.GetWriterStateRequest(
            run_id=self.run_id, writer_id=writer_id), timeout=10).last_sequence

    def start_renew_lease(self) -> Any:
        return self.client.stub("runs").RenewRunLease.future(
            run_pb2.RenewRunLeaseRequest(run_id=self.run_id), timeout=10)

    def send_lines(self, writer_id: str, sequence: int, lines: List[Tuple[int, int, int, str]]) -> None:
        request = lines_request(self.run_id, writer_id, sequence, lines)
        self.client.stub("logs").AppendLogLines(request, timeout=CALL_TIMEOUT_S)

    def send_unit(self, unit: "Unit") -> None:
        if unit.lines is not None:
            self.send_lines(unit.writer_id, unit.sequence, unit.lines)
        else:
            send_spooled(self.client, unit.proto(self.run_id))


def _level(level: int) -> Any:
    # the offline format's CRITICAL (5) travels inside the SDK; the API stops at ERROR
    return min(level, log_pb2.LOG_LEVEL_ERROR)


def lines_request(run_id: str, writer_id: str, sequence: int,
                  lines: List[Tuple[int, int, int, str]]) -> log_pb2.AppendLogLinesRequest:
    return log_pb2.AppendLogLinesRequest(
        run_id=run_id, writer_id=writer_id, sequence=sequence, lines=[
            log_pb2.LogLine(timestamp_ms=ts, level=_level(level), stream=cast(Any, stream), text=text)
            for ts, level, stream, text in lines])


# SpooledCall field -> (client stub, method)
_METHODS = {
    "log_params": ("runs", "LogParams"),
    "set_run_tags": ("runs", "SetRunTags"),
    "append_log_lines": ("logs", "AppendLogLines"),
    "append_table_rows": ("metrics", "AppendTableRows"),
    "update_run": ("runs", "UpdateRun"),
    "finish_run": ("runs", "FinishRun"),
    "cancel_run": ("runs", "CancelRun"),
}


def send_spooled(client: Any, call: spool_pb2.SpooledCall, timeout: float = CALL_TIMEOUT_S) -> Any:
    """Makes the call a SpooledCall holds, once (no retry: the caller decides); raises
    grpc.RpcError."""
    kind = call.WhichOneof("call")
    if kind is None:
        raise ValueError("empty SpooledCall")
    service, method = _METHODS[kind]
    return getattr(client.stub(service), method)(getattr(call, kind), timeout=timeout)


def describe_call(call: spool_pb2.SpooledCall) -> str:
    kind = call.WhichOneof("call")
    if kind == "append_log_lines":
        r = call.append_log_lines
        return f"{len(r.lines)} log line(s) (writer {r.writer_id}, sequence {r.sequence})"
    if kind == "append_table_rows":
        r = call.append_table_rows
        return f"{len(r.rows)} row(s) of table {r.table!r} (writer {r.writer_id}, sequence {r.sequence})"
    if kind == "log_params":
        return f"params {', '.join(p.key for p in call.log_params.params)}"
    if kind == "set_run_tags":
        return "tags"
    if kind == "update_run":
        return f"{' and '.join(call.update_run.update_mask.paths)} change"
    if kind == "finish_run":
        return f"status {run_pb2.RunStatus.Name(call.finish_run.status).replace('RUN_STATUS_', '')}"
    if kind == "cancel_run":
        return "status CANCELED"
    return str(kind)


class Call:
    """A non-metric call a run queued (params, tags, description or name, table rows, status):
    the request as made, checked and built in the caller's thread. Table rows get their writer
    id and sequence on the sender thread when the call is first sent or spooled, so sequences
    follow the order of the queue. `outcome` is None until delivered ("delivered"), refused
    ("refused", with `error`) or spooled ("spooled")."""

    __slots__ = ("spooled", "outcome", "error", "done", "quiet")

    def __init__(self, quiet: bool = False, **request: Any) -> None:
        self.spooled = spool_pb2.SpooledCall(**request)
        self.quiet = quiet           # its owner reports a refusal (the run's final status)
        self.outcome: Optional[str] = None
        self.error: Optional[Exception] = None
        self.done = threading.Event()

    def settle(self, outcome: str, error: Optional[Exception] = None) -> None:
        self.outcome = outcome
        self.error = error
        self.done.set()


class Unit:
    """What the sender delivers next: a Call, a group of log lines (with their writer id and
    sequence, fixed once formed), or a call read back from the spool (`n`)."""

    __slots__ = ("spooled", "lines", "writer_id", "sequence", "items", "call", "n")

    def __init__(self, spooled: Optional[spool_pb2.SpooledCall] = None,
                 lines: Optional[List[Tuple[int, int, int, str]]] = None, writer_id: str = "",
                 sequence: int = 0, items: int = 0, call: Optional[Call] = None, n: int = 0) -> None:
        self.spooled = spooled
        self.lines = lines
        self.writer_id = writer_id
        self.sequence = sequence
        self.items = items          # queue items it stands for (0: read from the spool)
        self.call = call
        self.n = n                  # its spool file number, when read from the spool

    def proto(self, run_id: str) -> spool_pb2.SpooledCall:
        if self.spooled is None:
            assert self.lines is not None
            self.spooled = spool_pb2.SpooledCall(append_log_lines=lines_request(
                run_id, self.writer_id, self.sequence, self.lines))
        return self.spooled

    @property
    def kind(self) -> str:
        return "append_log_lines" if self.lines is not None else str(
            self.spooled.WhichOneof("call") if self.spooled is not None else "")

    def describe(self) -> str:
        if self.lines is not None:
            return f"{len(self.lines)} log line(s)"
        return describe_call(self.spooled) if self.spooled is not None else "call"


class SequencedWriter:
    """A writer id and its sequence counter for appends sent one call at a time from the
    caller's thread (table rows). Hold `lock` from taking a sequence until the call is answered:
    a later sequence committed first would make the server skip the earlier one as a
    duplicate."""

    def __init__(self) -> None:
        self.writer_id = uuid.uuid4().hex
        self.lock = threading.Lock()
        self._next = 1

    def take(self) -> int:
        sequence = self._next
        self._next += 1
        return sequence


LOCK_FILE = "writer.lock"
LOCK_WAIT_S = 5.0             # how long a writer waits for a replayer to let go of its directory
BATCH_SUFFIX = ".batch"
OLD_BATCH_SUFFIX = ".pb"      # the previous Python SDK's `%016d.pb`: read and replayed, never written
CALL_SUFFIX = ".call"
# Spool directories whose writer lock this process holds: POSIX record locks do not exclude the
# process that holds them, so the process keeps track itself.
_HELD_SPOOLS: set = set()
_HELD_LOCK = threading.Lock()


def _batch_name(sequence: int) -> str:
    return f"{sequence:020d}{BATCH_SUFFIX}"


def _call_name(n: int) -> str:
    return f"{n:020d}{CALL_SUFFIX}"


class Spool:
    """One writer's spool directory (`labbook-spool/1`, docs/sdk-protocol.md): unsent metric
    batches (`<sequence %020d>.batch`, MetricBatch; `%016d.pb` of older Python versions is read
    too) and unsent calls (`<n %020d>.call`, SpooledCall, n = 1, 2, 3… in call order), each
    written to a `.tmp` file first and renamed.

    While the directory holds anything, its writer keeps a POSIX record lock (`fcntl.lockf`,
    the kind Java's FileChannel.lock takes) on `writer.lock`: replay (in any process, in either
    language) skips a locked directory, so it never sends or deletes what a live writer owns. The
    kernel releases the lock when the process dies."""

    def __init__(self, root: str, run_id: str, writer_id: str) -> None:
        self.dir = os.path.join(root, run_id, writer_id)
        self.sequences: Deque[int] = collections.deque()
        self.calls: Deque[int] = collections.deque()
        self._names: dict = {}               # batch sequence -> file name (old or new form)
        self._next_call = 1
        self._lock_fd: Optional[int] = None

    def __len__(self) -> int:
        """The number of spooled metric batches."""
        return len(self.sequences)

    def load(self) -> None:
        """Reads what a dead writer left: batches in sequence order, calls in n order."""
        batches = {}
        calls = []
        for name in os.listdir(self.dir):
            stem, dot, suffix = name.partition(".")
            if not stem.isdigit() or name.endswith(".tmp"):
                continue
            if "." + suffix == BATCH_SUFFIX or ("." + suffix == OLD_BATCH_SUFFIX and int(stem) not in batches):
                batches[int(stem)] = name
            elif "." + suffix == CALL_SUFFIX:
                calls.append(int(stem))
        for seq in sorted(batches):
            self.sequences.append(seq)
            self._names[seq] = batches[seq]
        self.calls.extend(sorted(calls))
        self._next_call = (self.calls[-1] + 1) if self.calls else 1

    def lock(self) -> bool:
        """Takes the directory's writer lock (non-blocking); False when another holder (another
        process, or another Spool of this process) has it."""
        if self._lock_fd is not None:
            return True
        if fcntl is None:  # no POSIX locks (Windows): no protection, as before
            return True
        os.makedirs(self.dir, exist_ok=True)
        with _HELD_LOCK:
            if self.dir in _HELD_SPOOLS:
                return False
            fd = os.open(os.path.join(self.dir, LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            _HELD_SPOOLS.add(self.dir)
            self._lock_fd = fd
        return True

    def unlock(self) -> None:
        with _HELD_LOCK:
            if self._lock_fd is not None:
                os.close(self._lock_fd)   # releases the record lock
                self._lock_fd = None
                _HELD_SPOOLS.discard(self.dir)

    def forget_lock_after_fork(self) -> None:
        """A forked child does not inherit the parent's record lock; it only drops its copy of
        the descriptor (closing it releases nothing of the parent's)."""
        if self._lock_fd is not None:
            try:
                os.close(self._lock_fd)
            except OSError:
                pass
            self._lock_fd = None
            _HELD_SPOOLS.discard(self.dir)

    def _write(self, name: str, data: bytes) -> None:
        os.makedirs(self.dir, exist_ok=True)
        # a replayer (of any process) holds the lock only while it looks: wait for it, as Java does
        deadline = time.monotonic() + LOCK_WAIT_S
        while not self.lock() and time.monotonic() < deadline:
            time.sleep(0.01)
        path = os.path.join(self.dir, name)
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)

    def write(self, batch: metric_pb2.MetricBatch) -> None:
        name = _batch_name(batch.sequence)
        self._write(name, batch.SerializeToString())
        self.sequences.append(batch.sequence)
        self._names[batch.sequence] = name

    def _path(self, sequence: int) -> str:
        return os.path.join(self.dir, self._names.get(sequence) or _batch_name(sequence))

    def head(self, n: int) -> List[metric_pb2.MetricBatch]:
        out = []
        for seq in list(self.sequences)[:n]:
            with open(self._path(seq), "rb") as f:
                out.append(metric_pb2.MetricBatch.FromString(f.read()))
        return out

    def drop_through(self, sequence: int) -> None:
        while self.sequences and self.sequences[0] <= sequence:
            seq = self.sequences.popleft()
            try:
                os.remove(self._path(seq))
            except FileNotFoundError:
                pass
            self._names.pop(seq, None)
        if not self.sequences:
            self.remove_if_empty()

    # -- calls ---------------------------------------------------------------------------------
    def write_call(self, call: spool_pb2.SpooledCall) -> int:
        n = self._next_call
        self._write(_call_name(n), call.SerializeToString())
        self._next_call += 1
        self.calls.append(n)
        return n

    def call_path(self, n: int) -> str:
        return os.path.join(self.dir, _call_name(n))

    def read_call(self, n: int) -> spool_pb2.SpooledCall:
        with open(self.call_path(n), "rb") as f:
            return spool_pb2.SpooledCall.FromString(f.read())

    def drop_call(self, n: int) -> None:
        if self.calls and self.calls[0] == n:
            self.calls.popleft()
        else:
            try:
                self.calls.remove(n)
            except ValueError:
                pass
        try:
            os.remove(self.call_path(n))
        except FileNotFoundError:
            pass
        if not self.calls and not self.sequences:
            self.remove_if_empty()

    def remove_if_empty(self) -> None:
        if self.sequences or self.calls:
            return
        self._next_call = 1
        try:
            os.remove(os.path.join(self.dir, LOCK_FILE))
        except OSError:
            pass
        self.unlock()
        try:
            os.rmdir(self.dir)
        except OSError:
            pass

    def forget_missing(self) -> List[int]:
        """Sequences whose files vanished (deleted by someone else); removed from the queue."""
        missing = [seq for seq in self.sequences if not os.path.exists(self._path(seq))]
        if missing:
            self.sequences = collections.deque(q for q in self.sequences if q not in set(missing))
        return missing


_LIVE: "weakref.WeakSet[Sender]" = weakref.WeakSet()


def spool_after_from_env() -> float:
    """The spool window: LABBOOK_SPOOL_AFTER_SECONDS (seconds, > 0), else 10 s."""
    text = os.environ.get("LABBOOK_SPOOL_AFTER_SECONDS", "").strip()
    if text:
        try:
            value = float(text)
            if value > 0:
                return value
        except ValueError:
            pass
        _log.warning("labbook: LABBOOK_SPOOL_AFTER_SECONDS=%r is not a positive number; using %s s",
                     text, DEFAULT_SPOOL_AFTER_S)
    return DEFAULT_SPOOL_AFTER_S


class Sender:
    """Owns the point deque and the call queue (log lines and the other calls, in order) of one
    run in one process, and the thread that empties them."""

    def __init__(self, transport: Transport, keys: List[str], *, run_id: str,
                 spool_dir: Optional[str] = None, spool_after_s: Optional[float] = None,
                 capacity: int = DEFAULT_CAPACITY, max_pending_points: int = 1_000_000,
                 batch_points: int = BATCH_POINTS) -> None:
        self.transport = transport
        self.batch_points = batch_points
        self.run_id = run_id
        self.keys = keys                      # shared with the run: key id -> name (append-only)
        self.points: Deque[Any] = collections.deque()
        # log lines (tuples) and Calls, in the order they were made
        self.calls: Deque[Any] = collections.deque()
        self.capacity = capacity
        self.spool_root = spool_dir or os.environ.get("LABBOOK_SPOOL_DIR") or os.path.join(
            os.path.expanduser("~"), ".labbook", "spool")
        self.spool_after_s = spool_after_from_env() if spool_after_s is None else spool_after_s
        self.max_pending_points = max_pending_points
        self.errors: List[Exception] = []     # permanent failures (dropped data), newest last
        self.calls_done = 0                   # queue items delivered, dropped or spooled (_calls_lock)
        self._calls_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = False
        self._reset_fork_pause()
        self._reset_writer()
        _LIVE.add(self)
        self._start_thread()

    # -- state that a forked child must not share ---------------------------------------------
    def _reset_writer(self) -> None:
        # One writer id per kind of append (metric batches, log lines, table rows), each with its
        # own sequences; the server keeps one last sequence per writer id.
        self.writer_id = uuid.uuid4().hex
        self.next_sequence = 1
        self.acked_sequence = 0               # every batch <= this is committed (or dropped)
        self.pending: List[metric_pb2.MetricBatch] = []
        self.pending_points = 0
        self.marks: List[FlushMark] = []
        self.spool: Optional[Spool] = None
        self._backoff = Backoff(base=0.1, cap=5.0)
        self._next_attempt = 0.0
        self._outage_since: Optional[float] = None
        self._outage_auth = False            # the outage is the server refusing the credentials
        self._transport_failures = 0
        self.lines_writer_id = uuid.uuid4().hex
        self._next_line_sequence = 1
        self._in_flight: Optional[Unit] = None    # the queued call being delivered
        self._check_state = False            # an append failed: ask GetWriterState before resending
        self._calls_backoff = Backoff(base=0.1, cap=5.0)
        self._calls_next_attempt = 0.0
        self._call_failures = 0
        self._calls_outage_since: Optional[float] = None
        self._calls_outage_auth = False      # the calls' outage is refused credentials
        self._spooled_calls: dict = {}        # spool file n -> the Call it holds (outcome reporting)
        self.tables = SequencedWriter()
        self._lease_due = 0.0                 # time.monotonic() of the next renewal; 0: now
        self._lease_interval = LEASE_RENEW_MAX_S
        self._lease_call: Any = None          # the renewal in flight (a forked child forgets it)

    def _reset_fork_pause(self) -> None:
        self._pausing = False                 # a fork waits for this sender to park (_before_fork)
        self._parked = threading.Event()      # the thread is parked: no call of it in flight
        self._resume = threading.Event()      # the fork is done: the parked thread goes on

    def _start_thread(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"labbook-sender-{self.run_id[:8]}",
                                        daemon=True)
        self._thread.start()

    def after_fork_in_child(self) -> None:
        """The parent still owns its queued points and its writer: the child starts empty with a
        writer id of its own, so the parent's sequences never collide with the child's."""
        self.points.clear()   # in place: the run holds this deque for its hot path
        self.calls.clear()
        self.calls_done = 0
        self._calls_lock = threading.Lock()
        if self.spool is not None:
            self.spool.forget_lock_after_fork()
        self._wake = threading.Event()
        self._reset_fork_pause()
        self._reset_writer()
        if not self._stop:
            self._start_thread()

    # -- caller side -----------------------------------------------------------------------------
    def wait_for_room(self) -> None:
        """Backpressure when the caller outruns the sender by `capacity` points."""
        self._wake.set()
        while len(self.points) > self.capacity and self._thread.is_alive():
            time.sleep(0.001)

    def add_line(self, timestamp_ms: int, level: int, stream: int, text: str) -> None:
        self.calls.append((timestamp_ms, level, stream, text))

    def add_call(self, call: Call) -> Call:
        """Queues a call behind everything queued before it (lines included)."""
        self.calls.append(call)
        self._wake.set()
        return call

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Waits until every point, line and call queued before this call is committed by the
        server (written, offline). True when done within `timeout`; on False the data stays
        queued or spooled and is still sent later."""
        mark = FlushMark()
        with self._calls_lock:
            mark.calls = self.calls_done + len(self.calls)
        self.points.append(mark)
        self._wake.set()
        if not self._thread.is_alive():
            return False
        return mark.event.wait(timeout)

    def close(self, timeout: Optional[float] = 60.0) -> bool:
        done = self.flush(timeout)
        self._stop = True
        self._wake.set()
        self._thread.join(timeout=5)
        if not done:
            self._spool_everything()
        if self.spool is not None:
            self.spool.unlock()  # what is left is replay_spool's now
        return done

    # -- sender thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            busy = len(self.points) >= self.batch_points
            if not busy:
                self._wake.wait(IDLE_WAIT_S)
            self._wake.clear()
            try:
                if self._pausing:
                    self._park_for_fork()
                self._pack()
                self._deliver()
                self._deliver_calls()
                self._release_marks()
                self._heartbeat()
            except Exception as error:  # never let the thread die: report and continue
                _log.exception("labbook: sender error: %s", error)
                time.sleep(0.1)
            if self._stop and not self.points:
                return

    # -- fork ------------------------------------------------------------------------------------
    def _park_for_fork(self) -> None:
        """On the sender thread, while another thread is about to fork: waits for the lease
        renewal in flight (metric sends and calls are finished by then), then stays parked
        outside gRPC until the fork is done (at most a few seconds, should the resume be lost)."""
        call = self._lease_call
        if call is not None and not call.done():
            answered = threading.Event()
            call.add_done_callback(lambda _c: answered.set())
            answered.wait(FORK_QUIESCE_S)
        self._parked.set()
        self._resume.wait(FORK_QUIESCE_S * 2)
        self._parked.clear()

    def pause_for_fork(self) -> None:
        """Asks the sender thread to park (_before_fork)."""
        self._resume.clear()
        self._pausing = True
        self._wake.set()

    def wait_parked(self, timeout: float) -> bool:
        if self._thread is threading.current_thread() or not self._thread.is_alive():
            return True
        return self._parked.wait(max(0.0, timeout))

    def resume_after_fork(self) -> None:
        """In the parent, after the fork."""
        self._pausing = False
        self._resume.set()

    def _heartbeat(self) -> None:
        """Renews the run's lease when due (the first time at once), so that the server does not
        mark the run CRASHED while this process lives. One asynchronous unary call at a time on
        the sender thread; logging never waits for it. A failure is silent and retried after the
        same interval (during an outage the metric and line deliveries report and spool)."""
        if self._stop:
            return
        call = self._lease_call
        if call is not None:
            if not call.done():
                return
            self._lease_call = None
            try:
                response = call.result()
            except Exception as error:  # RpcError, or the channel closed: silent, retried
                _log.debug("labbook: lease renewal of run %s failed (will retry): %s", self.run_id, error)
            else:
                if response.lease_expire_time_ms > 0:
                    left_s = response.lease_expire_time_ms / 1000.0 - time.time()
                    self._lease_interval = min(LEASE_RENEW_MAX_S, max(LEASE_RENEW_MIN_S, left_s / 3))
                else:
                    # QUEUED, or finished by someone else: no lease to keep
                    self._lease_due = float("inf")
                    return
            self._lease_due = time.monotonic() + self._lease_interval
            return
        if time.monotonic() < self._lease_due:
            return
        try:
            self._lease_call = self.transport.start_renew_lease()
        except Exception as error:  # never let the heartbeat stop the sender
            _log.debug("labbook: lease renewal of run %s not sent (will retry): %s", self.run_id, error)
            self._lease_due = time.monotonic() + self._lease_interval
            return
        if self._lease_call is None:
            self._lease_due = float("inf")  # offline: no server, no lease

    def _pack(self, rounds: int = 16) -> None:
        """Moves queued points into numbered batches (at most 16 per pass, so the thread gets
        back to sending)."""
        points = self.points
        popleft = points.popleft
        while points and rounds > 0:
            rounds -= 1
            chunk = [popleft() for _ in range(min(len(points), self.batch_points))]
            try:
                columns = _columns(chunk)
            except TypeError:  # a FlushMark is in the chunk (it is not subscriptable)
                self._split_marks(chunk)
                continue
            self._add_batch_or_drop(columns)

    def _split_marks(self, chunk: List[Any]) -> None:
        """Cuts the chunk at flush marks: points before a mark form their own batch, and the mark
        remembers the last sequence it waits for."""
        out: List[Any] = []
        for item in chunk:
            if item.__class__ is FlushMark:
                if out:
                    self._add_batch_or_drop(_columns(out))
                    out = []
                item.sequence = self.next_sequence - 1
                self.marks.append(item)
            else:
                out.append(item)
        if out:
            self._add_batch_or_drop(_columns(out))

    def _add_batch_or_drop(self, columns: Tuple[Any, ...]) -> None:
        """A chunk that cannot become a batch (a value protobuf refuses, a full disk under the
        spool) is dropped and reported in `errors`; the points and flush marks after it go on."""
        try:
            self._add_batch(columns)
        except Exception as error:
            self.errors.append(error)
            _log.error("labbook: dropped %d metric point(s) of run %s: %s", len(columns[3]), self.run_id, error)

    def _add_batch(self, columns: Tuple[Any, ...]) -> None:
        key_ids, steps, times, values = columns
        keys = self.keys
        if len(keys) <= MAX_KEYS_PER_BATCH:
            names = keys[:max(key_ids) + 1]
            index: Any = key_ids
        else:  # a dictionary of just the keys this batch uses
            used: dict = {}
            index = [used.setdefault(k, len(used)) for k in key_ids]
            names = [keys[k] for k in used]
            if len(names) > MAX_KEYS_PER_BATCH:  # split: rare, keeps the server's limit
                half = len(key_ids) // 2
                self._add_batch(tuple(c[:half] for c in columns))
                self._add_batch(tuple(c[half:] for c in columns))
                return
        batch = metric_pb2.MetricBatch(
            run_id=self.run_id, writer_id=self.writer_id, sequence=self.next_sequence,
            keys=names, key_index=index, step=steps, timestamp_ms=times, value=values)
        self.next_sequence += 1
        if self.spool is not None and len(self.spool):
            self.spool.write(batch)
        else:
            self.pending.append(batch)
            self.pending_points += len(values)

    def _deliver(self) -> None:
        now = time.monotonic()
        if self.pending and self._outage_since is not None and self.transport.spools and (
                now - self._outage_since >= self.spool_after_s or self.pending_points > self.max_pending_points):
            self._spool_pending()   # at once, not after the next backoff delay: a kill loses nothing
        while (self.pending or (self.spool is not None and len(self.spool))) and now >= self._next_attempt \
                and not self._pausing:
            if self._outage_since is not None and self.transport.spools and (
                    now - self._outage_since >= self.spool_after_s
                    or self.pending_points > self.max_pending_points):
                self._spool_pending()
            from_spool = self.spool is not None and len(self.spool) > 0
            try:
                group = (self.spool.head(BATCHES_PER_STREAM) if self.spool is not None and from_spool
                         else self.pending[:BATCHES_PER_STREAM])
            except FileNotFoundError:
                self._resync_spool()
                continue
            try:
                self._send_while_packing(group)
            except grpc.RpcError as error:
                self._on_send_error(error, group)
                return
            except OSError as error:  # offline transport: a disk error drops the data, loudly
                self._drop(group, error)
                continue
            self._acknowledge(group[-1].sequence)
            self._backoff.reset()
            self._transport_failures = 0
            self._auth_accepted()
            if self._outage_since is not None and not self._outage_auth:
                _log.warning("labbook: server reachable again; resent the unacknowledged batches")
            self._outage_since = None
            self._outage_auth = False
            now = time.monotonic()
        if self.pending_points > self.max_pending_points and self.transport.spools:
            self._spool_pending()

    def _resync_spool(self) -> None:
        """Spooled files vanished (something deleted them): whatever the server committed is
        acknowledged, the rest of the missing batches is reported as dropped."""
        assert self.spool is not None
        try:
            self._acknowledge(self.transport.last_sequence(self.writer_id))
        except grpc.RpcError:
            self._next_attempt = time.monotonic() + self._backoff.next_delay()
        lost = [seq for seq in self.spool.forget_missing() if seq > self.acked_sequence]
        if lost:
            error = FileNotFoundError(f"{len(lost)} spooled metric batch(es) of run {self.run_id} "
                                      f"were deleted before the server had them")
            self.errors.append(error)
            _log.error("labbook: %s", error)
            self._acknowledge(max(lost))
        self.spool.remove_if_empty()

    def _send_while_packing(self, group: List[metric_pb2.MetricBatch]) -> None:
        """Sends a group; while the server commits it, packs the next points (the network wait
        releases the GIL), so packing and committing overlap."""
        arrived = threading.Event()
        future = self.transport.start_send(self.writer_id, group)
        future.add_done_callback(lambda _f: arrived.set())
        while not arrived.is_set():
            if self.points and self.pending_points < self.max_pending_points:
                self._pack(rounds=1)
            else:
                arrived.wait(0.01)
        future.result()

    def _acknowledge(self, sequence: int) -> None:
        if sequence <= self.acked_sequence:
            return
        self.acked_sequence = sequence
        kept = [b for b in self.pending if b.sequence > sequence]
        self.pending_points -= sum(len(b.value) for b in self.pending if b.sequence <= sequence)
        self.pending = kept
        if self.spool is not None:
            self.spool.drop_through(sequence)

    def _on_send_error(self, error: grpc.RpcError, group: List[metric_pb2.MetricBatch]) -> None:
        code = error.code()
        # What did the server commit before the stream broke? Only the rest is resent.
        try:
            self._acknowledge(self.transport.last_sequence(self.writer_id))
        except grpc.RpcError:
            pass
        if code in _TRANSPORT_CODES and self._transport_failures < TRANSPORT_RETRIES:
            # INTERNAL/UNKNOWN/CANCELLED are usually a broken connection or proxy, not a verdict
            # on the batch: retried a few times before the batch is treated as refused.
            self._transport_failures += 1
            self._next_attempt = time.monotonic() + self._backoff.next_delay()
            _log.warning("labbook: metrics stream failed (%s); retry %d of %d", code.name,
                         self._transport_failures, TRANSPORT_RETRIES)
            return
        auth = self._auth_refused(error)
        # RESOURCE_EXHAUSTED SERVER_BUSY: the server's database connections were all in use.
        if auth or is_retryable(error) or code == grpc.StatusCode.DEADLINE_EXCEEDED:
            # UNAUTHENTICATED / PERMISSION_DENIED (a token revoked, expired or being rotated) is an
            # outage too: dropping the data would lose it for a condition a new token fixes.
            self._outage_auth = auth          # the latest reason
            if self._outage_since is None:
                self._outage_since = time.monotonic()
                if not auth:  # the credentials warning (once per client) already said why
                    _log.warning("labbook: metrics stream failed (%s); retrying with backoff", code.name)
            self._next_attempt = time.monotonic() + self._backoff.next_delay()
            return
        # A permanent error names the first batch the server refused: drop it, keep the rest.
        self._transport_failures = 0
        first = next((b for b in group if b.sequence > self.acked_sequence), None)
        if first is not None:
            self._drop([first], from_rpc_error(error))

    def _drop(self, batches: List[metric_pb2.MetricBatch], error: Exception) -> None:
        self.errors.append(error)
        _log.error("labbook: dropped %d metric batch(es) of run %s: %s", len(batches), self.run_id, error)
        self._acknowledge(batches[-1].sequence)

    def _spool_pending(self) -> None:
        if not self.pending:
            return
        if self.spool is None:
            self.spool = Spool(self.spool_root, self.run_id, self.writer_id)
        if not len(self.spool):
            if self._outage_auth:
                _log.info("labbook: credentials refused; spooling metric batches to %s", self.spool.dir)
            else:
                _log.warning("labbook: server unreachable; spooling metric batches to %s", self.spool.dir)
        for batch in self.pending:
            self.spool.write(batch)
        self.pending = []
        self.pending_points = 0

    def _spool_everything(self) -> None:
        """At close after a failed flush: nothing stays only in memory."""
        try:
            self._pack()
            if self.transport.spools:
                self._spool_pending()
                self._spool_calls()
        except Exception as error:
            _log.error("labbook: could not spool unsent batches or calls: %s", error)

    def _release_marks(self) -> None:
        """A flush mark is released once every batch before it is committed (spooled batches are
        not: they still wait for the server) and the queued log lines are delivered."""
        if not self.marks:
            return
        keep = []
        for mark in self.marks:
            if mark.sequence <= self.acked_sequence and self.calls_done >= mark.calls and \
                    not (self.spool is not None and self.spool.calls):
                mark.event.set()
            else:
                keep.append(mark)
        self.marks = keep

    # -- calls: log lines, params, tags, description/name, rows, status --------------------------
    def _metrics_delivered(self) -> bool:
        return not self.points and not self.pending and not (self.spool is not None and len(self.spool))

    def _spooling_calls(self) -> bool:
        """Whether queued calls go to disk: the call spool is not empty (order is kept), or the
        server has been unreachable (or refusing the credentials) for the spool window."""
        if not self.transport.spools:
            return False
        if self.spool is not None and self.spool.calls:
            return True
        since = [t for t in (self._outage_since, self._calls_outage_since) if t is not None]
        return bool(since) and time.monotonic() - min(since) >= self.spool_after_s

    def _form_unit(self) -> Optional[Unit]:
        """The next unit from memory: consecutive lines (up to 1,000) become one append numbered
        with the lines writer's next sequence; a Call is taken as it is (table rows get the table
        writer's next sequence). Sequences follow the queue's order."""
        if self._in_flight is not None:
            return self._in_flight
        calls = self.calls
        if not calls:
            return None
        head = calls[0]
        if head.__class__ is tuple:
            lines = []
            for item in itertools.islice(calls, 0, LINES_PER_APPEND):
                if item.__class__ is not tuple:
                    break
                lines.append(item)
            unit = Unit(lines=lines, writer_id=self.lines_writer_id, sequence=self._next_line_sequence,
                        items=len(lines))
            self._next_line_sequence += 1
        else:
            spooled = head.spooled
            if spooled.WhichOneof("call") == "append_table_rows" and not spooled.append_table_rows.writer_id:
                spooled.append_table_rows.writer_id = self.tables.writer_id
                spooled.append_table_rows.sequence = self.tables.take()
            rows = spooled.append_table_rows if spooled.WhichOneof("call") == "append_table_rows" else None
            unit = Unit(spooled=spooled, items=1, call=head,
                        writer_id=rows.writer_id if rows is not None else "",
                        sequence=rows.sequence if rows is not None else 0)
        self._in_flight = unit
        return unit

    def _take_items(self, unit: Unit) -> None:
        with self._calls_lock:
            for _ in range(unit.items):
                self.calls.popleft()
            self.calls_done += unit.items
        self._in_flight = None

    def _spool_calls(self) -> None:
        """Writes the unit being delivered and every queued line and call to the spool, in order
        (lines grouped into appends that keep their writer id and sequence)."""
        if self.spool is None:
            self.spool = Spool(self.spool_root, self.run_id, self.writer_id)
        first = not self.spool.calls
        while True:
            unit = self._form_unit()
            if unit is None:
                break
            proto = unit.proto(self.run_id)
            proto.spooled_at_ms = time.time_ns() // 1_000_000
            if first:
                first = False
                auth = self._calls_outage_auth if self._calls_outage_since is not None else self._outage_auth
                # refused credentials were warned about once already (AuthNotice)
                _log.log(logging.INFO if auth else logging.WARNING,
                         "labbook: %s; spooling the calls of run %s (log lines, params, tags, rows, "
                         "status) to %s", "credentials refused" if auth else "server unreachable",
                         self.run_id, self.spool.dir)
            n = self.spool.write_call(proto)
            if unit.call is not None:
                self._spooled_calls[n] = unit.call
                unit.call.outcome = "spooled"
            self._take_items(unit)

    def _deliver_calls(self) -> None:
        """Delivers the queued calls in order, one at a time: from the spool first while it holds
        any (new ones go behind them on disk), else from memory. A transient failure (UNAVAILABLE,
        ABORTED, DEADLINE_EXCEEDED, refused credentials; INTERNAL/UNKNOWN/CANCELLED 5 times)
        keeps the call — an append keeps its writer id and sequence — and retries it with
        backoff, first asking GetWriterState whether a lost append was committed after all; after
        the spool window the calls go to the spool. A refused call is dropped alone, reported in
        `errors` and logged. A status change waits until the metric batches before it are
        delivered. One round lasts at most CALLS_SLICE_S (then the thread delivers metric batches,
        releases flush marks and comes back at once)."""
        try:
            if self._spooling_calls():
                self._spool_calls()
        except OSError as error:  # a full disk: the calls stay queued in memory
            _log.error("labbook: could not spool the calls of run %s: %s", self.run_id, error)
        if time.monotonic() < self._calls_next_attempt:
            return
        slice_end = time.monotonic() + CALLS_SLICE_S
        while True:
            if time.monotonic() >= slice_end or self._pausing:
                self._wake.set()  # calls are left: the next round starts without the idle wait
                return
            spool = self.spool
            if spool is not None and spool.calls:
                n = spool.calls[0]
                try:
                    unit = Unit(spooled=spool.read_call(n), n=n, call=self._spooled_calls.get(n))
                except (OSError, ValueError) as error:  # deleted by someone, or unreadable
                    spool.drop_call(n)
                    self._report(f"spooled call {spool.call_path(n)}", error)
                    continue
                kind = unit.kind
                if kind in ("append_log_lines", "append_table_rows"):
                    request = getattr(unit.spooled, kind)
                    unit.writer_id, unit.sequence = request.writer_id, request.sequence
            else:
                unit = self._form_unit()  # type: ignore[assignment]
                if unit is None:
                    return
            if unit.kind in ("finish_run", "cancel_run") and not self._metrics_delivered():
                return  # readers stop at a final status: the last points go first
            if self._check_state and unit.writer_id:
                try:
                    committed = self.transport.last_sequence(unit.writer_id) >= unit.sequence
                except grpc.RpcError as error:
                    if self._transient(error):
                        self._call_failed(error)
                        return
                    committed = False  # e.g. the run is gone: the resend gets the verdict
                self._check_state = False
                if committed:
                    self._call_done(unit, "delivered")
                    continue
            try:
                self.transport.send_unit(unit)
            except grpc.RpcError as error:
                code = error.code()
                transient = self._transient(error)
                if code in _TRANSPORT_CODES and self._call_failures < TRANSPORT_RETRIES:
                    transient = True
                if transient:
                    self._call_failed(error)
                    self._check_state = bool(unit.writer_id) and self.transport.spools
                    return
                self._call_done(unit, "refused", from_rpc_error(error))
                continue
            except (OSError, ValueError) as error:  # a disk error offline; text protobuf refuses
                self._call_done(unit, "refused", error)
                continue
            self._call_done(unit, "delivered")
            self._auth_accepted()

    def _transient(self, error: grpc.RpcError) -> bool:
        code = error.code()
        return is_retryable(error) or code == grpc.StatusCode.DEADLINE_EXCEEDED or \
            self._auth_refused(error)

    def _call_failed(self, error: grpc.RpcError) -> None:
        self._call_failures += 1
        self._calls_outage_auth = is_auth_failure(error.code())
        if self._calls_outage_since is None:
            self._calls_outage_since = time.monotonic()
        self._calls_next_attempt = time.monotonic() + self._calls_backoff.next_delay()

    def _call_done(self, unit: Unit, outcome: str, error: Optional[Exception] = None) -> None:
        if unit.n:
            assert self.spool is not None
            self.spool.drop_call(unit.n)
            self._spooled_calls.pop(unit.n, None)
        else:
            self._take_items(unit)
        if unit.call is not None:
            unit.call.settle(outcome, error)
        if error is not None and not (unit.call is not None and unit.call.quiet):
            self._report(unit.describe(), error)
        self._call_failures = 0
        self._check_state = False
        self._calls_backoff.reset()
        if outcome == "delivered":
            self._calls_outage_since = None

    def _report(self, what: str, error: Exception) -> None:
        self.errors.append(error)
        _log.warning("labbook: the server refused %s of run %s: %s; skipping it", what, self.run_id, error)

    def _auth_refused(self, error: grpc.RpcError) -> bool:
        """UNAUTHENTICATED / PERMISSION_DENIED: told once per client (not per retry), kept."""
        if not is_auth_failure(error.code()):
            return False
        notice = getattr(getattr(self.transport, "client", None), "auth_notice", None)
        if notice is not None:
            notice.refused(error)
        return True

    def _auth_accepted(self) -> None:
        notice = getattr(getattr(self.transport, "client", None), "auth_notice", None)
        if notice is not None:
            notice.accepted()


def _before_fork() -> None:
    """Before os.fork(): parks the sender threads outside gRPC, at most FORK_QUIESCE_S in all.

    gRPC's own fork handlers (grpcio enables them) reset its pollers and threads for the child,
    but skip themselves — "Other threads are currently calling into gRPC, skipping fork()
    handlers" — when any thread is inside gRPC at that moment: a sender's call, or the channel's
    polling thread, which runs while a future call (a metric stream, a lease renewal) is in
    flight. The child then shares the parent's epoll sets, the parent's pollers can take the
    events of the child's sockets, and the child's first call could wait forever. A sender
    parks between two rounds of its loop once its lease renewal is answered; a fork that cannot
    wait that long (a call hanging in an outage) goes ahead as before."""
    senders = [s for s in list(_LIVE) if not s._stop]
    for sender in senders:
        sender.pause_for_fork()
    deadline = time.monotonic() + FORK_QUIESCE_S
    for sender in senders:
        sender.wait_parked(deadline - time.monotonic())


def _after_fork_in_parent() -> None:
    for sender in list(_LIVE):
        sender.resume_after_fork()


def _after_fork_in_child() -> None:
    for sender in list(_LIVE):
        sender.after_fork_in_child()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                        after_in_child=_after_fork_in_child)


def live_senders() -> List[Sender]:
    return list(_LIVE)


def flush_all(timeout: Optional[float] = 30.0) -> None:
    for sender in list(_LIVE):
        sender.flush(timeout)


Callback = Callable[[], None]


def _replay_writer(client: Any, spool: Spool, run_id: str, writer_id: str) -> int:
    """Sends one dead writer's spooled batches in order. A transient failure (UNAVAILABLE,
    ABORTED, DEADLINE_EXCEEDED) or refused credentials (UNAUTHENTICATED, PERMISSION_DENIED) stop
    the replay with the files kept; a refusal deletes only what the server committed plus the one
    batch it refused; a run that no longer exists deletes all."""
    sent = 0
    while len(spool):
        group = spool.head(BATCHES_PER_STREAM)
        try:
            client.log_metric_batches([metric_pb2.LogMetricsRequest(batch=b) for b in group])
        except grpc.RpcError as error:
            code = error.code()
            if is_retryable(error) or code == grpc.StatusCode.DEADLINE_EXCEEDED or is_auth_failure(code):
                raise from_rpc_error(error) from error
            try:
                committed = client.get_writer_state(run_id, writer_id)
            except NotFoundError:
                _log.warning("labbook: dropping the spooled batches of run %s (writer %s): %s",
                             run_id, writer_id, error.details())
                spool.drop_through(spool.sequences[-1])
                return sent
            spool.drop_through(committed)
            if len(spool) and spool.sequences[0] <= group[-1].sequence:
                refused = spool.sequences[0]
                _log.warning("labbook: dropping spooled batch %d of run %s (writer %s): %s",
                             refused, run_id, writer_id, error.details())
                spool.drop_through(refused)
            continue
        spool.drop_through(group[-1].sequence)
        sent += len(group)
    return sent


# Replay of spooled calls (docs/sdk-protocol.md): these refuse a call for good — it is deleted
# with a warning naming its file —; any other failure (unreachable, busy, credentials refused, …)
# stops the replay with the files kept. PERMISSION_DENIED is not among them: it says who replays
# (a token without the role), not what is replayed, so the files wait for a caller who may.
# (The Java SpoolReplayer uses the same set.)
_REPLAY_REFUSALS = frozenset({grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND,
                              grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.ALREADY_EXISTS})


def _replay_calls(client: Any, spool: Spool, reopened: bool = False) -> int:
    """Sends a dead writer's spooled calls in file order, each deleted after success. A refusal
    (INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION — e.g. the status is already final —,
    ALREADY_EXISTS) deletes that call with a warning naming the file and the
    reason; any other failure raises the typed error with the files kept. With `reopened` (the
    run was just opened again by this process) a spooled final status is obsolete: dropped."""
    sent = 0
    while spool.calls:
        n = spool.calls[0]
        path = spool.call_path(n)
        try:
            call = spool.read_call(n)
        except (OSError, ValueError) as error:
            _log.warning("labbook: dropping unreadable spooled call %s: %s", path, error)
            spool.drop_call(n)
            continue
        if reopened and call.WhichOneof("call") in ("finish_run", "cancel_run"):
            _log.info("labbook: not replaying spooled call %s (%s): the run has been opened again",
                      path, describe_call(call))
            spool.drop_call(n)
            continue
        try:
            send_spooled(client, call)
        except grpc.RpcError as error:
            if error.code() not in _REPLAY_REFUSALS:
                raise from_rpc_error(error) from error
            _log.warning("labbook: dropping spooled call %s (%s): the server refused it: %s %s",
                         path, describe_call(call), error.code().name, error.details())
            spool.drop_call(n)
            continue
        spool.drop_call(n)
        sent += 1
    return sent


def replay_spool(client: Any, spool_dir: Optional[str] = None) -> int:
    """Sends what runs left in the spool (`LABBOOK_SPOOL_DIR`, default ~/.labbook/spool) — e.g.
    a process that died during an outage, in either SDK — per writer directory whose lock it can
    take: first the metric batches in sequence order, then the calls (log lines, params, tags,
    rows, description/name, status) in the order they were made; each file is deleted once the
    server has it. Safe to repeat and to run while the writer is gone: batches, lines and rows
    keep their writer id and sequence (the server skips what it already committed), the other
    calls are idempotent. Data of runs that no longer exist (or are deleted), and calls the
    server refuses, are removed with a warning. A transient failure raises the typed error and
    keeps the files. Returns the number of batches and calls sent."""
    return _replay_root(client, spool_root(spool_dir))


def spool_root(spool_dir: Optional[str] = None) -> str:
    return spool_dir or os.environ.get("LABBOOK_SPOOL_DIR") or os.path.join(
        os.path.expanduser("~"), ".labbook", "spool")


_REPLAYED_AT_OPEN: set = set()
_REPLAYED_AT_OPEN_LOCK = threading.Lock()


def replay_at_open(client: Any, spool_dir: Optional[str], run_id: str) -> Optional[threading.Thread]:
    """What a run open does (docs/sdk-protocol.md): once per process, spool root and server,
    replays in a background thread what dead writers left in the spool (`replay_spool`), quietly
    (a failure leaves the files for later). The opened run's own spooled final status, from a
    writer before this one, is obsolete and dropped. Returns the thread, or None when there was
    nothing to do."""
    root = spool_root(spool_dir)
    key = (os.path.abspath(root), getattr(client, "target", ""))
    with _REPLAYED_AT_OPEN_LOCK:
        if key in _REPLAYED_AT_OPEN:
            return None
        _REPLAYED_AT_OPEN.add(key)
    try:
        if not any(not name.startswith(".") for name in os.listdir(root)):
            return None
    except OSError:
        return None

    def replay() -> None:
        try:
            sent = _replay_root(client, root, reopened=run_id)
        except Exception as error:  # unreachable, refused credentials…: the files stay
            _log.debug("labbook: spool replay at run open stopped (files kept): %s", error)
            return
        if sent:
            _log.info("labbook: replayed %d spooled batch(es) and call(s) from %s", sent, root)
    thread = threading.Thread(target=replay, name="labbook-spool-replay", daemon=True)
    thread.start()
    return thread


def _replay_root(client: Any, root: str, reopened: str = "") -> int:
    sent = 0
    if not os.path.isdir(root):
        return 0
    live = {(s.run_id, s.writer_id) for s in list(_LIVE)
            if s.spool is not None and not s._stop and s._thread.is_alive()}
    for run_id in sorted(os.listdir(root)):
        if run_id.startswith("."):
            continue  # not a run: e.g. the Java replayer's `.rejected/` writers
        run_dir = os.path.join(root, run_id)
        for writer_id in sorted(os.listdir(run_dir)) if os.path.isdir(run_dir) else []:
            if writer_id.startswith(".") or (run_id, writer_id) in live:
                continue  # its own sender replays it
            spool = Spool(root, run_id, writer_id)
            if not os.path.isdir(spool.dir) or not spool.lock():
                continue  # a live writer (in some process) still owns it
            try:
                spool.load()
                sent += _replay_writer(client, spool, run_id, writer_id)
                sent += _replay_calls(client, spool, reopened=(run_id == reopened))
            finally:
                spool.remove_if_empty()
                spool.unlock()
        try:
            os.rmdir(run_dir)
        except OSError:
            pass
    return sent
