"""The Django superuser flag is not used (三员分立): this command refuses and points to
create_admin."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Disabled: use `manage.py create_admin` to create the three administrators."

    def handle(self, *args: Any, **options: Any) -> None:
        raise CommandError(
            "超级用户已停用（三员分立）。请使用 manage.py create_admin --role system_admin|"
            "security_admin|audit_admin 创建管理员账号。"
        )
