"""Backup and restore of every configured database, the media files and a manifest.

``manage.py backup DIR`` and ``manage.py restore DIR`` parse their arguments and call ``backup`` and
``restore`` here (docs/operations.md, "Backup and restore").

A backup folder holds::

    manifest.json            what the backup is and how to check it (below)
    db/<alias>.sqlite3       SQLite: a copy made with the online backup API (one read transaction)
    db/<alias>.dump          PostgreSQL: ``pg_dump -Fc`` of an exported snapshot
    media/...                the uploaded files (care photos) under MEDIA_ROOT

Every figure of the manifest (tables and their row counts, applied migrations, the ledger's tree
size and root hash, the audit row count) is read from the same snapshot that is written, so the
figures and the data agree even while the site keeps writing. No key is ever written: the manifest
names the key ids the data needs, each with a check value (an HMAC of a fixed text under the key)
that tells whether the key loaded at restore time is the same key, and reveals nothing of it.

Every configured database alias is covered, whatever its tables: nothing here lists tables.
"""

from __future__ import annotations

import glob
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable
from importlib import import_module
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.utils import timezone

MANIFEST = "manifest.json"
FORMAT = "fpa-backup/1"
KEY_CHECK_TEXT = b"fpa backup key check value"
MIGRATIONS_TABLE = "django_migrations"

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused or failed; the message tells the operator what to do."""


# --- helpers -------------------------------------------------------------------------------------


def key_check_value(key: bytes) -> str:
    """A short one-way fingerprint of a key: equal values mean the same key."""
    return hmac.new(key, KEY_CHECK_TEXT, hashlib.sha256).hexdigest()[:16]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pg_tool(name: str) -> str:
    """The path of pg_dump or pg_restore: the newest under /usr/lib/postgresql, else on PATH."""
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise BackupError(f"{name} not found on PATH nor under /usr/lib/postgresql/*/bin.")


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The environment for pg_dump/pg_restore: the password never goes on the command line."""
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(  # noqa: S603 - our own argument list, no shell
        args, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr}")


def aliases() -> list[str]:
    """Every configured database alias, once per real database (test mirrors left out)."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for alias in connections:
        conf = connections[alias].settings_dict
        if (conf.get("TEST") or {}).get("MIRROR"):
            continue
        identity = (conf["ENGINE"], str(conf.get("HOST")), str(conf.get("PORT")), str(conf["NAME"]))
        if identity in seen:
            continue
        seen.add(identity)
        out.append(alias)
    return out


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"database {alias!r}: {vendor} is not supported (SQLite, PostgreSQL).")
    return vendor


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sqlite_path(alias: str) -> Path:
    name = str(connections[alias].settings_dict["NAME"])
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupError(f"database {alias!r} is in memory; there is nothing to back up.")
    return Path(name)


# --- figures of a snapshot ----------------------------------------------------------------------


def _table_names(cursor: Any, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT tablename FROM pg_catalog.pg_tables "
            "WHERE schemaname = current_schema() ORDER BY tablename"
        )
    return [row[0] for row in cursor.fetchall()]


def backup_parts() -> list[Any]:
    """The apps' parts of a backup, in INSTALLED_APPS order: modules named on an AppConfig as
    `backup_part` (today the ledger, fpa.transparency.backup), each with NAME, figures(cursor,
    alias, counts, quote), keys_needed(), key_problems(manifest) and verify()."""
    paths = [getattr(config, "backup_part", None) for config in apps.get_app_configs()]
    return [import_module(path) for path in paths if path]


def _part_names() -> tuple[str, ...]:
    return tuple(part.NAME for part in backup_parts())


def figures(cursor: Any, vendor: str, alias: str) -> dict[str, Any]:
    """What the manifest says about one database, read through ``cursor`` (a DB-API cursor on
    the snapshot, or Django's on a restored database): tables and row counts, applied migrations,
    and, on the alias that holds them, the audit trail and each app's part (the ledger)."""
    tables = _table_names(cursor, vendor)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - a quoted name
        counts[table] = int(cursor.fetchone()[0])
    out: dict[str, Any] = {"vendor": vendor, "tables": counts}
    if MIGRATIONS_TABLE in counts:
        migrations: dict[str, list[str]] = {}
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(app, []).append(name)
        out["migrations"] = migrations
    for part in backup_parts():
        found = part.figures(cursor, alias, counts, _quote)
        if found is not None:
            out[part.NAME] = found
    from fpa.core.models import AuditEvent as audit

    if router.db_for_write(audit) == alias and audit._meta.db_table in counts:
        out["audit_rows"] = counts[audit._meta.db_table]
    return out


def _keys_needed() -> dict[str, Any]:
    from fpa.core.crypto import keyring

    try:
        ring = keyring()
        needed: dict[str, Any] = {
            "field_keys": {
                "active": ring.active,
                "check_values": {
                    kid: key_check_value(key) for kid, key in sorted(ring.keys.items())
                },
                "hash_key_check_value": key_check_value(ring.hash_key),
            },
        }
        for part in backup_parts():
            needed |= part.keys_needed()
    except ImproperlyConfigured as exc:
        raise BackupError(f"the keys are not loaded: {exc}") from exc
    return needed


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


def _figures_of(alias: str) -> dict[str, Any]:
    wrapper = connections[alias]
    with wrapper.cursor() as cursor:
        return figures(cursor, wrapper.vendor, alias)


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


def _audit(what: str, name: str, reason: str) -> None:
    """One audit row per backup taken and per restore completed (no actor: an operator's command
    on the server; the folder's name says which backup)."""
    from fpa.core.audit import audit_record
    from fpa.core.models import AuditEvent

    action = AuditEvent.Action.EXPORT if what == "backup" else AuditEvent.Action.CREATE
    audit_record(
        actor=None,
        action=action,
        object_type=f"core.{what}",
        object_repr=name[:200],
        reason=reason,
        username="manage.py",
    )


def _mismatch(problems: list[str]) -> str:
    return (
        "the restored data does not match the backup's manifest; do not use this database "
        "(drop it, create an empty one and restore another backup):\n  " + "\n  ".join(problems)
    )
