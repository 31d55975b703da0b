"""A refused application no longer blocks a new one by the same person (who may apply again);
any other record still holds the ID number once."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0003_consent_into_core"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="volunteer",
            name="vol_volunteer_unique_id_number",
        ),
        migrations.AddConstraint(
            model_name="volunteer",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    models.Q(("id_number_hash", ""), _negated=True),
                    models.Q(("status", "refused"), _negated=True),
                ),
                fields=("id_number_hash",),
                name="vol_volunteer_unique_id_number",
            ),
        ),
    ]
