"""The first version of the healthy-family publication consent (fpa.core.consent, purpose
"healthy_family_publication"), so that a new installation can record a family's consent at once.
Staff read it to the family (or hand it over) and record that the family signed it."""

import datetime

from django.db import migrations

PURPOSE = "healthy_family_publication"
CONSENT = (
    "本户自愿参加健康家庭创建活动。本户同意：如被县计生协命名为健康家庭，计生协可以在公开的"
    "健康家庭命名名单中公布本户户名（户主姓名）及所在村（社区）、乡镇名称，用于表彰和宣传。"
    "住址、家庭人口、提名理由和其他信息不予公开。本户可以随时向村（社区）计生协撤回本同意，"
    "撤回后公开名单只显示“某户（未公开姓名）”。不同意公开的，不影响提名、推荐和命名。"
)


def forward(apps, schema_editor):
    ConsentText = apps.get_model("core", "ConsentText")
    ConsentText.objects.get_or_create(
        purpose=PURPOSE,
        version=1,
        defaults={"body": CONSENT, "effective_from": datetime.date(2023, 1, 1)},
    )


def backward(apps, schema_editor):
    apps.get_model("core", "ConsentText").objects.filter(purpose=PURPOSE, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_consent_text"),
        ("healthyfamilies", "0001_nominations"),
    ]

    operations = [migrations.RunPython(forward, backward)]
