from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "fpa.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from fpa.core import lookups  # noqa: F401  registers the path__under lookup
