"""The first checklist, after the national 托育机构设置标准（试行）and 托育机构管理规范（试行）
(国卫人口发〔2019〕58号): eight items worth 100 points. Configurable data afterwards: an item is
reworded, rescored or retired on the checklist page, and inspections already made keep their
own copy."""

from decimal import Decimal

from django.db import migrations

ITEMS = [
    (
        "facilities",
        "场地设施：场地独立安全，室内外活动场地和生活用房面积达标，设施设备适合婴幼儿",
        15,
    ),
    (
        "staffing",
        "人员配备：保育人员与婴幼儿比例达标，保育、保健、安保人员持证上岗，入职背景审查",
        15,
    ),
    (
        "safety",
        "安全管理：安全防护和消防设施完好，视频监控全覆盖，应急预案和演练，出入管理",
        20,
    ),
    (
        "health",
        "卫生保健：入托健康检查，晨午检和全日健康观察，传染病防控，清洁消毒",
        15,
    ),
    (
        "nutrition",
        "膳食营养：食品安全管理，营养均衡的带量食谱，饮用水安全，过敏婴幼儿管理",
        10,
    ),
    (
        "care",
        "保育照护：一日生活安排合理，回应性照护，促进婴幼儿发展的游戏活动",
        10,
    ),
    (
        "family",
        "家园共育：家长开放日和家长课堂，与家长沟通反馈，家长参与监督",
        8,
    ),
    (
        "records",
        "档案管理：婴幼儿健康档案、收托登记、人员档案、安全检查记录完整规范",
        7,
    ),
]


def add(apps, schema_editor):
    ChecklistItem = apps.get_model("childcare", "ChecklistItem")
    for sort, (code, text, points) in enumerate(ITEMS, start=1):
        ChecklistItem.objects.get_or_create(
            code=code, defaults={"text": text, "max_score": Decimal(points), "sort": sort * 10}
        )


def remove(apps, schema_editor):
    """Back out the items no inspection has used (a used one stays: its scores point to it)."""
    ChecklistItem = apps.get_model("childcare", "ChecklistItem")
    InspectionScore = apps.get_model("childcare", "InspectionScore")
    used = InspectionScore.objects.values("item_id")
    ChecklistItem.objects.filter(code__in=[code for code, _t, _p in ITEMS]).exclude(
        pk__in=used
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("childcare", "0001_childcare")]

    operations = [migrations.RunPython(add, remove)]
