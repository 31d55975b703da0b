"""Fill the stored contact schedule (0002) of every left-behind person from the existing care
records and current contacts, by `fpa.core.care.stored.fill`: one UPDATE per 50,000 ids for the
people with neither (most of them), `stored.refresh` for the others, each range in its own
transaction (atomic = False: the people table is never locked for the whole run). A run stopped
halfway can be run again: the fill is idempotent and 0002, with the columns, is already recorded.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from fpa.core.care import stored  # pure: takes the historical models

    stored.fill(
        subject_model=apps.get_model("leftbehind", "LeftBehindPerson"),
        record_model=apps.get_model("leftbehind", "LeftBehindCare"),
        contact_model=apps.get_model("leftbehind", "LeftBehindContact"),
        key="person_id",
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("leftbehind", "0002_stored_schedule"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
