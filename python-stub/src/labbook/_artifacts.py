"""Artifact upload (resumable, verified) and download over the ArtifactService streams."""
from __future__ import annotations

import hashlib
import io
import mimetypes
import os
import time
import uuid
from typing import IO, Any, Iterator, Optional, Union, cast

import grpc

from labbook import _progress
from labbook._retry import CONNECT_WINDOW_S, Backoff
from labbook.errors import RETRYABLE_CODES, UploadOffsetMismatchError, from_rpc_error, is_retryable
from labbook.v1 import artifact_pb2, common_pb2

CHUNK_BYTES = 1024 * 1024
# Streams are resumed from the server's byte count, so a deadline (from a proxy) is transient too.
_STREAM_RETRYABLE = RETRYABLE_CODES | {grpc.StatusCode.DEADLINE_EXCEEDED}

Source = Union[str, "os.PathLike[str]", bytes, IO[bytes]]


def _give_up(client: Any, error: grpc.RpcError, delay: float, give_up_at: float, started: float) -> bool:
    """Whether a failed transfer stops retrying: the budget without progress is spent, or the
    server has never answered this client and the connect window (3 s, as for every call) is
    over — a wrong target or a stopped server fails fast instead of after minutes."""
    note = getattr(client, "_note_failure", None)
    if note is not None:
        note(error)
    now = time.monotonic()
    if now + delay > give_up_at:
        return True
    return not getattr(client, "reached", True) and now + delay > started + CONNECT_WINDOW_S


def _explained(client: Any, error: Exception) -> Exception:
    """A connection failure made to name the target, its source and a hint, as unary calls do."""
    explain = getattr(client, "explain", None)
    return explain(error) if explain is not None else error


def direction(is_output: bool) -> Any:
    return common_pb2.DIRECTION_OUTPUT if is_output else common_pb2.DIRECTION_INPUT


def guess_media_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or ""


def file_digest(path: str) -> "tuple[int, str]":
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK_BYTES), b""):
            sha.update(block)
            size += len(block)
    return size, sha.hexdigest()


