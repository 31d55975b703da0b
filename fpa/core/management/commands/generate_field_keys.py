"""Create the key file for protected personal fields (once), or add a new active key (--rotate)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fpa.core.crypto import new_keyring_document


class Command(BaseCommand):
    help = "Create the field-encryption key file (kept out of git), or add a new active key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--rotate", action="store_true", help="add a new key and make it active"
        )

    def handle(self, *args: Any, rotate: bool = False, **options: Any) -> None:
        if not settings.FPA_KEY_FILE:
            raise CommandError("FPA_KEY_FILE is not set; keys come from FPA_FIELD_KEYS.")
        path = Path(settings.FPA_KEY_FILE)
        if path.exists() and not rotate:
            self.stdout.write(f"Key file exists: {path}")
            return
        previous = path.read_text() if path.exists() else None
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path.with_suffix(".tmp"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_keyring_document(previous))
        path.with_suffix(".tmp").replace(path)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}"))
