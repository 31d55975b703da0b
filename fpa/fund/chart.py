"""The default chart of accounts. Migration 0003 seeds it (with its own frozen copy, as data
migrations must not import app code); `ensure_chart` restores missing accounts, e.g. after a
test database was flushed."""

from __future__ import annotations

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


def ensure_chart() -> int:
    """Create the accounts of the default chart that are missing; returns how many."""
    from fpa.fund.models import Account

    created = 0
    for order, (code, name, kind) in enumerate(CHART):
        _, new = Account.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "order": order}
        )
        created += new
    return created
