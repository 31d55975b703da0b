"""Sign the ledger's current tree head (run daily by a timer; docs/operations.md).

Without --reason it signs only a tree that extends what was signed before; otherwise it raises
an alarm and exits non-zero. With --reason (an operator, after looking into the alarm) it
resolves the open alarms and signs the current tree; both are audited with the reason.
"""

from __future__ import annotations

import base64
import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fpa.core.errors import ServiceError
from fpa.transparency.services import sign_checkpoint


def operator_name(given: str | None) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry
        user = "unknown"
    return f"manage.py:{given or user}"


class Command(BaseCommand):
    help = "Sign and publish a checkpoint of the verifiable ledger's current tree head."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reason",
            default="",
            help="an operator's stated reason: resolve open ledger alarms and sign (audited)",
        )
        parser.add_argument("--operator", help="who acts (default: the system user)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = sign_checkpoint(
                operator=operator_name(options["operator"]), reason=options["reason"]
            )
        except ServiceError as error:
            raise CommandError(error.message) from None
        root = base64.b64encode(bytes(checkpoint.root_hash)).decode()
        self.stdout.write(
            self.style.SUCCESS(f"Signed checkpoint: size {checkpoint.tree_size}, root {root}")
        )
