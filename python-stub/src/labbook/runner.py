"""`python -m labbook.runner`: runs a command as an existing run — the Python twin of the CLI's
`labbook run`, for submitted scripts (a local submission's child process, a Kubernetes pod).

    python -m labbook.runner [--snapshot ARTIFACT_PATH] [--requirement R]... [--outputs DIR]
                             [--upload-all-outputs] -- COMMAND ARGS...

The run is named by LABBOOK_RUN_ID on the server LABBOOK_TRACKING_URI (the token as the SDK
finds it: LABBOOK_TOKEN, LABBOOK_TOKEN_FILE, ~/.labbook/credentials) and must exist. In order:
StartRun (QUEUED → RUNNING; the lease is then renewed while the runner lives); the snapshot
artifact is downloaded and extracted into the working directory (absolute paths, `..` and links
leaving it are refused); `python -m pip install R...` (its output in the run's log; a failure
ends the run FAILED before the script starts); COMMAND starts with the context variables
(LABBOOK_TRACKING_URI/PROJECT/EXPERIMENT/RUN_ID/RUN_NAME, PYTHONUNBUFFERED=1), its stdout and
stderr echoed and shipped line by line to the run's log (streams STDOUT/STDERR, one writer id:
a retried append is stored once); SIGINT/SIGTERM/SIGHUP are forwarded to its process group
(the run ends CANCELED); a watch of the run (WatchRun) stops the script when someone else ends
the run (SIGTERM, 10 s, SIGKILL), whose status then stays; files under outputs/ created or
modified since the start (2 s tolerance; older ones are skipped and named) are uploaded as
OUTPUT artifacts `outputs/<rel>`; then COMPLETED or FAILED from the exit code. The runner exits
with the script's code (128 + N after signal N).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Dict, List, Optional, Sequence

import grpc

from labbook import _artifacts, _sender
from labbook._ids import now_ms
from labbook.client import SOURCE_ENV, Client
from labbook.errors import LabbookError
from labbook.v1 import log_pb2, run_pb2

#: A file modified up to this long before the run started still counts as the run's output.
OUTPUTS_TOLERANCE_MS = 2_000
#: How many skipped outputs the message names.
SKIPPED_NAMES_SHOWN = 5
#: A partial line is shipped once its stream has been quiet this long (a progress bar, a prompt).
PARTIAL_LINE_IDLE_S = 0.3
#: After the script exits, how long its pipes may stay open (held by its own children).
PIPE_DRAIN_S = 5.0
#: How long the script may take to end after SIGTERM when the run was ended elsewhere.
CANCEL_GRACE_S = 10.0
#: How long the log may take to reach the server before the status is set.
LOG_DRAIN_S = 30.0
FORWARDED_SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")
_TERMINAL = {run_pb2.RUN_STATUS_COMPLETED, run_pb2.RUN_STATUS_FAILED, run_pb2.RUN_STATUS_CANCELED}


class RunnerError(Exception):
    """A step before the script failed (snapshot, requirements): the run ends FAILED."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# -- console capture ------------------------------------------------------------------------------
class LineShipper:
    """Cuts one stream's bytes into lines and queues them on the run's sender (which numbers
    them with its writer id and sequence). A partial line is shipped once the stream has been
    quiet PARTIAL_LINE_IDLE_S, so a prompt or a progress bar shows up."""

    def __init__(self, sender: _sender.Sender, stream: int) -> None:
        self._sender = sender
        self._stream = stream
        self._buffer = b""
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def feed(self, data: bytes) -> None:
        with self._lock:
            self._buffer += data
            self._last = time.monotonic()
            *lines, self._buffer = self._buffer.split(b"\n")
            for line in lines:
                self._ship(line)

    def flush_if_idle(self, idle_s: float = PARTIAL_LINE_IDLE_S) -> None:
        with self._lock:
            if self._buffer and time.monotonic() - self._last >= idle_s:
                self._ship(self._buffer)
                self._buffer = b""

    def finish(self) -> None:
        with self._lock:
            if self._buffer:
                self._ship(self._buffer)
                self._buffer = b""

    def _ship(self, raw: bytes) -> None:
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        text = raw.decode("utf-8", "replace")
        ts = now_ms()
        for piece in _sender.line_pieces(text):
            self._sender.add_line(ts, log_pb2.LOG_LEVEL_INFO, self._stream, piece)


