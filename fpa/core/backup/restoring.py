"""Restoring a backup into empty databases, refused unless every check passes, then checked
against its manifest (every figure, and each app's verification: the ledger)."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from fpa.core.backup.common import (
    FORMAT,
    MANIFEST,
    BackupError,
    Say,
    _audit,
    _figures_of,
    _mismatch,
    _part_names,
    _pg_env,
    _run,
    _sqlite_path,
    _table_names,
    _vendor,
    backup_parts,
    key_check_value,
    pg_tool,
    sha256_file,
)

# --- restore -------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} not found: this is not a backup folder.")
    try:
        manifest = json.loads(path.read_text())
    except ValueError as exc:
        raise BackupError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown format (expected {FORMAT}).")
    return manifest


def check_files(source: Path, manifest: dict[str, Any]) -> None:
    listed = manifest.get("files") or {}
    bad = []
    for name, meta in sorted(listed.items()):
        path = source / name
        if not path.is_file():
            bad.append(f"{name}: missing")
        elif sha256_file(path) != meta.get("sha256"):
            bad.append(f"{name}: SHA-256 does not match the manifest")
    present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - {
        MANIFEST
    }
    bad += [f"{name}: not listed in the manifest" for name in sorted(present - listed.keys())]
    if bad:
        raise BackupError(
            "the backup's files do not match its manifest (damaged or altered); nothing was "
            "restored:\n  " + "\n  ".join(bad[:20])
        )


def check_schema(manifest: dict[str, Any]) -> None:
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{alias}: {app}.{name}"
        for alias, db in sorted(manifest["databases"].items())
        for app, names in sorted((db.get("migrations") or {}).items())
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "the backup was made by a newer or different version of the platform: this code "
            "does not know the migrations\n  " + "\n  ".join(unknown[:20]) + "\nInstall the "
            "version that made the backup (or a newer one), then restore; nothing was restored."
        )


def check_keys(manifest: dict[str, Any]) -> None:
    from fpa.core.crypto import keyring

    needed = manifest["keys"]["field_keys"]
    problems: list[str] = []
    try:
        ring = keyring()
        for part in backup_parts():
            problems += part.key_problems(manifest)
    except (ImproperlyConfigured, ValueError) as exc:
        raise BackupError(f"the keys are not loaded: {exc}") from exc
    for kid, check in sorted(needed["check_values"].items()):
        if kid not in ring.keys:
            problems.append(f"field key {kid!r} is not loaded")
        elif key_check_value(ring.keys[kid]) != check:
            problems.append(f"field key {kid!r} is loaded but is a different key")
    if key_check_value(ring.hash_key) != needed["hash_key_check_value"]:
        problems.append("the search-hash key (hash_key) is a different key")
    if problems:
        raise BackupError(
            "the keys this backup needs are not loaded (FPA_FIELD_KEYS / FPA_KEY_FILE, "
            "FPA_LEDGER_KEY / FPA_LEDGER_KEY_FILE, FPA_LEDGER_TRUSTED_KEYS); nothing was "
            "restored:\n  " + "\n  ".join(problems)
        )


def _existing_tables(alias: str) -> list[str]:
    wrapper = connections[alias]
    if wrapper.vendor == "sqlite":
        path = _sqlite_path(alias)
        if not path.exists() or path.stat().st_size == 0:
            return []
    with wrapper.cursor() as cursor:
        return _table_names(cursor, wrapper.vendor)


def check_targets(manifest: dict[str, Any]) -> None:
    problems = []
    for alias, db in sorted(manifest["databases"].items()):
        if alias not in connections:
            problems.append(f"database {alias!r} is in the backup but not configured here")
            continue
        vendor = _vendor(alias)
        if vendor != db["vendor"]:
            problems.append(f"database {alias!r} is {vendor} here but {db['vendor']} in the backup")
            continue
        tables = _existing_tables(alias)
        if tables:
            problems.append(
                f"database {alias!r} is not empty ({len(tables)} tables, e.g. "
                f"{', '.join(tables[:3])}): restore only into a new, empty database"
            )
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir() and any(p.is_file() for p in media.rglob("*")):
        problems.append(f"the media folder {media} is not empty: restore only into an empty one")
    if problems:
        raise BackupError("refused; nothing was restored:\n  " + "\n  ".join(problems))


def _load_sqlite(alias: str, snapshot: Path) -> None:
    path = _sqlite_path(alias)
    connections[alias].close()
    path.parent.mkdir(parents=True, exist_ok=True)
    for extra in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if extra.exists():  # an empty database file (checked: no tables) and its side files
            extra.unlink()
    partial = path.with_name(f".{path.name}.restoring")
    shutil.copyfile(snapshot, partial)
    os.chmod(partial, 0o600)
    os.replace(partial, path)


def _load_postgresql(alias: str, dump: Path) -> None:
    wrapper = connections[alias]
    wrapper.close()
    _run(
        [
            pg_tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            str(wrapper.settings_dict["NAME"]),
            str(dump),
        ],
        _pg_env(wrapper.settings_dict),
    )


def _compare(
    alias: str, expected: dict[str, Any], found: dict[str, Any], what: Iterable[str]
) -> list[str]:
    problems = []
    if "tables" in what:
        for table, count in sorted(expected["tables"].items()):
            got = found["tables"].get(table)
            if got != count:
                problems.append(f"{alias}: table {table}: {got} rows, the manifest says {count}")
    if "audit_rows" in what and expected.get("audit_rows") != found.get("audit_rows"):
        problems.append(
            f"{alias}: {found.get('audit_rows')} audit rows, the manifest says "
            f"{expected.get('audit_rows')}"
        )
    for name in what:
        if name in ("tables", "audit_rows"):
            continue
        want, got = expected.get(name) or {}, found.get(name) or {}  # an app's part: the ledger
        for key in sorted(want):
            if want.get(key) != got.get(key):
                problems.append(
                    f"{alias}: {name} {key} is {got.get(key)}, the manifest says {want.get(key)}"
                )
    return problems


def _restore_media(source: Path) -> int:
    media = source / "media"
    root = Path(settings.MEDIA_ROOT)
    restored = 0
    if not media.is_dir():
        return 0
    for path in sorted(media.rglob("*")):
        if not path.is_file():
            continue
        destination = root / path.relative_to(media)
        destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(path, destination)
        os.chmod(destination, 0o600)
        restored += 1
    return restored


def restore(directory: str | Path, *, say: Say = lambda _: None) -> dict[str, Any]:
    """Restore the backup at ``directory`` into the configured (empty) databases and media folder,
    then check it against its manifest and verify the ledger. Raises BackupError on any refusal
    (nothing changed) or mismatch."""
    from django.core.management import call_command

    source = Path(directory).absolute()
    started = time.monotonic()
    manifest = read_manifest(source)
    check_files(source, manifest)
    check_schema(manifest)
    check_keys(manifest)
    check_targets(manifest)
    say(f"backup of {manifest['created_at']}: files, schema, keys and targets checked")

    problems: list[str] = []
    for alias, db in sorted(manifest["databases"].items()):
        load = _load_sqlite if db["vendor"] == "sqlite" else _load_postgresql
        load(alias, source / db["file"])
        problems += _compare(
            alias, db, _figures_of(alias), ("tables", "audit_rows", *_part_names())
        )
        say(f"database {alias}: loaded, {len(db['tables'])} tables")
    if problems:
        raise BackupError(_mismatch(problems))
    for alias in sorted(manifest["databases"]):
        call_command("migrate", database=alias, interactive=False, verbosity=0)
        say(f"database {alias}: migrated forward")
    media = _restore_media(source)
    say(f"media: {media} files")
    for alias, db in sorted(manifest["databases"].items()):
        problems += _compare(alias, db, _figures_of(alias), ("audit_rows", *_part_names()))
    if media != manifest.get("media_root_files", 0):
        problems.append(
            f"media: {media} files restored, the manifest says {manifest['media_root_files']}"
        )
    passed = []
    for part in backup_parts():
        found, line = part.verify()
        problems += found
        passed.append(line)
    if problems:
        raise BackupError(_mismatch(problems))
    for line in passed:
        say(line)
    _audit("restore", source.name, f"restored from the backup of {manifest['created_at']}")
    return {"manifest": manifest, "seconds": round(time.monotonic() - started, 2), "media": media}
