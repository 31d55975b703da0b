from django.apps import AppConfig


class FieldConfig(AppConfig):
    name = "fpa.field"
    label = "field"
    verbose_name = "外勤离线"
    help_sections = "fpa.field.help.SECTIONS"  # found by fpa.core.help

    def ready(self) -> None:
        from fpa.field import signals  # noqa: F401 (a signed-out session ends its phones)