def _pump(source: BinaryIO, echo: BinaryIO, shipper: LineShipper) -> None:
    """Copies the child's pipe to our own stream (as it comes) and to the shipper."""
    fd = source.fileno()
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        try:
            echo.write(data)
            echo.flush()
        except (OSError, ValueError):
            pass  # our console is gone: the run's log still gets the lines
        shipper.feed(data)


def run_captured(command: Sequence[str], cwd: str, env: Dict[str, str], sender: _sender.Sender,
                 on_start: Any = None) -> int:
    """Runs `command` in a process group of its own (so that a forwarded signal reaches its
    children too, and the terminal's Ctrl-C reaches only the runner, which forwards it once),
    echoing and shipping its output. Returns its exit code (128 + N when killed by signal N)."""
    child = subprocess.Popen(list(command), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    if on_start is not None:
        on_start(child)
    out = LineShipper(sender, log_pb2.LOG_STREAM_STDOUT)
    err = LineShipper(sender, log_pb2.LOG_STREAM_STDERR)
    assert child.stdout is not None and child.stderr is not None
    pumps = [threading.Thread(target=_pump, args=(child.stdout, sys.stdout.buffer, out), daemon=True,
                              name="labbook-stdout"),
             threading.Thread(target=_pump, args=(child.stderr, sys.stderr.buffer, err), daemon=True,
                              name="labbook-stderr")]
    for pump in pumps:
        pump.start()
    done = threading.Event()

    def partials() -> None:
        while not done.wait(0.1):
            out.flush_if_idle()
            err.flush_if_idle()
    ticker = threading.Thread(target=partials, daemon=True, name="labbook-partial-lines")
    ticker.start()
    try:
        code = child.wait()
        for pump in pumps:
            pump.join(PIPE_DRAIN_S)
    finally:
        done.set()
        out.finish()
        err.finish()
    return 128 - code if code < 0 else code


# -- the script's process group and signals -------------------------------------------------------
class Script:
    """The running child, its cancellation (a forwarded signal, or the run ended elsewhere)."""

    def __init__(self) -> None:
        self.child: Optional[subprocess.Popen] = None
        self.signal_name: Optional[str] = None     # the first signal the runner received
        self.ended_elsewhere: Optional[str] = None  # the status someone else gave the run
        self._lock = threading.Lock()

    def started(self, child: subprocess.Popen) -> None:
        with self._lock:
            self.child = child
            pending = self.signal_name
        if pending is not None:
            self.send(getattr(signal, pending))

    def received(self, signum: int, _frame: Any) -> None:
        name = signal.Signals(signum).name
        with self._lock:
            if self.signal_name is None:
                self.signal_name = name
        self.send(signum)

    def send(self, signum: int) -> None:
        child = self.child
        if child is None or child.poll() is not None:
            return
        try:
            os.killpg(child.pid, signum)
        except ProcessLookupError:
            pass
        except PermissionError:
            child.send_signal(signum)

    def stop(self, status: str) -> None:
        """The run was ended by someone else: SIGTERM, then SIGKILL after CANCEL_GRACE_S."""
        self.ended_elsewhere = status
        _say(f"run is {status} (ended elsewhere): stopping the script (SIGTERM, SIGKILL after "
             f"{CANCEL_GRACE_S:.0f} s)")
        self.send(signal.SIGTERM)
        child = self.child
        if child is None:
            return
        try:
            child.wait(CANCEL_GRACE_S)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)


