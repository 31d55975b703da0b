"""List the ledger's alarms and check whether the current tree could be signed; resolve the
open alarms with a stated reason (audited). docs/operations.md, "Ledger alarm"."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fpa.core.errors import ServiceError
from fpa.transparency.management.commands.sign_checkpoint import operator_name
from fpa.transparency.models import LedgerAlarm
from fpa.transparency.services import check_extension, resolve_alarms, root_at, tree_size


class Command(BaseCommand):
    help = "Show the verifiable ledger's alarms; --resolve --reason R closes the open ones."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="also list resolved alarms")
        parser.add_argument("--resolve", action="store_true", help="resolve the open alarms")
        parser.add_argument("--reason", default="", help="why (required with --resolve)")
        parser.add_argument("--operator", help="who acts (default: the system user)")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = LedgerAlarm.objects.order_by("id")
        if not options["all"]:
            rows = rows.filter(resolved_at__isnull=True)
        for alarm in rows:
            state = (
                f"resolved {alarm.resolved_at:%Y-%m-%d %H:%M} by {alarm.resolved_by}: "
                f"{alarm.resolution}"
                if alarm.resolved_at
                else "OPEN"
            )
            self.stdout.write(
                f"#{alarm.pk} {alarm.raised_at:%Y-%m-%d %H:%M:%S} {alarm.kind} "
                f"(log size {alarm.tree_size}) {state}\n  {alarm.message}\n"
                f"  {json.dumps(alarm.details, ensure_ascii=False)}"
            )
        size = tree_size()
        problem = check_extension(size, root_at(size))
        self.stdout.write(
            f"Current log: {size} entries; "
            + (f"NOT signable: {problem.message}" if problem else "extends what was signed")
        )
        if options["resolve"]:
            try:
                count = resolve_alarms(
                    actor=None,
                    operator=operator_name(options["operator"]),
                    reason=options["reason"],
                )
            except ServiceError as error:
                raise CommandError(error.message) from None
            self.stdout.write(self.style.SUCCESS(f"Resolved {count} alarm(s)."))
