"""What the server has signed, remembered outside the database (docs/ledger.md, "Refusing to
sign a fork").

A small JSON file (``FPA_LEDGER_WITNESS_FILE``, by default ``var/ledger-witness.json`` beside the
signing key) lists the (tree size, root hash) of every checkpoint the server signed, in signing
order, and the newest signed note. It is rewritten atomically (a temporary file, fsync, rename)
while the log's lock is held, before the signing transaction commits. Someone who can only write
to the database cannot make the server forget what it signed: deleting every checkpoint row,
or rewriting entries that a deleted checkpoint covered, is noticed at the next signature and by
``verify_ledger``. Someone who can also write this file can read the signing key beside it, so the
file does not need a signature of its own.

Each head costs about 60 bytes: an hourly checkpoint for a year is about 0.5 MB.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FORMAT = "fpa-ledger-witness/1"


class WitnessError(Exception):
    """The file exists but cannot be read as a witness."""


@dataclass(frozen=True)
class Head:
    tree_size: int
    root_hash: bytes


def path() -> Path | None:
    value = getattr(settings, "FPA_LEDGER_WITNESS_FILE", "")
    return Path(value) if value else None


def read() -> list[Head]:
    """Every head the server remembers signing, oldest first ([] if none or turned off)."""
    where = path()
    if where is None or not where.exists():
        return []
    try:
        document = json.loads(where.read_text(encoding="utf-8"))
        if document.get("format") != FORMAT:
            raise ValueError("unknown format")
        heads = [Head(int(size), base64.b64decode(root)) for size, root in document["heads"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise WitnessError(f"{where}: {error}") from None
    if any(h.tree_size < 0 or len(h.root_hash) != 32 for h in heads):
        raise WitnessError(f"{where}: a head has a bad size or root")
    return heads


def remember(tree_size: int, root_hash: bytes, note: str) -> None:
    """Add a signed head and make the file durable before returning."""
    where = path()
    if where is None:
        return
    try:
        heads = read()
    except WitnessError:
        heads = []  # only an operator's signature gets here (the check refused otherwise)
    heads.append(Head(tree_size, root_hash))
    document = {
        "format": FORMAT,
        "origin": settings.FPA_LEDGER_ORIGIN,
        "heads": [[h.tree_size, base64.b64encode(h.root_hash).decode()] for h in heads],
        "note": note,
    }
    where.parent.mkdir(parents=True, exist_ok=True)
    tmp = where.with_name(where.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(document, handle, separators=(",", ":"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, where)
    try:
        dir_fd = os.open(where.parent, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
