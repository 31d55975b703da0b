"""Load the Yongjing network and the demo accounts and data, once. Refused where demo data is not
allowed (production settings)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fpa.accounts.models import User
from fpa.accounts.roles import Role
from fpa.accounts.services import user_create
from fpa.core.demo import DemoCast, demo_seeders
from fpa.organizations.models import Association

# username, full name, home association code, role
DEMO_ACCOUNTS = [
    ("demo-county", "县计生协管理员", "622923", Role.COUNTY_ADMIN),
    # The county's second person who may approve grants (separation of duties: a grant the
    # administrator reviewed in place of a township is approved by the vice-chair).
    ("demo-vicechair", "县计生协副会长", "622923", Role.COUNTY_ADMIN),
    ("demo-township", "刘家峡镇专干", "622923100", Role.TOWNSHIP_STAFF),
    ("demo-township2", "盐锅峡镇专干", "622923101", Role.TOWNSHIP_STAFF),
    ("demo-village", "大庄村专干", "622923100201", Role.VILLAGE_STAFF),
    ("demo-finance", "县计生协财务", "622923", Role.FINANCE),
    ("demo-auditor", "监督员", "622923", Role.AUDITOR),
    ("demo-volunteer", "志愿者", "622923100201", Role.VOLUNTEER),
    ("demo-sysadmin", "系统管理员", "622923", Role.SYSTEM_ADMIN),
    ("demo-secadmin", "安全管理员", "622923", Role.SECURITY_ADMIN),
    ("demo-auditadmin", "审计管理员", "622923", Role.AUDIT_ADMIN),
]


def demo_password() -> str:
    """FPA_DEMO_PASSWORD, or the one generated on the first run and kept in var/ (not in git)."""
    if os.environ.get("FPA_DEMO_PASSWORD"):
        return os.environ["FPA_DEMO_PASSWORD"]
    path = Path(settings.VAR_DIR) / "demo-password"
    if path.exists():
        return path.read_text().strip()
    password = _generated()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def _generated() -> str:
    """A random password every demo account accepts: the password validators (similarity to
    the username among them) are run for each, and a rare refused draw is drawn again."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    while True:
        password = "Fpa-" + secrets.token_urlsafe(9)
        try:
            for username, full_name, _code, _role in DEMO_ACCOUNTS:
                validate_password(password, user=User(username=username, full_name=full_name))
        except ValidationError:
            continue
        return password


class Command(BaseCommand):
    help = "Load Yongjing's association network and the demo accounts and data (once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--divisions", type=Path, default=None, help="a division file (default: Yongjing 2023)"
        )

    def handle(self, *args: Any, divisions: Path | None, **options: Any) -> None:
        if not settings.FPA_ALLOW_DEMO:
            raise CommandError("Demo data is not allowed with these settings (production).")
        password = demo_password()
        if User.objects.filter(username="demo-county").exists():
            self.stdout.write("Demo data already loaded; nothing changed.")
        else:
            if not Association.objects.filter(code="622923").exists():
                if divisions is None:
                    call_command("load_divisions", "--yongjing", stdout=self.stdout)
                else:
                    call_command("load_divisions", str(divisions), stdout=self.stdout)
            with transaction.atomic():
                users = self._accounts(password)
                cast = DemoCast(
                    county=users["demo-county"],
                    finance=users["demo-finance"],
                    township=users["demo-township"],
                    townships={
                        "622923100": users["demo-township"],
                        "622923101": users["demo-township2"],
                    },
                    village=users["demo-village"],
                    volunteer=users["demo-volunteer"],
                    vice_chair=users["demo-vicechair"],
                )
                summary: dict[str, int] = {}
                for _label, seed in demo_seeders():
                    summary |= seed(cast)
            self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {summary}"))
        self._print_accounts(password)

    def _accounts(self, password: str) -> dict[str, User]:
        users = {}
        for username, full_name, code, role in DEMO_ACCOUNTS:
            users[username] = user_create(
                actor=None,
                username=username,
                password=password,
                full_name=full_name,
                home_association=Association.objects.get(code=code),
                roles=[role],
            )
        return users

    def _print_accounts(self, password: str) -> None:
        self.stdout.write(f"\nDemo accounts (password for all: {password})")
        for username, full_name, code, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<16} {Role(role).label:<10} {full_name}（{code}）")
