"""Restore a backup folder into empty databases, migrate forward and check it against its
manifest."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fpa.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore the backup in DIR into the configured empty databases and media folder, migrate "
        "forward, then check every figure of its manifest and verify the ledger."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="a folder written by `manage.py backup`")

    def handle(self, *args: Any, directory: str, **options: Any) -> None:
        try:
            result = restore(directory, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: restored {directory} (backup of {result['manifest']['created_at']}), "
                f"{result['seconds']} s"
            )
        )
