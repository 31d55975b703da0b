"""The contact schedule stored on each left-behind person (fpa.core.care.stored): the fields.
They are filled by 0003_fill_stored_schedule, in transactions of their own."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leftbehind", "0001_leftbehind"),
    ]

    operations = [
        migrations.AddField(
            model_name="leftbehindperson",
            name="care_due_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="应联系日期"
            ),
        ),
        migrations.AddField(
            model_name="leftbehindperson",
            name="last_care_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="最近关爱日期"
            ),
        ),
        migrations.AddField(
            model_name="leftbehindperson",
            name="visits_done",
            field=models.PositiveSmallIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="leftbehindperson",
            name="visits_per_year",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="leftbehindperson",
            name="visits_year",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
    ]
