"""The default skills and the first version of the consent text. Both are configurable data
afterwards; a changed consent text is a new version, never an edit of the old one."""

import datetime

from django.db import migrations

SKILLS = [
    ("counselling", "心理咨询"),
    ("social_work", "社会工作"),
    ("legal_aid", "法律援助"),
    ("reproductive_health", "生殖健康"),
    ("nursing", "护理"),
    ("publicity_arts", "宣传文艺"),
    ("elderly_care", "养老照护"),
    ("education", "青春健康教育"),
    ("driving", "驾驶接送"),
]

CONSENT = (
    "本人自愿报名成为计生协志愿者，承诺所填信息真实。本人同意计生协为招募、考察、登记、"
    "培训、安排服务和出具志愿服务证明的目的，收集和使用本人的姓名、身份证号码、联系电话、"
    "住址、技能和可服务时间等个人信息；身份证号码和电话加密保存，仅由负责志愿者工作的人员"
    "在工作需要时查看，每次查看均有记录。未满十八周岁的报名须经监护人同意；未满十四周岁者"
    "的个人信息按敏感个人信息保护。本人可随时申请查询、更正或删除本人信息，或撤回本同意。"
)


def forward(apps, schema_editor):
    Skill = apps.get_model("volunteers", "Skill")
    ConsentText = apps.get_model("volunteers", "ConsentText")
    for sort, (code, name) in enumerate(SKILLS):
        Skill.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})
    ConsentText.objects.get_or_create(
        version=1, defaults={"text": CONSENT, "effective_from": datetime.date(2023, 1, 1)}
    )


def backward(apps, schema_editor):
    apps.get_model("volunteers", "Skill").objects.filter(code__in=[c for c, _ in SKILLS]).delete()
    apps.get_model("volunteers", "ConsentText").objects.filter(version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0001_volunteers")]

    operations = [migrations.RunPython(forward, backward)]