def watch_run(client: Client, run_id: str, script: Script, stop: threading.Event) -> None:
    """WatchRun until `stop` is set: a terminal status that the runner did not set (a CancelRun
    from the UI, the SDK's `run.cancel()`, the server ending a submitted run) stops the script.
    A broken watch is opened again."""
    current: List[Any] = []

    def cancel_on_stop() -> None:
        stop.wait()
        for call in list(current):
            call.cancel()
    threading.Thread(target=cancel_on_stop, daemon=True, name="labbook-watch-stop").start()
    while not stop.is_set():
        call = client.stub("runs").WatchRun(run_pb2.WatchRunRequest(run_id=run_id))
        current[:] = [call]
        if stop.is_set():
            call.cancel()
            return
        try:
            for change in call:
                if stop.is_set():
                    return
                if change.run.status in _TERMINAL:
                    script.stop(run_pb2.RunStatus.Name(change.run.status).replace("RUN_STATUS_", ""))
                    return
        except grpc.RpcError:
            pass  # canceled by stop, or broken: opened again below unless stopping
        stop.wait(1.0)


# -- snapshot -------------------------------------------------------------------------------------
def check_member(member: tarfile.TarInfo, root: Path) -> None:
    """Refuses a member that would land outside `root`: an absolute path, a `..` component, a
    link whose target leaves it; and anything but files, directories and links."""
    name = member.name
    parts = PurePosixPath(name).parts
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
        raise RunnerError(f"snapshot member {name!r}: absolute paths and '..' are refused")
    if member.issym() or member.islnk():
        base = (root / name).parent if member.issym() else root
        target = os.path.normpath(os.path.join(base, member.linkname))
        if member.linkname.startswith("/") or not _inside(Path(target), root):
            raise RunnerError(f"snapshot member {name!r}: link to {member.linkname!r} leaves the directory")
    elif not (member.isfile() or member.isdir()):
        raise RunnerError(f"snapshot member {name!r}: only files, directories and links are allowed")


def _inside(path: Path, root: Path) -> bool:
    root_text = os.path.normpath(str(root))
    text = os.path.normpath(str(path))
    return text == root_text or text.startswith(root_text.rstrip(os.sep) + os.sep)


def extract_snapshot(archive: str, into: str) -> int:
    """Extracts a gzip'd tar into `into` after checking every member (check_member); with
    tarfile's "data" filter where this Python has it. Returns the number of files."""
    root = Path(into).resolve()
    with tarfile.open(archive, "r:gz") as tar:
        members = tar.getmembers()
        for member in members:
            check_member(member, root)
        if hasattr(tarfile, "data_filter"):
            tar.extractall(root, members=members, filter="data")
        else:  # the members were checked above
            tar.extractall(root, members=members)
    return sum(1 for m in members if m.isfile())


def fetch_snapshot(client: Client, run_id: str, artifact_path: str, into: str) -> int:
    with tempfile.TemporaryDirectory(prefix="labbook-snapshot-") as tmp:
        archive = os.path.join(tmp, "source.tar.gz")
        try:
            _artifacts.download(client, run_id, artifact_path, archive)
        except LabbookError as error:
            raise RunnerError(f"cannot download the snapshot {artifact_path!r}: {error}") from error
        try:
            return extract_snapshot(archive, into)
        except (tarfile.TarError, OSError, EOFError) as error:
            raise RunnerError(f"cannot extract the snapshot {artifact_path!r}: {error}") from error


# -- outputs ----------------------------------------------------------------------------------
def select_outputs(directory: str, started_ms: int, upload_all: bool = False) -> "tuple[List[str], List[str]]":
    """(fresh, stale) regular files under `directory`, sorted: fresh ones were created or
    modified since the run started (less OUTPUTS_TOLERANCE_MS for coarse file system clocks)."""
    fresh: List[str] = []
    stale: List[str] = []
    if not os.path.isdir(directory):
        return fresh, stale
    files = []
    for folder, _dirs, names in os.walk(directory):
        files.extend(os.path.join(folder, n) for n in names)
    for path in sorted(files):
        if not os.path.isfile(path) or os.path.islink(path):
            continue
        try:
            mtime_ms = int(os.stat(path).st_mtime * 1000)
        except OSError:
            continue  # gone meanwhile
        (fresh if upload_all or mtime_ms >= started_ms - OUTPUTS_TOLERANCE_MS else stale).append(path)
    return fresh, stale


