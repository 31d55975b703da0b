"""The ledger's outside witnesses (docs/operations.md, "Ledger witnesses").

manage.py ledger_witness list
manage.py ledger_witness add --key '<vkey, type 0x04>' --url http://host:port/ [--label 审计局]
manage.py ledger_witness remove NAME --reason '...'
manage.py ledger_witness submit          # the newest checkpoint to every active witness, now
manage.py ledger_witness operator-key    # the log's verifier key, for a witness's --log
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fpa.core.errors import ServiceError
from fpa.transparency import cosign
from fpa.transparency.keys import signing_key
from fpa.transparency.management.commands.sign_checkpoint import operator_name
from fpa.transparency.models import Checkpoint, Witness


class Command(BaseCommand):
    help = "List, add or remove the ledger's witnesses; submit the newest checkpoint to them."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="the witnesses and their newest cosignature")
        add = sub.add_parser("add", help="add a witness")
        add.add_argument("--key", required=True, help="its verifier key (cosignature/v1, 0x04)")
        add.add_argument("--url", required=True, help="its submission prefix")
        add.add_argument("--label", default="", help="who runs it (shown on the pages)")
        add.add_argument("--reason", default="", help="why (kept in the audit trail)")
        add.add_argument("--if-missing", action="store_true", help="no error when it is there")
        add.add_argument("--operator", help="who acts (default: the system user)")
        remove = sub.add_parser("remove", help="stop submitting to a witness")
        remove.add_argument("name")
        remove.add_argument("--reason", required=True)
        remove.add_argument("--operator", help="who acts (default: the system user)")
        sub.add_parser("submit", help="submit the newest checkpoint to every active witness now")
        sub.add_parser("operator-key", help="print the log's verifier key")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, "do_" + action.replace("-", "_"))(options)
        except ServiceError as error:
            raise CommandError(error.message) from None

    def do_list(self, options: dict[str, Any]) -> None:
        witnesses = list(Witness.objects.order_by("-active", "id"))
        latest = cosign.latest_cosignatures(witnesses)
        if not witnesses:
            self.stdout.write("No witnesses.")
        for witness in witnesses:
            row = latest.get(witness.pk)
            state = "active" if witness.active else f"removed: {witness.removal_reason}"
            cosigned = f"size {row.checkpoint.tree_size} at {row.timestamp}" if row else "never"
            self.stdout.write(
                f"{witness.name} ({state}) {witness.url}\n  {witness.verifier_key}\n"
                f"  latest cosignature: {cosigned}; last submission: "
                f"{witness.last_status or '-'} {witness.last_message}"
            )

    def do_add(self, options: dict[str, Any]) -> None:
        key = options["key"].strip()
        if options["if_missing"] and Witness.objects.filter(active=True, verifier_key=key).exists():
            self.stdout.write("The witness is already there.")
            return
        witness = cosign.add_witness(
            actor=None,
            verifier_key=key,
            url=options["url"],
            label=options["label"],
            reason=options["reason"],
            operator=operator_name(options.get("operator")),
        )
        self.stdout.write(self.style.SUCCESS(f"Added witness {witness.name}."))

    def do_remove(self, options: dict[str, Any]) -> None:
        witness = Witness.objects.filter(active=True, name=options["name"]).first()
        if witness is None:
            raise CommandError(f"No active witness named {options['name']!r}.")
        cosign.remove_witness(
            actor=None,
            witness=witness,
            reason=options["reason"],
            operator=operator_name(options.get("operator")),
        )
        self.stdout.write(self.style.SUCCESS(f"Removed witness {witness.name}."))

    def do_submit(self, options: dict[str, Any]) -> None:
        newest = Checkpoint.objects.order_by("-id").first()
        if newest is None:
            raise CommandError("No checkpoint to submit.")
        failed = False
        for name, outcome in cosign.submit_to_all(newest).items():
            failed |= outcome.status != Witness.Status.OK
            self.stdout.write(f"{name}: {outcome.status} {outcome.message}".rstrip())
        if failed:
            raise CommandError("At least one witness did not cosign.")

    def do_operator_key(self, options: dict[str, Any]) -> None:
        self.stdout.write(signing_key().vkey)
