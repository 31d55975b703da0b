"""Where the assessment pages' help is in the user guide (fpa.core.help reads it). The chapter
is "三十二、重点工作考评（改革方案第11、20、21条）"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "assessment:*": "考核方案与指标",
    "assessment:round*": "考核轮次的阶段",
    "assessment:sheet": "自评-评分与申诉",
    "assessment:appeal*": "自评-评分与申诉",
    "assessment:export": "结果-排名与导出",
    "assessment:public": "结果-排名与导出",
}

HOWTO: dict[str, Text] = {
    "assessment:scheme": _(
        "每项指标填写考核类别、名称、分值、评分规则和佐证材料要求。自动计算的指标选择计算口径并填写满分目标值："
        "达到目标值得满分，低于目标值按比例得分。各指标分值合计为100分时才能发布方案。"
    ),
}
