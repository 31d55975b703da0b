"""Readiness checks behind /readyz: each answers "ok" or "fail", nothing else."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils.module_loading import import_string

from fpa.core.db_router import JOBS

logger = logging.getLogger(__name__)


def _database() -> None:
    for alias in (DEFAULT_DB_ALIAS, JOBS):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")


def _migrations() -> None:
    """Every migration of the code is recorded as applied. (A plan to the leaf nodes is not
    enough: a migration missing below an applied one, e.g. after restoring an old database, is
    not in that plan.)"""
    for alias in (DEFAULT_DB_ALIAS, JOBS):
        loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
        missing = set(loader.graph.nodes) - set(loader.applied_migrations)
        if missing:
            raise RuntimeError(f"unapplied migrations on {alias}: {sorted(missing)[:5]}")


def _worker() -> None:
    from fpa.core.jobs import live_workers

    if live_workers() < 1:
        raise RuntimeError("no task worker heartbeat within a minute")


def _field_keys() -> None:
    from fpa.core.crypto import keyring

    keyring().encrypt("readyz", context="readyz")


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "migrations": _migrations,
    "worker": _worker,
    "field_keys": _field_keys,
}


def checks() -> dict[str, Callable[[], None]]:
    """Core's checks, then each app's (`readiness_checks` on its AppConfig: name -> function
    path; the ledger's signing key, fpa.transparency)."""
    found = dict(CHECKS)
    for config in apps.get_app_configs():
        for name, path in getattr(config, "readiness_checks", {}).items():
            found[name] = import_string(path)
    return found


def readiness() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in checks().items():
        try:
            check()
        except Exception:
            logger.warning("readiness check %s failed", name, exc_info=True)
            results[name] = "fail"
        else:
            results[name] = "ok"
    return results
