"""Where the special families' pages' help is in the user guide, and the hints of their main
forms (fpa.core.help reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import IMPORT_HOWTO, Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "families:*": "计生特殊家庭",
    "families:register": "登记与家庭信息",
    "families:detail": "登记与家庭信息",
    "families:edit": "登记与家庭信息",
    "families:status": "登记与家庭信息",
    "families:person_*": "登记与家庭信息",
    "families:family_reveal": "登记与家庭信息",
    "families:mine": "联系人",
    "families:overdue": "联系人",
    "families:roster": "联系人",
    "families:reassign": "联系人",
    "families:contact_*": "联系人",
    "families:care_*": "帮扶记录与诉求",
    "families:need_update": "帮扶记录与诉求",
    "families:support_add": "帮扶记录与诉求",
    "families:coverage": "覆盖率与节日走访",
    "families:campaign*": "覆盖率与节日走访",
    "families:import": "计生特殊家庭-excel导入导出",
    "families:export": "计生特殊家庭-excel导入导出",
    "families:monthly_report": "月报",
    "families:payment_roster": "月报",
    "families:transfer*": "特殊家庭移交",
}

HOWTO: dict[str, Text] = {
    "families:register": _(
        "先选所属村（社区）和家庭类别，再填母亲（必填）、父亲（选填）和子女的信息。失独家庭须填"
        "子女死亡日期，伤残家庭须选子女残疾等级。身份证号码直接输入即可，出生日期和性别自动得出；"
        "同一号码在全县只能登记一次。"
    ),
    "families:care_add": _(
        "选择帮扶类别和日期（可补记一年以内），勾选提供的服务和关怀，在“情况”中写明经过。家庭"
        "提出诉求时一并登记，指定责任人和办结期限。"
    ),
    "families:contact_add": _(
        "选择联系人类别并填写联系人信息；联系人有平台账号的可关联账号，关联后他在“我的联系家庭”"
        "中只看到这户家庭。联系频次按联系人类别自动确定。"
    ),
    "families:import": IMPORT_HOWTO,
}
