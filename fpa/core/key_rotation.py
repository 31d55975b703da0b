"""Key rotation as a background job kind (`core.rotate_field_keys`): re-encrypt every protected
value that uses an old key with the active key (after `generate_field_keys --rotate`).

`manage.py rotate_field_keys` runs it in the foreground with progress lines, or enqueues it with
`--background`. Values are re-encrypted in batches, each in its own transaction, so a run that
stops halfway is simply run again: it picks up the values still under an old key.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.utils.translation import gettext_noop

from fpa.core.crypto import keyring
from fpa.core.jobs import Progress, register
from fpa.core.models import Job
from fpa.core.protected import ProtectedField

ROTATE_FIELD_KEYS = "core.rotate_field_keys"
STAGE_SCANNING = gettext_noop("查找使用旧密钥的加密字段")
STAGE_REENCRYPTING = gettext_noop("用当前密钥重新加密")
BATCH = 500


@register(ROTATE_FIELD_KEYS)
def rotate_field_keys(job: Job, progress: Progress) -> dict[str, Any]:
    """Rows read: values scanned; written: values re-encrypted, of the stale ones."""
    progress.stage(STAGE_SCANNING)
    active = keyring().active
    work: list[tuple[Any, ProtectedField, list[Any]]] = []
    scanned = 0
    for model in apps.get_models():
        for field in [f for f in model._meta.concrete_fields if isinstance(f, ProtectedField)]:
            stale = []
            for pk, token in _raw_tokens(model, field):
                scanned += 1
                if keyring().key_id_of(token) != active:
                    stale.append(pk)
            work.append((model, field, stale))
            progress.advance(read=scanned)
    total = sum(len(stale) for _model, _field, stale in work)
    progress.stage(STAGE_REENCRYPTING, total=total)
    progress.advance(read=total, force=True)
    per_model: dict[str, int] = {}
    written = 0
    for model, field, stale in work:
        label = model._meta.label
        per_model.setdefault(label, 0)
        for start in range(0, len(stale), BATCH):
            with transaction.atomic():
                for obj in model.objects.filter(pk__in=stale[start : start + BATCH]):
                    # update() encrypts the Protected value with the active key itself
                    # (passing a ciphertext would have it parsed as a plain value).
                    model.objects.filter(pk=obj.pk).update(
                        **{field.attname: getattr(obj, field.attname)}
                    )
                    per_model[label] += 1
                    written += 1
            progress.advance(written=written)
    progress.advance(written=written, force=True)
    return {"scanned": scanned, "reencrypted": written, "models": per_model}


def _raw_tokens(model: Any, field: ProtectedField) -> Any:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "{model._meta.pk.column}", "{field.column}" FROM "{table}" '  # noqa: S608
            f'WHERE "{field.column}" IS NOT NULL AND "{field.column}" <> %s',
            [""],
        )
        yield from cursor.fetchall()
