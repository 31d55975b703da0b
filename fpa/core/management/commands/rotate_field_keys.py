"""Re-encrypt every protected value with the active key (after `generate_field_keys --rotate`).

The work is the background job kind `core.rotate_field_keys` (fpa.core.key_rotation): run here
with progress lines, or enqueued with `--background`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from fpa.core.job_console import describe, enqueue_as_system, run_in_foreground
from fpa.core.key_rotation import ROTATE_FIELD_KEYS


class Command(BaseCommand):
    help = "Re-encrypt protected personal fields that use an old key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--background",
            action="store_true",
            help="enqueue the rotation as a background job (run by `manage.py run_worker`) and "
            "print its id",
        )

    def handle(self, *args: Any, background: bool = False, **options: Any) -> None:
        if background:
            job = enqueue_as_system(
                ROTATE_FIELD_KEYS,
                title="rotate_field_keys",
                params={},
                reason="manage.py rotate_field_keys --background",
            )
            self.stdout.write(describe(job))
            return
        result = run_in_foreground(ROTATE_FIELD_KEYS, {}, self.stdout)
        for label, updated in result["models"].items():
            self.stdout.write(f"{label}: {updated} values re-encrypted")
