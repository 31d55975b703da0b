"""Default contact roles and visit rules, care kinds and the national payment rates. All are
configurable data afterwards (the exact "4+1" composition and the rules vary by place)."""

import datetime
from decimal import Decimal

from django.db import migrations

CONTACT_ROLES = [
    # code, name, call every N days, meet every N days, home visits a year
    ("township_cadre", "乡镇干部联系人", 7, 30, 4),
    ("village_cadre", "村干部联系人", 7, 30, 4),
    ("family_doctor", "家庭医生", None, None, 4),
    ("member_or_volunteer", "计生协会员或志愿者", 7, None, None),
]
CARE_KINDS = [
    ("routine_visit", "日常走访", "home_visit"),
    ("festival_visit", "节日看望", "home_visit"),
    ("birthday", "生日陪伴", "meeting"),
    ("hospital_visit", "住院探望", "meeting"),
    ("emergency", "突发事件", "meeting"),
    ("phone_call", "电话联系", "call"),
    ("counselling", "心理疏导", "meeting"),
    ("volunteer_service", "志愿服务", "meeting"),
    ("insurance_claim", "保险理赔", "other"),
]
RATES = [
    ("bereaved", Decimal("590.00"), datetime.date(2022, 7, 1), "国家标准（2022年7月1日起）"),
    ("disabled_child", Decimal("460.00"), datetime.date(2022, 7, 1), "国家标准（2022年7月1日起）"),
]


def forward(apps, schema_editor):
    ContactRole = apps.get_model("families", "ContactRole")
    CareKind = apps.get_model("families", "CareKind")
    PaymentRate = apps.get_model("families", "PaymentRate")
    for sort, (code, name, calls, meets, visits) in enumerate(CONTACT_ROLES):
        ContactRole.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "calls_every_days": calls,
                "meets_every_days": meets,
                "home_visits_per_year": visits,
                "sort": sort,
            },
        )
    for sort, (code, name, mode) in enumerate(CARE_KINDS):
        CareKind.objects.get_or_create(
            code=code, defaults={"name": name, "mode": mode, "sort": sort}
        )
    for kind, amount, valid_from, note in RATES:
        PaymentRate.objects.get_or_create(
            kind=kind, valid_from=valid_from, defaults={"monthly_amount": amount, "note": note}
        )


def backward(apps, schema_editor):
    apps.get_model("families", "ContactRole").objects.filter(
        code__in=[c[0] for c in CONTACT_ROLES]
    ).delete()
    apps.get_model("families", "CareKind").objects.filter(
        code__in=[c[0] for c in CARE_KINDS]
    ).delete()
    apps.get_model("families", "PaymentRate").objects.filter(
        valid_from=datetime.date(2022, 7, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("families", "0001_special_families")]
    operations = [migrations.RunPython(forward, backward)]
