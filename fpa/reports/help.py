"""Where the report pages' help is in the user guide (chapter "二十七、上报"), read by
fpa.core.help, and the hint of the report form."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "reports:*": "上报",
    "reports:own": "本级上报",
    "reports:detail": "本级上报",
    "reports:open": "本级上报",
    "reports:save": "本级上报",
    "reports:below": "下级上报与审核",
    "reports:accept": "下级上报与审核",
    "reports:return": "下级上报与审核",
    "reports:archive": "归档与导出",
    "reports:export": "归档与导出",
    "reports:kinds": "自定义报表与截止日期",
}

HOWTO: dict[str, Text] = {
    "reports:detail": _(
        "标有“自动”的数字由平台根据业务记录生成，点击可查看明细；其余指标手工填写。"
        "上报前系统检查合计与分项、本年累计数和下级已审核数，有问题的指标标红并说明原因。"
    ),
}
