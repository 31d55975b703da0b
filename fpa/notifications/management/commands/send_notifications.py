"""`manage.py send_notifications`: send (or retry) every SMS and e-mail delivery that is due
(cron, every few minutes; the worker also retries on its own when its backend defers tasks)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from fpa.notifications.sending import send_due


class Command(BaseCommand):
    help = "Send the pending notification deliveries that are due (retries with backoff)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = send_due(limit=options["limit"])
        self.stdout.write(
            "sent {sent}, still pending {pending}, failed for good {failed}, "
            "skipped {skipped}".format(**outcome)
        )
