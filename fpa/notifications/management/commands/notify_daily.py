"""`manage.py notify_daily`: the daily digest of each account's to-dos (cron, once a morning).
`--background` queues it as the job "notifications.daily" instead of running it here."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fpa.core.jobs import job_enqueue
from fpa.notifications import digest
from fpa.notifications.jobs import DAILY


class Command(BaseCommand):
    help = "Write today's to-do digests (and single to-do messages) into every active inbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--background", action="store_true", help="queue it as a job")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["background"]:
            job = job_enqueue(kind=DAILY, actor=None, title="每日待办汇总")
            self.stdout.write(f"queued job {job.pk}")
            return
        started = time.monotonic()
        figures = digest.sweep()
        elapsed = time.monotonic() - started
        self.stdout.write(
            "users {users}, digests {digests}, single messages {singles}, "
            "held messages digested {digested}".format(**figures)
            + f", {elapsed:.1f} s"
        )
