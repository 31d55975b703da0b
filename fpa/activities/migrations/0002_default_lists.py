"""The lists an operator may extend, as the annual report and the plan name them."""

from django.db import migrations

CATEGORIES = [
    ("publicity", "宣传教育"),
    ("training", "业务培训"),
    ("health", "健康服务"),
    ("family_support", "计生家庭帮扶"),
    ("youth", "青春健康"),
    ("migrants", "流动人口服务"),
    ("rights", "权益维护"),
    ("other", "其他"),
]
THEMES = [
    ("may29", "5·29会员活动日"),
    ("population_day", "世界人口日"),
    ("family_day", "国际家庭日"),
    ("spring_festival", "春节走访慰问"),
    ("youth_health", "青春健康"),
    ("healthy_family", "健康家庭"),
    ("eugenics", "优生优育"),
    ("policy", "政策宣传"),
]
SITE_KINDS = [
    ("member_home", "会员之家", False),
    ("culture_yard", "人口文化大院", False),
    ("warm_home", "暖心家园", True),
    ("youth_base", "青春健康教育基地/同伴社", False),
    ("eugenics_centre", "优生优育指导中心", False),
    ("childcare", "婴幼儿照护服务机构", False),
    ("other", "其他", False),
]
SPECIALTIES = [
    ("reproductive", "生殖健康"),
    ("eugenics", "优生优育"),
    ("youth_trainer", "青春健康师资"),
    ("psychology", "心理咨询"),
    ("legal", "法律援助"),
    ("childcare", "托育"),
]


def add(apps, schema_editor):
    for model, rows in (("Category", CATEGORIES), ("Theme", THEMES), ("Specialty", SPECIALTIES)):
        Model = apps.get_model("activities", model)
        for sort, (code, name) in enumerate(rows, start=1):
            Model.objects.get_or_create(code=code, defaults={"name": name, "sort": sort * 10})
    SiteKind = apps.get_model("activities", "SiteKind")
    for sort, (code, name, families) in enumerate(SITE_KINDS, start=1):
        SiteKind.objects.get_or_create(
            code=code, defaults={"name": name, "sort": sort * 10, "serves_families": families}
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_activities")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
