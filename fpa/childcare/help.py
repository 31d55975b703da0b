"""Where the childcare pages' help is in the user guide, and the hints of their main forms
(fpa.core.help reads them). The sections are those proposed for the guide's chapter
"托育机构（改革方案第6条）"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "childcare:*": "托育机构",
    "childcare:list": "机构登记与统计",
    "childcare:new": "机构登记与统计",
    "childcare:edit": "机构登记与统计",
    "childcare:status": "机构登记与统计",
    "childcare:inspect": "检查与评分",
    "childcare:inspection": "检查与评分",
    "childcare:checklist": "检查与评分",
    "childcare:problem*": "问题整改与销号",
    "childcare:recommend": "示范推荐",
    "childcare:outcome": "示范推荐",
}

HOWTO: dict[str, Text] = {
    "childcare:new": _(
        "选择机构所在的村（社区）、乡镇或县计生协，填写机构名称、举办者、地址、托位数和联系人。"
        "已运营的机构须填写18位统一社会信用代码（或备案号）和开业日期；筹建中的可暂不填写。"
    ),
    "childcare:inspect": _(
        "按检查项目逐项打分，每项不超过其满分，扣分的写明原因；保存后在检查记录中登记发现的"
        "问题和整改期限。"
    ),
}
