from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "fpa.transparency"
    label = "transparency"
    verbose_name = "可验证账本"
    help_sections = "fpa.transparency.help.SECTIONS"  # found by fpa.core.help
    # Found by fpa.core.backup and fpa.core.health, which import no app.
    backup_part = "fpa.transparency.backup"
    readiness_checks = {"ledger_key": "fpa.transparency.backup.ledger_key_ready"}
