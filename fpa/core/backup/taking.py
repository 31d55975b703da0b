"""Taking a backup while the site runs: a snapshot per database, the media, the manifest."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from fpa.core.backup.common import (
    FORMAT,
    MANIFEST,
    BackupError,
    Say,
    _audit,
    _keys_needed,
    _pg_env,
    _run,
    _sqlite_path,
    _vendor,
    aliases,
    figures,
    pg_tool,
    sha256_file,
)

# --- backup --------------------------------------------------------------------------------------


def _snapshot_sqlite(alias: str, out: Path) -> dict[str, Any]:
    path = _sqlite_path(alias)
    if not path.exists():
        raise BackupError(f"database {alias!r}: {path} does not exist.")
    source = sqlite3.connect(path, timeout=60)
    target = sqlite3.connect(out)
    try:
        source.backup(target)  # all pages in one step: one read transaction, a consistent copy
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        check = target.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"database {alias!r}: the copy fails quick_check: {check}")
        return figures(target.cursor(), "sqlite", alias)
    finally:
        target.close()
        source.close()


def _snapshot_postgresql(alias: str, out: Path) -> dict[str, Any]:
    wrapper = connections[alias]
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    try:
        raw.rollback()
        raw.autocommit = False
        cursor = raw.cursor()
        # pg_dump reads the very snapshot that the figures are read from.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [pg_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "--file", str(out)],
            _pg_env(wrapper.settings_dict),
        )
        return figures(cursor, "postgresql", alias)
    finally:
        raw.rollback()
        raw.close()


def _copy_media(target: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    copied = 0
    if not root.is_dir():
        return 0
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        destination = target / path.relative_to(root)
        destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(path, destination)
        os.chmod(destination, 0o600)
        copied += 1
    return copied


def _fsync_tree(root: Path) -> None:
    for path in [*root.rglob("*"), root]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def backup(directory: str | Path, *, say: Say = lambda _: None) -> dict[str, Any]:
    """Write a backup folder at ``directory`` (which must not exist); return the manifest."""
    target = Path(directory).absolute()
    if target.exists():
        raise BackupError(
            f"{target} already exists; a backup never overwrites one (use a new name)."
        )
    keys = _keys_needed()
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    _audit("backup", target.name, "backup taken (manage.py backup)")  # inside the snapshot too
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        (temp / "db").mkdir(mode=0o700)
        databases = {}
        for alias in aliases():
            vendor = _vendor(alias)
            name = f"{alias}.sqlite3" if vendor == "sqlite" else f"{alias}.dump"
            out = temp / "db" / name
            take = _snapshot_sqlite if vendor == "sqlite" else _snapshot_postgresql
            databases[alias] = {"file": f"db/{name}", **take(alias, out)}
            os.chmod(out, 0o600)
            say(f"database {alias} ({vendor}): {len(databases[alias]['tables'])} tables")
        media = _copy_media(temp / "media")
        say(f"media: {media} files")
        files = {
            path.relative_to(temp).as_posix(): {
                "sha256": sha256_file(path),
                "bytes": path.stat().st_size,
            }
            for path in sorted(temp.rglob("*"))
            if path.is_file()
        }
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "databases": databases,
            "media_root_files": media,
            "keys": keys,
            "files": files,
        }
        (temp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.chmod(temp / MANIFEST, 0o600)
        _fsync_tree(temp)
        if target.exists():
            raise BackupError(f"{target} appeared while the backup ran; it was left alone.")
        os.rename(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    manifest["seconds"] = round(time.monotonic() - started, 2)
    return manifest
