"""The first list of services a migrant receives (measure 10: "为流动人口提供健康宣传、基本公共
卫生服务和计划生育服务，落实奖励扶助政策"). Configurable data afterwards."""

from django.db import migrations

KINDS = [
    ("health_publicity", "健康宣传"),
    ("public_health", "基本公共卫生服务"),
    ("family_planning", "计划生育服务"),
    ("reward", "奖励扶助兑现"),
    ("other", "其他"),
]


def add(apps, schema_editor):
    ServiceKind = apps.get_model("migrants", "ServiceKind")
    for sort, (code, name) in enumerate(KINDS, start=1):
        ServiceKind.objects.get_or_create(code=code, defaults={"name": name, "sort": sort * 10})


def remove(apps, schema_editor):
    ServiceKind = apps.get_model("migrants", "ServiceKind")
    ServiceKind.objects.filter(code__in=[code for code, _name in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("migrants", "0001_migrants")]

    operations = [migrations.RunPython(add, remove)]
