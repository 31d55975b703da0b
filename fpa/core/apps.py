from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def create_cache_table(using: str = "default", **kwargs: Any) -> None:
    """`createcachetable` after every `migrate` (and the test runner's), so the database cache
    (settings CACHES) exists wherever the schema does. It does nothing for other cache backends
    or when the table is there."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "fpa.core"
    label = "core"
    verbose_name = "核心"

    def ready(self) -> None:
        from fpa.core import lookups  # noqa: F401  registers the path__under lookup

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="fpa-cache-table")
