"""Migrants' needs on the care mechanism (`fpa.core.care.NeedBase`): the table, its rows and their
status values stay as they were (the four values are the same); this brings every row to the rule
the core services keep, that a resolved or closed need has its closing date and an open one has
none. A closed row that never got a date takes the day it was last changed; nothing is deleted,
and no status changes. Owner and deadline stay empty on the old rows (they had none)."""

from django.db import migrations
from django.utils import timezone

OPEN = ("open", "in_progress")


def keep_states(apps, schema_editor):
    Need = apps.get_model("migrants", "Need")
    for need in Need.objects.exclude(status__in=OPEN).filter(closed_on__isnull=True).iterator():
        need.closed_on = timezone.localdate(need.updated_at)
        need.save(update_fields=["closed_on"])
    Need.objects.filter(status__in=OPEN, closed_on__isnull=False).update(closed_on=None)


class Migration(migrations.Migration):
    dependencies = [
        ("migrants", "0004_need_on_core_care"),
    ]

    operations = [
        migrations.RunPython(keep_states, migrations.RunPython.noop),
    ]
