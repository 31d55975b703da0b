"""What taking and restoring a backup share: the manifest's format, the figures of a database,
the keys it needs, the apps' parts (the ledger), helpers for PostgreSQL tools and paths."""

from __future__ import annotations

import glob
import hashlib
import hmac
import os
import shutil
import subprocess
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router

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
    from fpa.core.models import AuditEvent  # models load after setup

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
    if router.db_for_write(AuditEvent) == alias and AuditEvent._meta.db_table in counts:
        out["audit_rows"] = counts[AuditEvent._meta.db_table]
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


def _figures_of(alias: str) -> dict[str, Any]:
    wrapper = connections[alias]
    with wrapper.cursor() as cursor:
        return figures(cursor, wrapper.vendor, alias)


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