def skipped_message(directory: str, stale: List[str], shown_dir: str) -> Optional[str]:
    if not stale:
        return None
    names = [os.path.relpath(p, directory).replace(os.sep, "/") for p in stale[:SKIPPED_NAMES_SHOWN]]
    more = f", … ({len(stale) - SKIPPED_NAMES_SHOWN} more)" if len(stale) > SKIPPED_NAMES_SHOWN else ""
    return (f"skipped {len(stale)} file{'s' if len(stale) != 1 else ''} in {shown_dir} older than this "
            f"run: {', '.join(names)}{more} (use --upload-all-outputs to include them)")


def upload_outputs(client: Client, run_id: str, directory: str, started_ms: int, upload_all: bool,
                   shown_dir: str) -> List[str]:
    fresh, stale = select_outputs(directory, started_ms, upload_all)
    message = skipped_message(directory, stale, shown_dir)
    if message:
        _say(message)
    stored = []
    for path in fresh:
        rel = os.path.relpath(path, directory).replace(os.sep, "/")
        try:
            _artifacts.upload(client, run_id, f"outputs/{rel}", path, is_output=True,
                              media_type=_artifacts.guess_media_type(rel))
            stored.append(f"outputs/{rel}")
        except (LabbookError, OSError) as error:  # the run still gets its status
            _say(f"warning: uploading outputs/{rel} failed: {error}")
    return stored


# -- main -------------------------------------------------------------------------------------
def _say(text: str) -> None:
    print(f"labbook: {text}", file=sys.stderr, flush=True)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m labbook.runner",
        description="Runs COMMAND as the existing run LABBOOK_RUN_ID (see the module's docstring).")
    parser.add_argument("--snapshot", metavar="ARTIFACT_PATH",
                        help="INPUT artifact of the run to extract into the working directory first")
    parser.add_argument("--requirement", action="append", default=[], metavar="R",
                        help="pip requirement installed before the script (repeatable)")
    parser.add_argument("--outputs", metavar="DIR", help="directory uploaded as outputs/ (default ./outputs)")
    parser.add_argument("--upload-all-outputs", action="store_true",
                        help="also upload output files older than the run")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND ARGS...")
    argv = list(argv)
    if "--" in argv:  # split here, not by argparse: its handling of "--" differs across versions
        cut = argv.index("--")
        args = parser.parse_args(argv[:cut])
        args.command = argv[cut + 1:]
    else:
        args = parser.parse_args(argv)
    if not args.command:
        parser.error("give the command after --, e.g. -- python train.py --epochs 3")
    return args


def context_env(client: Client, run: run_pb2.Run) -> Dict[str, str]:
    """The variables `labbook run` sets, so that `Run.get_context()` attaches to the run."""
    env = dict(os.environ)
    if not env.get("LABBOOK_EXPERIMENT") or not env.get("LABBOOK_PROJECT"):
        experiment = client.get_experiment(experiment_id=run.experiment_id)
        env["LABBOOK_EXPERIMENT"] = env.get("LABBOOK_EXPERIMENT") or experiment.name
        env["LABBOOK_PROJECT"] = env.get("LABBOOK_PROJECT") or experiment.project or "default"
    env["LABBOOK_TRACKING_URI"] = os.environ["LABBOOK_TRACKING_URI"]
    env["LABBOOK_RUN_ID"] = run.id
    env["LABBOOK_RUN_NAME"] = run.name
    # Python block-buffers a piped stdout: lines would arrive late and out of order with stderr.
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    run_id = os.environ.get("LABBOOK_RUN_ID", "")
    uri = os.environ.get("LABBOOK_TRACKING_URI", "")
    if not run_id or not uri:
        _say("error: LABBOOK_RUN_ID and LABBOOK_TRACKING_URI must name an existing run and its server")
        return 2
    script = Script()
    previous = {}
    for name in FORWARDED_SIGNALS:
        signum = getattr(signal, name)
        previous[signum] = signal.signal(signum, script.received)
    client = Client(uri, target_source=SOURCE_ENV)
    try:
        try:
            stored = client.get_run(run_id)
            stored = client.start_queued_run(run_id) if stored.status == run_pb2.RUN_STATUS_QUEUED else stored
        except LabbookError as error:
            _say(f"error: cannot start run {run_id}: {error}")
            return 2
        if stored.status in _TERMINAL:
            _say(f"run {run_id} is already {run_pb2.RunStatus.Name(stored.status)}: not running the script")
            return 1
        return _run(client, stored, args, script)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        client.close()


