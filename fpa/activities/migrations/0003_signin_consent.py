"""The first version of the phone sign-in's consent text (fpa.core.consent, purpose
"activity_signin"), so that a new installation can take sign-ins at once."""

import datetime

from django.db import migrations

PURPOSE = "activity_signin"
CONSENT = (
    "本人自愿参加本次活动并签到。本人同意计生协为统计活动参加人数、记录会员参加活动情况和必要时"
    "联系本人的目的，收集和使用本人填写的姓名和手机号码（或会员证号）。手机号码加密保存，签到名单"
    "中只显示部分号码，仅由组织本次活动的计生协工作人员在工作需要时使用；签到信息不公开，不用于"
    "其他目的。本人可随时申请查询、更正或删除本人的签到信息，或撤回本同意。"
)


def forward(apps, schema_editor):
    apps.get_model("core", "ConsentText").objects.get_or_create(
        purpose=PURPOSE,
        version=1,
        defaults={"body": CONSENT, "effective_from": datetime.date(2023, 1, 1)},
    )


def backward(apps, schema_editor):
    apps.get_model("core", "ConsentText").objects.filter(purpose=PURPOSE, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_consent_text"),
        ("activities", "0002_default_lists"),
    ]

    operations = [migrations.RunPython(forward, backward)]
