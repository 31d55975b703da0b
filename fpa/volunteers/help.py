"""Where the volunteers' pages' help is in the user guide, and the hints of their main forms
(fpa.core.help reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import IMPORT_HOWTO, Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "volunteers:*": "报名-考察-签约",
    "volunteers:list": "志愿者",
    "volunteers:service*": "服务活动与服务时长",
    "volunteers:assign": "服务活动与服务时长",
    "volunteers:hours_*": "服务活动与服务时长",
    "volunteers:pending": "服务活动与服务时长",
    "volunteers:verify": "服务证明与查验",
    "volunteers:certificate*": "服务证明与查验",
    "volunteers:match": "匹配与结对",
    "volunteers:pair*": "匹配与结对",
    "volunteers:team*": "志愿者队伍",
    "volunteers:portal": "我的志愿服务",
    "volunteers:import*": "志愿者-excel导入导出",
    "volunteers:export": "志愿者-excel导入导出",
}

HOWTO: dict[str, Text] = {
    "volunteers:apply": _(
        "选择报名的计生协，如实填写姓名、身份证号码和电话，勾选技能特长和可服务时间，阅读同意书后"
        "勾选同意并提交。未满十八周岁须填写监护人信息。提交后由所选计生协联系您。"
    ),
    "volunteers:import": IMPORT_HOWTO,
    "volunteers:import_hours": IMPORT_HOWTO,
}
