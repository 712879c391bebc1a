"""Checked files waiting for "Import now", kept in a private temporary folder.

The page keeps the checked file on disk between the check and the confirmation (its token
in the session), so the user does not upload it twice. A check that is never confirmed
used to leave its file (up to 10 MB) there for good; now a file lives at most
PENDING_MAX_AGE: every request of the import page first removes the files older than
that, a confirmation takes its file away whatever follows, and a new check replaces the
user's previous file. The age is the file's modification time, so no other record is
needed and every worker sees the same.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
import time
from pathlib import Path

PENDING_MAX_AGE = 60 * 60
"""Seconds a checked file waits for its confirmation."""
FOLDER = Path(tempfile.gettempdir()) / "spotkania-imports"
SUFFIXES = (".csv", ".xlsx")


def _folder() -> Path:
    FOLDER.mkdir(mode=0o700, exist_ok=True)
    return FOLDER


def _path(token: str, suffix: str) -> Path | None:
    """The file of a token; None for anything but the names this module writes."""
    if suffix not in SUFFIXES or not re.fullmatch(r"[0-9a-f]{32}", token):
        return None
    return _folder() / f"{token}{suffix}"


def pending_sweep(*, now: float | None = None) -> int:
    """Removes the waiting files older than PENDING_MAX_AGE; returns how many."""
    oldest = (time.time() if now is None else now) - PENDING_MAX_AGE
    removed = 0
    with os.scandir(_folder()) as entries:
        for entry in entries:
            try:
                if entry.is_file() and entry.stat().st_mtime < oldest:
                    os.unlink(entry.path)
                    removed += 1
            except FileNotFoundError:  # another worker removed it first
                continue
    return removed


def pending_store(*, content: bytes, suffix: str) -> str:
    """Keeps a checked file; returns its token."""
    if suffix not in SUFFIXES:
        raise ValueError(suffix)
    token = secrets.token_hex(16)
    (_folder() / f"{token}{suffix}").write_bytes(content)
    return token


def pending_discard(*, token: str, suffix: str) -> None:
    path = _path(token, suffix)
    if path is not None:
        path.unlink(missing_ok=True)


def pending_take(*, token: str, suffix: str) -> bytes | None:
    """The content of a waiting file, removed from the folder; None when it is gone or
    older than PENDING_MAX_AGE (then removed too)."""
    path = _path(token, suffix)
    if path is None:
        return None
    try:
        fresh = path.stat().st_mtime >= time.time() - PENDING_MAX_AGE
        content = path.read_bytes() if fresh else None
    except OSError:
        return None
    finally:
        path.unlink(missing_ok=True)
    return content
