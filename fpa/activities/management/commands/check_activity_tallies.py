"""Compare the activities' figures (tallies) with the records; --fix rebuilds them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fpa.activities import tallies
from fpa.organizations.models import Association

SHOWN = 50  # differences listed; the count says how many there are


class Command(BaseCommand):
    help = (
        "Check the activities' figures (activities, people served, materials, media, sites, "
        "experts, peer clubs per association and year) against the records (--fix rebuilds)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fix", action="store_true", help="rebuild the figures")

    def handle(self, *args: Any, fix: bool, **options: Any) -> None:
        wrong = tallies.differences()
        if not wrong:
            self.stdout.write(self.style.SUCCESS("Activity figures agree with the records."))
            return
        shown = sorted(wrong.items())[:SHOWN]
        codes = dict(
            Association.objects.filter(pk__in={key[0] for key, _ in shown}).values_list(
                "pk", "code"
            )
        )
        for (association_id, year, figure, dimension), (stored, actual) in shown:
            code = codes.get(association_id, f"#{association_id}")
            when = year or "stock"
            self.stdout.write(
                f"association {code} {when} {figure}/{dimension or '-'}: "
                f"stored {stored}, records {actual}"
            )
        if len(wrong) > SHOWN:
            self.stdout.write(f"... and {len(wrong) - SHOWN} more")
        if not fix:
            raise CommandError(
                f"{len(wrong)} figures disagree with the records; run with --fix to rebuild them."
            )
        rows = tallies.recount()
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {rows} figures from the records."))
