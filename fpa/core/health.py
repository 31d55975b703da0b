"""Readiness checks behind /readyz: each answers "ok" or "fail", nothing else."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from fpa.core.db_router import JOBS

logger = logging.getLogger(__name__)


def _database() -> None:
    for alias in (DEFAULT_DB_ALIAS, JOBS):
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")


def _migrations() -> None:
    for alias in (DEFAULT_DB_ALIAS, JOBS):
        executor = MigrationExecutor(connections[alias])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise RuntimeError(f"unapplied migrations on {alias}")


def _worker() -> None:
    from fpa.core.jobs import live_workers

    if live_workers() < 1:
        raise RuntimeError("no task worker heartbeat within a minute")


def _field_keys() -> None:
    from fpa.core.crypto import keyring

    keyring().encrypt("readyz", context="readyz")


def _ledger_key() -> None:
    from fpa.transparency.keys import signing_key

    signing_key().sign(b"readyz")


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "migrations": _migrations,
    "worker": _worker,
    "field_keys": _field_keys,
    "ledger_key": _ledger_key,
}


def readiness() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.warning("readiness check %s failed", name, exc_info=True)
            results[name] = "fail"
        else:
            results[name] = "ok"
    return results
