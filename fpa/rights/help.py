"""Where the rights pages' help is in the user guide, and the hints of their main forms
(fpa.core.help reads them). The sections are those of the guide's chapter
"权益维护（改革方案第9条）"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "rights:*": "权益维护",
    "rights:list": "案件列表与导出",
    "rights:receive": "受理诉求",
    "rights:edit": "受理诉求",
    "rights:receipt": "受理诉求",
    "rights:family": "受理诉求",
    "rights:detail": "转办-跟进与办结",
    "rights:refer": "转办-跟进与办结",
    "rights:follow_up": "转办-跟进与办结",
    "rights:close": "转办-跟进与办结",
    "rights:rate": "满意度回访与重新办理",
    "rights:reopen": "满意度回访与重新办理",
    "rights:figures": "权益维护统计",
    "rights:kinds": "诉求类别与办理时限",
}

HOWTO: dict[str, Text] = {
    "rights:receive": _(
        "选择受理单位（默认本协会）、诉求类别和受理方式，填写当事人和诉求内容。计生特殊家庭请从"
        "家庭的权益维护页面进入，家庭编号和当事人姓名自动填写。办理期限留空则按类别的办理时限"
        "计算。诉求内容加密保存，只有填写原因后才能查看全文。"
    ),
    "rights:close": _(
        "填写办理结果和办结日期。办结后案件不能再修改；请回访当事人，登记满意度。当事人不满意的，"
        "可以填写原因重新办理。"
    ),
}
