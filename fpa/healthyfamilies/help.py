"""Where the healthy-family pages' help is in the user guide, and the hint of the nomination
form (fpa.core.help reads them). The section is "十八、健康家庭创建（改革方案第8条）"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "healthyfamilies:*": "提名-推荐与命名",
    "healthyfamilies:counts": "各乡镇统计与命名名单",
    "healthyfamilies:awards": "各乡镇统计与命名名单",
    "healthyfamilies:export": "各乡镇统计与命名名单",
    "healthyfamilies:public*": "命名名单公开",
}

HOWTO: dict[str, Text] = {
    "healthyfamilies:new": _(
        "选择提名的村（社区）和年度，填写户名、家庭人口、住址和提名理由（至少10个字）。"
        "该户签署了公开户名同意书的，勾选同意公开；未勾选的，公开名单只显示“某户（未公开姓名）”。"
    ),
}
