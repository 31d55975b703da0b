"""Keeping an uploaded workbook between the dry run and the commit, safely.

The file is encrypted (AES-256-GCM) with a fresh key and stored under a random token in a private
directory. The key is kept by the import's background job (fpa.core.excel.jobs), sealed with the
field keys, so the worker can open the file and the user can confirm after signing in again. The
associated data binds the ciphertext to the token, the import kind and the user, so a token from
another user or another import opens nothing. Files older than the time limit are swept on each
new upload and refused on load; a commit discards its file.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def ttl() -> int:
    return int(getattr(settings, "FPA_EXCEL_UPLOAD_TTL", 30 * 60))


def directory() -> Path:
    """`FPA_EXCEL_UPLOAD_DIR`, else `<VAR_DIR>/excel-uploads` (private to the application)."""
    configured = getattr(settings, "FPA_EXCEL_UPLOAD_DIR", "")
    var = getattr(settings, "VAR_DIR", None)
    if configured:
        path = Path(configured)
    elif var:
        path = Path(var) / "excel-uploads"
    else:  # a shared temporary directory: the folder must be ours
        path = Path(tempfile.gettempdir()) / f"fpa-excel-uploads-{os.getuid()}"
        path.mkdir(mode=0o700, exist_ok=True)
        if path.is_symlink() or path.stat().st_uid != os.getuid():
            raise PermissionError(f"{path} belongs to another user")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _associated(kind: str, user_id: Any, token: str) -> bytes:
    return f"{kind}|{user_id}|{token}".encode()


def sweep() -> None:
    """Delete stashed files older than the time limit."""
    limit = time.time() - ttl()
    for entry in os.scandir(directory()):
        try:
            if entry.is_file() and entry.stat().st_mtime < limit:
                os.unlink(entry.path)
        except FileNotFoundError:
            continue


def seal(kind: str, user_id: Any, data: bytes) -> tuple[str, str]:
    """Keep `data` for the user's import; returns (token, key). The key (base64) is kept by the
    caller (the import's background job holds it sealed with the field keys)."""
    sweep()
    token = secrets.token_urlsafe(32)
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, data, _associated(kind, user_id, token))
    path = directory() / f"{token}.bin"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(nonce + sealed)
    return token, base64.b64encode(key).decode()


def unseal(kind: str, user_id: Any, token: str, key: str) -> bytes | None:
    """The kept bytes, or None when the token is unknown, expired, or not this user's import."""
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    path = directory() / f"{token}.bin"
    try:
        if time.time() - path.stat().st_mtime > ttl():
            return None
        blob = path.read_bytes()
        return AESGCM(base64.b64decode(key)).decrypt(
            blob[:12], blob[12:], _associated(kind, user_id, token)
        )
    except Exception:  # missing file, wrong key, tampered: the same answer
        return None


def discard(token: str) -> None:
    if isinstance(token, str) and TOKEN.match(token):
        _remove(token)


def _remove(token: str) -> None:
    if TOKEN.match(token):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(directory() / f"{token}.bin")
