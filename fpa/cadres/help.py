"""Where the contact points' help is in the user guide, and the hint of the visit form
(fpa.core.help reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "cadres:overview": "月度走访情况",
    "cadres:*": "联系点与走访",
}

HOWTO: dict[str, Text] = {
    "cadres:point": _(
        "走访后填写日期、方式和走访情况；发现的问题每行写一个。问题解决了点“已解决”，"
        "需要其他单位办理的点“转交”，联系家庭的问题可以一键转为家庭需求。"
    ),
}
