"""Bootstrap one of the three administrators of a new install (三员分立)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fpa.accounts.roles import ADMIN_ROLES
from fpa.accounts.services import user_create
from fpa.core.errors import ServiceError
from fpa.organizations.models import Association


class Command(BaseCommand):
    help = "Create a system, security or audit administrator account."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=sorted(ADMIN_ROLES))
        parser.add_argument(
            "--association", help="code of the home association (default: the root)"
        )
        parser.add_argument("--full-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options.get("association")
        home = (
            Association.objects.filter(code=code).first()
            if code
            else Association.objects.filter(parent__isnull=True).order_by("path").first()
        )
        if home is None:
            raise CommandError("No association found: load the division file first.")
        password = os.environ.get("FPA_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        try:
            user = user_create(
                actor=None,
                username=options["username"],
                password=password,
                full_name=options["full_name"],
                home_association=home,
                roles=[options["role"]],
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({options['role']})"))
