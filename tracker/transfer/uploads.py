"""Uploaded files kept on the server between the preview and the confirmation of an import.

Each file lies in the upload folder (`IMPORT_UPLOAD_FOLDER`, by default `instance/uploads/`)
under a random token, next to a small JSON file naming its owner; only that user can confirm or
cancel it. Files are deleted once confirmed or cancelled, and any left behind (a preview never
answered) after `IMPORT_UPLOAD_TTL` seconds, an hour by default.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

DEFAULT_TTL = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class Upload:
    token: str
    kind: str
    filename: str
    user_id: int
    created: float


def folder() -> Path:
    configured = current_app.config.get("IMPORT_UPLOAD_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _ttl() -> int:
    return int(current_app.config.get("IMPORT_UPLOAD_TTL", DEFAULT_TTL))


def _paths(token: str) -> tuple[Path, Path]:
    base = folder()
    return base / f"{token}.upload", base / f"{token}.json"


def save(data: bytes, *, kind: str, filename: str, user_id: int) -> Upload:
    """Keep `data` for `user_id` and return the token that finds it again."""
    remove_expired()
    base = folder()
    base.mkdir(parents=True, exist_ok=True)
    upload = Upload(secrets.token_urlsafe(24), kind, filename, user_id, time.time())
    content, meta = _paths(upload.token)
    _write(content, data)
    _write(meta, json.dumps(upload.__dict__).encode())
    return upload


def _write(path: Path, data: bytes) -> None:
    # Readable by the server's user only: the files hold company data.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def load(token: str, user_id: int) -> tuple[Upload, bytes] | None:
    """The upload and its bytes, if `token` is one of `user_id`'s and has not expired."""
    if not _TOKEN.match(token):
        return None
    content, meta = _paths(token)
    try:
        upload = Upload(**json.loads(meta.read_text()))
        data = content.read_bytes()
    except (OSError, ValueError, TypeError):
        return None
    if upload.user_id != user_id or upload.token != token:
        return None
    if time.time() - upload.created > _ttl():
        discard(token)
        return None
    return upload, data


def discard(token: str) -> None:
    if _TOKEN.match(token):
        for path in _paths(token):
            path.unlink(missing_ok=True)


def remove_expired() -> None:
    """Delete the files of previews that nobody confirmed or cancelled in time."""
    base = folder()
    if not base.is_dir():
        return
    limit = time.time() - _ttl()
    for path in base.iterdir():
        if path.suffix in (".upload", ".json"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
            except OSError:
                continue
