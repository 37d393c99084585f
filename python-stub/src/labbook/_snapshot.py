"""The source snapshot of a submission: the source directory as a gzip'd tar of its regular
files (relative paths, sorted), without `.git/` (always left out, at any depth) and without what
`.gitignore` and `.labbookignore` files exclude (gitignore syntax and precedence, through
`pathspec`: each file applies to its own directory and below, a deeper file's rules before a
parent's, a `.labbookignore` after the `.gitignore` beside it; the same files as the Java SDK's
JGit-based snapshot).
Symbolic links and special files are left out too. The archive is abandoned as soon as it grows
past the target's limit, so an oversized directory is refused before anything is uploaded."""
from __future__ import annotations

import gzip
import os
import tarfile
from typing import BinaryIO, List, Optional, Tuple

import pathspec

from labbook.errors import ResourceExhaustedError

IGNORE_FILES = (".gitignore", ".labbookignore")
ALWAYS_LEFT_OUT = ".git"


class _Rules:
    """The ignore files that apply in one directory: (directory relative to the root, spec)."""

    def __init__(self, chain: List[Tuple[str, "pathspec.PathSpec"]]) -> None:
        self.chain = chain

    def below(self, root: str, rel_dir: str) -> "_Rules":
        lines: List[str] = []
        for name in IGNORE_FILES:
            path = os.path.join(root, rel_dir, name)
            if os.path.isfile(path):
                with open(path, encoding="utf-8", errors="replace") as f:
                    lines.extend(f.read().splitlines())
        if not lines:
            return self
        return _Rules(self.chain + [(rel_dir, pathspec.GitIgnoreSpec.from_lines(lines))])

    def ignored(self, rel_path: str, is_dir: bool) -> bool:
        """As git decides: the deepest ignore file with a rule matching the path wins (so a
        `!name` below re-includes what a parent's rule excluded), and within one file the last
        matching rule. (What lies in an excluded directory is never reached: the walk skips it.)"""
        for base, spec in reversed(self.chain):
            local = rel_path[len(base) + 1:] if base else rel_path
            decided = spec.check_file(local + "/" if is_dir else local).include
            if decided is not None:
                return decided
        return False


def snapshot_files(source_directory: str) -> List[str]:
    """The relative paths (with `/`) that go into the snapshot, sorted."""
    root = os.path.abspath(source_directory)
    out: List[str] = []

    def walk(rel_dir: str, rules: _Rules) -> None:
        rules = rules.below(root, rel_dir)
        with os.scandir(os.path.join(root, rel_dir)) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                if entry.is_symlink():
                    continue
                if entry.is_dir():
                    if entry.name == ALWAYS_LEFT_OUT or rules.ignored(rel, True):
                        continue
                    walk(rel, rules)
                elif entry.is_file():
                    if entry.name == ALWAYS_LEFT_OUT or rules.ignored(rel, False):
                        continue
                    out.append(rel)

    walk("", _Rules([]))
    return sorted(out)


class _Counting:
    """A write-only file that counts the bytes written and refuses to grow past a limit."""

    def __init__(self, target: BinaryIO, limit: Optional[int]) -> None:
        self.target = target
        self.limit = limit
        self.written = 0

    def write(self, data: bytes) -> int:
        self.written += len(data)
        if self.limit is not None and self.written > self.limit:
            raise _TooLarge()
        return self.target.write(data)

    def flush(self) -> None:
        self.target.flush()


class _TooLarge(Exception):
    pass


def build_snapshot(source_directory: str, archive_path: str, max_bytes: Optional[int] = None,
                   target_name: str = "") -> Tuple[int, int]:
    """Writes the snapshot to `archive_path`; returns (files, archive bytes). An archive larger
    than `max_bytes` is a ResourceExhaustedError (field `source_directory`), raised as soon as
    the archive passes the limit."""
    files = snapshot_files(source_directory)
    root = os.path.abspath(source_directory)
    with open(archive_path, "wb") as raw:
        counting = _Counting(raw, max_bytes)
        try:
            with gzip.GzipFile(filename="", mode="wb", fileobj=counting, mtime=0) as gz:  # type: ignore[arg-type]
                with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    for rel in files:
                        info = tar.gettarinfo(os.path.join(root, rel), arcname=rel)
                        info.uid = info.gid = 0
                        info.uname = info.gname = ""
                        with open(os.path.join(root, rel), "rb") as f:
                            tar.addfile(info, f)
        except _TooLarge:
            raw.close()
            os.unlink(archive_path)
            raw_size = sum(os.path.getsize(os.path.join(root, rel)) for rel in files)
            where = f"compute target {target_name!r}" if target_name else "the target"
            raise ResourceExhaustedError(
                f"source_directory {source_directory!r}: its snapshot ({len(files)} files, "
                f"{raw_size} bytes before compression) is larger than {where} accepts "
                f"({max_bytes} bytes); leave large files out with .labbookignore (gitignore syntax) "
                "or .gitignore", field="source_directory") from None
    return len(files), os.path.getsize(archive_path)
