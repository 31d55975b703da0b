from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fpa.accounts"
    label = "accounts"
    verbose_name = "账号"
    help_sections = "fpa.accounts.help.SECTIONS"  # found by fpa.core.help

    def ready(self) -> None:
        from fpa.accounts import signals  # noqa: F401  sign-in events go to the audit trail
