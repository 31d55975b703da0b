"""Keeping an uploaded workbook between the dry run and the commit, safely.

The file is encrypted (AES-256-GCM) with a fresh key that lives only in the uploader's session, and
stored under a random token in a private temporary directory. The associated data binds the
ciphertext to the token, the import kind and the user, so a token from another user, another
session or another import opens nothing. Files older than the time limit are swept on each new
upload and refused on load; a commit discards its file.
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

SESSION_KEY = "fpa_excel_uploads"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_PER_SESSION = 5


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


def _associated(kind: str, user: Any, token: str) -> bytes:
    return f"{kind}|{user.pk}|{token}".encode()


def sweep() -> None:
    """Delete stashed files older than the time limit."""
    limit = time.time() - ttl()
    for entry in os.scandir(directory()):
        try:
            if entry.is_file() and entry.stat().st_mtime < limit:
                os.unlink(entry.path)
        except FileNotFoundError:
            continue


def stash(request: Any, kind: str, data: bytes) -> str:
    """Keep `data` for this user's session; returns the token the commit form posts back."""
    sweep()
    token = secrets.token_urlsafe(32)
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, data, _associated(kind, request.user, token))
    path = directory() / f"{token}.bin"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(nonce + sealed)
    entries = dict(request.session.get(SESSION_KEY, {}))
    entries[token] = {"kind": kind, "key": base64.b64encode(key).decode(), "at": time.time()}
    for old in sorted(entries, key=lambda t: entries[t]["at"])[:-MAX_PER_SESSION]:
        _remove(old)
        entries.pop(old)
    request.session[SESSION_KEY] = entries
    return token


def load(request: Any, kind: str, token: str) -> bytes | None:
    """The stashed bytes, or None when the token is unknown, expired or not this user's."""
    if not isinstance(token, str) or not TOKEN.match(token):
        return None
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("kind") != kind or time.time() - entry.get("at", 0) > ttl():
        return None
    try:
        blob = (directory() / f"{token}.bin").read_bytes()
        key = base64.b64decode(entry["key"])
        return AESGCM(key).decrypt(blob[:12], blob[12:], _associated(kind, request.user, token))
    except Exception:  # missing file, wrong key, tampered: the same answer
        return None


def discard(request: Any, token: str) -> None:
    entries = dict(request.session.get(SESSION_KEY, {}))
    if isinstance(token, str) and TOKEN.match(token):
        _remove(token)
        entries.pop(token, None)
    request.session[SESSION_KEY] = entries


def _remove(token: str) -> None:
    if TOKEN.match(token):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(directory() / f"{token}.bin")
