"""The volunteer application's consent texts move into the one consent mechanism of core
(`core.ConsentText`, purpose "volunteer_application"): every version is copied with its number,
text and date, and each volunteer keeps the version it agreed to. Reversible: the way back copies
the volunteer versions into the old table and points the volunteers at them again."""

import django.db.models.deletion
from django.db import migrations, models

PURPOSE = "volunteer_application"


def forward(apps, schema_editor):
    Old = apps.get_model("volunteers", "ConsentText")
    New = apps.get_model("core", "ConsentText")
    Volunteer = apps.get_model("volunteers", "Volunteer")
    for old in Old.objects.order_by("version"):
        new, _ = New.objects.get_or_create(
            purpose=PURPOSE,
            version=old.version,
            defaults={"body": old.text, "effective_from": old.effective_from},
        )
        Volunteer.objects.filter(consent_id=old.pk).update(consent_text_id=new.pk)


def backward(apps, schema_editor):
    Old = apps.get_model("volunteers", "ConsentText")
    New = apps.get_model("core", "ConsentText")
    Volunteer = apps.get_model("volunteers", "Volunteer")
    for new in New.objects.filter(purpose=PURPOSE).order_by("version"):
        old, _ = Old.objects.get_or_create(
            version=new.version, defaults={"text": new.body, "effective_from": new.effective_from}
        )
        Volunteer.objects.filter(consent_text_id=new.pk).update(consent_id=old.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_consent_text"),
        ("volunteers", "0002_default_settings"),
    ]

    operations = [
        migrations.AddField(
            model_name="volunteer",
            name="consent_text",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.consenttext",
            ),
        ),
        migrations.AlterField(
            model_name="volunteer",
            name="consent",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="volunteers.consenttext",
                verbose_name="同意书版本",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="volunteer", name="consent"),
        migrations.RenameField(model_name="volunteer", old_name="consent_text", new_name="consent"),
        migrations.AlterField(
            model_name="volunteer",
            name="consent",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.consenttext",
                verbose_name="同意书版本",
            ),
        ),
        migrations.DeleteModel(name="ConsentText"),
    ]
