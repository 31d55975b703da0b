"""The "jobs" database alias: background jobs, their queue and the workers' heartbeats.

A job's progress must be visible while the job's own work holds one long transaction on
"default" (an import commits all or nothing). Progress written on the same connection would stay
invisible until the end, so job rows go through a second connection: on PostgreSQL the same
database through the "jobs" alias (same settings, its own connection, autocommit); on SQLite a
separate file (`var/jobs.sqlite3`), because a second connection to the main file cannot write
while the import holds its write lock. See docs/architecture.md, "Background jobs".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

JOBS = "jobs"
JOB_MODELS = frozenset({"job", "workerbeat"})
QUEUE_APP = "django_tasks_database"  # django_tasks_db's app label (not its module name)


def is_job_model(app_label: str, model_name: str | None) -> bool:
    return app_label == QUEUE_APP or (app_label == "core" and model_name in JOB_MODELS)


def jobs_database_is_separate() -> bool:
    """True when "jobs" is another database (SQLite file), not a second connection to "default".

    While the test runner creates the test database, "default" already carries the test name
    and "jobs" (a copy of it, mirrored afterwards) still the real one: its test name counts too.
    """
    default, jobs = settings.DATABASES["default"], settings.DATABASES.get(JOBS, {})
    if (default.get("ENGINE"), default.get("HOST"), default.get("PORT")) != (
        jobs.get("ENGINE"),
        jobs.get("HOST"),
        jobs.get("PORT"),
    ):
        return True
    name = jobs.get("NAME")
    test_name = (jobs.get("TEST") or {}).get("NAME") or f"test_{name}"
    return default.get("NAME") not in (name, test_name)


class JobsRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if not is_job_model(model._meta.app_label, model._meta.model_name):
            return None
        if model.__module__ == "__fake__" and not jobs_database_is_separate():
            # A migration's historical model (django_tasks_db's 0016 updates rows in RunPython):
            # on one database it must use the migrating connection, whose new table a second
            # connection cannot see yet.
            return None
        return JOBS

    db_for_write = db_for_read

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool | None:
        if not jobs_database_is_separate():
            # One database: everything is created once, through "default".
            return False if db == JOBS else None
        if db == JOBS:
            return is_job_model(app_label, model_name)
        return False if is_job_model(app_label, model_name) else None
