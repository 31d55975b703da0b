"""Seed the chart of accounts (configurable afterwards: names, order, active)."""

from django.db import migrations

CHART = [
    ("1001", "现金", "asset"),
    ("1002", "银行存款", "asset"),
    ("1301", "实物物资", "asset"),
    ("4101", "政府拨款", "income"),
    ("4102", "个人捐赠", "income"),
    ("4103", "企业捐赠", "income"),
    ("4104", "实物捐赠", "income"),
    ("4105", "上级项目资金", "income"),
    ("4106", "配套资金", "income"),
    ("4107", "利息", "income"),
    ("5101", "慰问救助", "expense"),
    ("5102", "保险补贴", "expense"),
    ("5103", "医疗救助与健康体检", "expense"),
    ("5104", "心理服务", "expense"),
    ("5105", "活动", "expense"),
    ("5106", "培训", "expense"),
    ("5107", "宣传", "expense"),
    ("5108", "圆梦微心愿", "expense"),
    ("5201", "管理费用", "expense"),
]


def forward(apps, schema_editor):
    Account = apps.get_model("fund", "Account")
    for order, (code, name, kind) in enumerate(CHART):
        Account.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "order": order}
        )


def backward(apps, schema_editor):
    Account = apps.get_model("fund", "Account")
    Account.objects.filter(code__in=[code for code, _, _ in CHART]).delete()


class Migration(migrations.Migration):
    dependencies = [("fund", "0002_append_only_triggers")]
    operations = [migrations.RunPython(forward, backward)]