def _run(client: Client, stored: run_pb2.Run, args: argparse.Namespace, script: Script) -> int:
    from labbook.run import Run

    run = Run(run_id=stored.id, client=client).open()  # its sender ships lines and renews the lease
    run.owns_status = True  # the runner sets the final status (unless it was ended elsewhere)
    sender = run._sender
    assert sender is not None
    _say(f"run {stored.id} ({stored.name}) started on {client.display_target}")
    stop_watch = threading.Event()
    watcher = threading.Thread(target=watch_run, args=(client, stored.id, script, stop_watch),
                               daemon=True, name="labbook-watch-run")
    watcher.start()
    cwd = os.getcwd()
    started_ms = now_ms()
    exit_code = 1
    failure: Optional[str] = None
    try:
        if args.snapshot:
            count = fetch_snapshot(client, stored.id, args.snapshot, cwd)
            run.log_text(f"labbook: extracted {count} files of {args.snapshot} into {cwd}")
        if args.requirement and script.signal_name is None and script.ended_elsewhere is None:
            run.log_text(f"labbook: pip install {' '.join(args.requirement)}")
            code = run_captured([sys.executable, "-m", "pip", "install", "--disable-pip-version-check",
                                 *args.requirement], cwd, dict(os.environ, PYTHONUNBUFFERED="1"), sender,
                                script.started)
            if code != 0 and script.signal_name is None and script.ended_elsewhere is None:
                raise RunnerError(f"pip install failed with exit code {code}; the script was not started",
                                  code)
        if script.signal_name is None and script.ended_elsewhere is None:
            started_ms = now_ms()
            exit_code = run_captured(args.command, cwd, context_env(client, stored), sender, script.started)
        else:
            exit_code = 128 + getattr(signal, script.signal_name or "SIGTERM")
    except RunnerError as error:
        failure = str(error)
        exit_code = error.exit_code
    except OSError as error:  # the command cannot be started (not found, not executable)
        failure = f"cannot start {args.command[0]}: {error}"
        exit_code = 127
    except Exception as error:  # a failed call or a bug here must not leave the run RUNNING
        failure = f"runner error: {type(error).__name__}: {error}"
        exit_code = 1
    if failure is not None:
        _say(f"error: {failure}")
        run.log_text(f"labbook: {failure}", level="ERROR")
    stop_watch.set()
    run.flush(LOG_DRAIN_S)
    outputs_dir = args.outputs or os.path.join(cwd, "outputs")
    if failure is None:
        upload_outputs(client, stored.id, outputs_dir, started_ms, args.upload_all_outputs,
                       f"{args.outputs}/" if args.outputs else "outputs/")
    if script.ended_elsewhere is not None:
        run.close(None)  # its status stays the one given elsewhere
        _say(f"run {stored.id} {script.ended_elsewhere} (ended elsewhere; exit code {exit_code})")
        return exit_code
    status = ("CANCELED" if script.signal_name is not None
              else "COMPLETED" if exit_code == 0 and failure is None else "FAILED")
    run.close(status)
    _say(f"run {stored.id} {run.status} (exit code {exit_code}"
         f"{', canceled by ' + script.signal_name if script.signal_name else ''})")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
