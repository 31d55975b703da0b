"""Create the ledger's Ed25519 signing key file (once; kept out of git)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from fpa.transparency.keys import new_private_key_pem, signing_key


class Command(BaseCommand):
    help = "Create the Ed25519 key that signs the ledger's checkpoints (FPA_LEDGER_KEY_FILE)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.FPA_LEDGER_KEY_FILE:
            raise CommandError("FPA_LEDGER_KEY_FILE is not set; the key comes from FPA_LEDGER_KEY.")
        path = Path(settings.FPA_LEDGER_KEY_FILE)
        if path.exists():
            self.stdout.write(f"Key file exists: {path}")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(new_private_key_pem())
        tmp.replace(path)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}"))
        if not os.environ.get("FPA_LEDGER_KEY"):
            self.stdout.write(f"Public key (publish it): {signing_key().vkey}")
