"""The first version of the online member application's consent text (fpa.core.consent, purpose
"member_application"), so that a new installation can take applications at once; and a public
check code for every member card already issued (new cards get theirs when issued)."""

import datetime
import secrets

from django.db import migrations

PURPOSE = "member_application"
CONSENT = (
    "本人自愿申请加入计划生育协会，承认协会章程，承诺所填信息真实。本人同意计生协为受理和审批"
    "入会申请、登记会员、发放会员证和联系会员的目的，收集和使用本人的姓名、身份证号码、联系电话"
    "和所选协会等个人信息；身份证号码和电话加密保存，仅由负责会员工作的人员在工作需要时查看，每次"
    "查看均有记录。入会申请由所选村（社区）计生协报理事会审批；未获批准的，本人可以重新申请。本人"
    "可随时申请查询、更正或删除本人信息，或撤回本同意。"
)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # fpa.core.codes, frozen here


def _code():
    raw = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def forward(apps, schema_editor):
    ConsentText = apps.get_model("core", "ConsentText")
    Member = apps.get_model("members", "Member")
    ConsentText.objects.get_or_create(
        purpose=PURPOSE,
        version=1,
        defaults={"body": CONSENT, "effective_from": datetime.date(2023, 1, 1)},
    )
    pending = Member.objects.filter(card_number__isnull=False, card_code__isnull=True)
    for pk in pending.values_list("pk", flat=True).iterator():
        Member.objects.filter(pk=pk).update(card_code=_code())


def backward(apps, schema_editor):
    apps.get_model("members", "Member").objects.update(card_code=None)
    apps.get_model("core", "ConsentText").objects.filter(purpose=PURPOSE, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_consent_text"),
        ("members", "0002_council_decision_online_application_card_code"),
    ]

    operations = [migrations.RunPython(forward, backward)]