def _as_bytes_source(source: Source) -> "tuple[Optional[str], Optional[bytes]]":
    """A path stays a path (re-readable for resume); a stream or bytes is read into memory."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return None, bytes(source)
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source), None
    data = source.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return None, data


def upload(client, run_id: str, path_in_run: str, source: Source, *, is_output: bool = True,
           media_type: str = "", step: Optional[int] = None,
           deadline_s: float = 300.0, upload_id: Optional[str] = None) -> artifact_pb2.Artifact:
    """Uploads one artifact. A broken stream (UNAVAILABLE/ABORTED/DEADLINE_EXCEEDED) resumes
    from the server's received_bytes (GetUploadStatus) under the same client-made upload id, so
    no byte is sent twice; an UPLOAD_OFFSET_MISMATCH answer resumes from the offset it carries
    (PreconditionFailure subject `offset`)."""
    file_path, data = _as_bytes_source(source)
    if file_path is not None:
        size, sha = file_digest(file_path)
    else:
        assert data is not None
        size, sha = len(data), hashlib.sha256(data).hexdigest()
    header = artifact_pb2.UploadHeader(
        run_id=run_id, path=path_in_run, direction=direction(is_output),
        media_type=media_type or guess_media_type(path_in_run), size_bytes=size, sha256=sha,
        upload_id=upload_id or str(uuid.uuid4()))
    if step is not None:
        header.step = int(step)  # optional: absent when the artifact has no step

    progress = _progress.bar(size, path_in_run)   # tqdm on a terminal when installed, else None

    def requests(offset: int) -> Iterator[artifact_pb2.UploadArtifactRequest]:
        h = artifact_pb2.UploadHeader()
        h.CopyFrom(header)
        h.offset = offset
        if progress is not None:
            progress.n = offset   # a resumed stream continues from what the server holds
            progress.refresh()
        yield artifact_pb2.UploadArtifactRequest(header=h)
        stream: IO[bytes] = open(file_path, "rb") if file_path is not None else io.BytesIO(data or b"")
        with stream:
            stream.seek(offset)
            for block in iter(lambda: stream.read(CHUNK_BYTES), b""):
                yield artifact_pb2.UploadArtifactRequest(chunk=block)
                if progress is not None:
                    progress.update(len(block))

    # No per-RPC deadline: a big file on a slow link may take longer than any fixed one. The
    # budget `deadline_s` is for making no progress; each resume that moved forward renews it.
    try:
        return _send(client, run_id, path_in_run, header, size, requests, deadline_s)
    finally:
        if progress is not None:
            progress.close()


def _send(client, run_id: str, path_in_run: str, header: Any, size: int, requests: Any,
          deadline_s: float) -> artifact_pb2.Artifact:
    backoff = Backoff()
    started = time.monotonic()
    give_up_at = started + deadline_s
    offset = 0
    while True:
        try:
            artifact = client.stub("artifacts").UploadArtifact(requests(offset), timeout=None).artifact
            client.reached = True
            return artifact
        except grpc.RpcError as error:
            typed = from_rpc_error(error)
            if isinstance(typed, UploadOffsetMismatchError):
                # The server holds a different number of bytes than this stream assumed (a
                # status read was lost, or another call advanced the upload): it says where.
                expected = typed.expected_offset
                if (expected is None or expected == offset or not 0 <= expected <= size
                        or time.monotonic() > give_up_at):
                    raise typed from error
                offset = expected
                continue
            delay = backoff.next_delay()
            # UPLOAD_CONFLICT: another call (a retry of ours) started or advanced the upload.
            transient = (error.code() in _STREAM_RETRYABLE or is_retryable(error)
                         or typed.reason == "UPLOAD_CONFLICT")
            if not transient or _give_up(client, error, delay, give_up_at, started):
                raise _explained(client, typed) from error
            time.sleep(delay)
            try:
                status = client.stub("artifacts").GetUploadStatus(artifact_pb2.GetUploadStatusRequest(
                    run_id=run_id, upload_id=header.upload_id), timeout=10)
                if status.complete:
                    return client.stub("artifacts").GetArtifact(artifact_pb2.GetArtifactRequest(
                        run_id=run_id, path=path_in_run), timeout=10).artifact
                if status.received_bytes > offset:
                    give_up_at = time.monotonic() + deadline_s
                    backoff.reset()
                offset = status.received_bytes
            except grpc.RpcError:
                pass  # unknown yet: retry at the same offset (a mismatch answer corrects it)


def download(client, run_id: str, path_in_run: str, output: Union[str, IO[bytes]],
             deadline_s: float = 300.0) -> artifact_pb2.Artifact:
    """Downloads an artifact into a file path or binary stream; a broken stream continues from
    the bytes already written. A path is written as `<path>.part` and renamed on success, so a
    failed download never leaves a partial or empty file at the path."""
    backoff = Backoff()
    written = 0
    artifact = artifact_pb2.Artifact()
    own = isinstance(output, (str, os.PathLike))
    target = os.fspath(cast(str, output)) if own else ""
    if own:
        parent = os.path.dirname(target)
        if parent:
            os.makedirs(parent, exist_ok=True)
    part = target + ".part"
    sink: IO[bytes] = open(part, "wb") if own else cast(IO[bytes], output)
    started = time.monotonic()
    give_up_at = started + deadline_s   # without progress; renewed by received bytes
    done = False
    try:
        while True:
            try:
                for piece in client.stub("artifacts").DownloadArtifact(
                        artifact_pb2.DownloadArtifactRequest(run_id=run_id, path=path_in_run,
                                                             offset=written), timeout=None):
                    if piece.HasField("artifact"):
                        artifact = piece.artifact
                    if piece.chunk:
                        sink.write(piece.chunk)
                        written += len(piece.chunk)
                        give_up_at = time.monotonic() + deadline_s
                done = True
                client.reached = True
                return artifact
            except grpc.RpcError as error:
                delay = backoff.next_delay()
                transient = error.code() in _STREAM_RETRYABLE or is_retryable(error)
                if not transient or _give_up(client, error, delay, give_up_at, started):
                    raise _explained(client, from_rpc_error(error)) from error
                time.sleep(delay)
    finally:
        if own:
            sink.close()
            if done:
                os.replace(part, target)
            else:
                try:
                    os.remove(part)
                except OSError:
                    pass
