"""Compare the member counters with the member table; --fix rebuilds them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fpa.members import tallies


class Command(BaseCommand):
    help = "Check the per-association member counters against the member table (--fix rebuilds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="rebuild the counters")

    def handle(self, *args: Any, fix: bool, **options: Any) -> None:
        wrong = tallies.differences()
        if not wrong:
            self.stdout.write(self.style.SUCCESS("Member counters agree with the member table."))
            return
        for (association_id, kind, sex), (stored, actual) in sorted(wrong.items())[:50]:
            self.stdout.write(
                f"association {association_id} {kind} {sex or '-'}: {stored} != {actual}"
            )
        if not fix:
            raise CommandError(f"{len(wrong)} counters disagree; run with --fix to rebuild them.")
        rows = tallies.recount()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {rows} counters."))
