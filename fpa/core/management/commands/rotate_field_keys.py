"""Re-encrypt every protected value with the active key (after `generate_field_keys --rotate`)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from fpa.core.crypto import keyring
from fpa.core.protected import ProtectedField


class Command(BaseCommand):
    help = "Re-encrypt protected personal fields that use an old key."

    def handle(self, *args: Any, **options: Any) -> None:
        active = keyring().active
        for model in apps.get_models():
            fields = [f for f in model._meta.concrete_fields if isinstance(f, ProtectedField)]
            if not fields:
                continue
            updated = 0
            for field in fields:
                stale = [
                    pk
                    for pk, token in _raw_tokens(model, field)
                    if keyring().key_id_of(token) != active
                ]
                for start in range(0, len(stale), 500):
                    with transaction.atomic():
                        for obj in model.objects.filter(pk__in=stale[start : start + 500]):
                            # update() encrypts the Protected value with the active key itself
                            # (passing a ciphertext would have it parsed as a plain value).
                            model.objects.filter(pk=obj.pk).update(
                                **{field.attname: getattr(obj, field.attname)}
                            )
                            updated += 1
            self.stdout.write(f"{model._meta.label}: {updated} values re-encrypted")


def _raw_tokens(model: Any, field: ProtectedField) -> Any:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "{model._meta.pk.column}", "{field.column}" FROM "{table}" '  # noqa: S608
            f'WHERE "{field.column}" IS NOT NULL AND "{field.column}" <> %s',
            [""],
        )
        yield from cursor.fetchall()
