"""Where the 三留守 pages' help is in the user guide (chapter "三留守关爱（改革方案第10条）"), and
the hints of their main forms (fpa.core.help reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "leftbehind:*": "三留守关爱",
    "leftbehind:list": "三留守人员登记与名单",
    "leftbehind:new": "三留守人员登记与名单",
    "leftbehind:edit": "三留守人员登记与名单",
    "leftbehind:end": "三留守人员登记与名单",
    "leftbehind:import": "三留守名单的导入与导出",
    "leftbehind:contact_add": "联系人-关爱记录与诉求",
    "leftbehind:care_add": "联系人-关爱记录与诉求",
    "leftbehind:need_update": "联系人-关爱记录与诉求",
    "leftbehind:mine": "联系人-关爱记录与诉求",
    "leftbehind:handover": "联系人-关爱记录与诉求",
    "leftbehind:detail": "留守儿童信息的保护",
}

HOWTO: dict[str, Text] = {
    "leftbehind:handover": _(
        "选择离任的联系人和接替人（平台账号或姓名），填写交接日期和原因，先预览将移交的人数，"
        "核对后确认；只移交您管辖范围内的人员。"
    ),
    "leftbehind:new": _(
        "选择所属村（社区），填写类别和姓名；填写身份证号码时出生日期和性别自动得出。"
        "监护人或家属、外出务工地点用于联系和关爱；风险等级按走访掌握的情况评定。"
    ),
    "leftbehind:care_add": _(
        "选择关爱类别（入户走访、电话联系等）和日期，写明情况；提出诉求的，填写诉求内容、"
        "责任人和办结期限。"
    ),
}
