"""Sign the ledger's current tree head (run daily by a timer; docs/operations.md)."""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand

from fpa.transparency.services import sign_checkpoint


class Command(BaseCommand):
    help = "Sign and publish a checkpoint of the verifiable ledger's current tree head."

    def handle(self, *args: Any, **options: Any) -> None:
        checkpoint = sign_checkpoint()
        root = base64.b64encode(bytes(checkpoint.root_hash)).decode()
        self.stdout.write(
            self.style.SUCCESS(f"Signed checkpoint: size {checkpoint.tree_size}, root {root}")
        )
