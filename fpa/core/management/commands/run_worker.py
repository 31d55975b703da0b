"""The background task worker: django_tasks_db's `db_worker`, plus a heartbeat.

The heartbeat (a row in the jobs database every few seconds) tells /readyz that a worker is
alive, and lets the worker mark failed the running jobs of workers that died (no heartbeat for a
minute). Several workers may run on several machines against one PostgreSQL database: the
queue hands each job to exactly one of them (SELECT ... FOR UPDATE SKIP LOCKED).
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from typing import Any

from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from fpa.core import jobs


class Command(DbWorkerCommand):
    help = "Run the background task worker (with a heartbeat for /readyz)."

    def handle(self, *args: Any, **options: Any) -> None:
        # Named after the machine and the process, so an operator can tell workers apart.
        worker_id = os.environ.get("FPA_WORKER_ID") or (
            f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(3)}"
        )
        options["worker_id"] = worker_id[:64]
        options["reload"] = False
        jobs.WORKER_ID = options["worker_id"]
        stop = threading.Event()

        def beat() -> None:
            try:
                while True:
                    try:
                        jobs.worker_beat(jobs.WORKER_ID)
                    except Exception:  # a locked or unreachable database: try again
                        jobs.logger.exception("worker heartbeat failed")
                    if stop.wait(jobs.heartbeat_every()):
                        return
            finally:
                connections.close_all()

        jobs.worker_beat(jobs.WORKER_ID)
        thread = threading.Thread(target=beat, name="worker-beat", daemon=True)
        thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            thread.join(timeout=5)
            try:
                jobs.worker_gone(jobs.WORKER_ID)
            finally:
                connections.close_all()
