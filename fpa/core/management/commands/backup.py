"""Write a consistent backup of every database, the media files and a manifest to a new folder."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fpa.core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up every configured database (SQLite online backup, PostgreSQL pg_dump -Fc), the "
        "media files and a manifest into DIR, which must not exist. No key is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="the new backup folder (refused if it exists)")

    def handle(self, *args: Any, directory: str, **options: Any) -> None:
        try:
            manifest = backup(directory, say=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = sum(f["bytes"] for f in manifest["files"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {directory}: {len(manifest['files'])} files, {size} bytes, "
                f"{manifest['seconds']} s"
            )
        )
