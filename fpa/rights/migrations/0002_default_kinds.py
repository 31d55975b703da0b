"""The first list of case kinds (诉求类别) with their default time limits in days. Configurable
data afterwards: the county renames, re-times, reorders or retires a kind on the kinds page, and
cases already received keep their kind and deadline."""

from django.db import migrations

KINDS = [
    ("policy", "政策落实", 15),
    ("allowance", "扶助金发放", 10),
    ("medical", "医疗", 10),
    ("elderly", "养老", 15),
    ("legal_aid", "法律援助", 30),
    ("neighbours", "邻里纠纷", 15),
    ("other", "其他", 15),
]


def add(apps, schema_editor):
    CaseKind = apps.get_model("rights", "CaseKind")
    for sort, (code, name, days) in enumerate(KINDS, start=1):
        CaseKind.objects.get_or_create(
            code=code, defaults={"name": name, "deadline_days": days, "sort": sort * 10}
        )


def remove(apps, schema_editor):
    """Back out the kinds no case uses (a used one stays: its cases point to it)."""
    CaseKind = apps.get_model("rights", "CaseKind")
    Case = apps.get_model("rights", "Case")
    CaseKind.objects.filter(code__in=[code for code, _n, _d in KINDS]).exclude(
        pk__in=Case.objects.values("kind_id")
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("rights", "0001_rights_cases")]

    operations = [migrations.RunPython(add, remove)]
