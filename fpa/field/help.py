"""Where the field phones' help is in the user guide (fpa.core.help reads it). The chapter is
"三十四、外勤离线（手机）"."""

from __future__ import annotations

from fpa.core.help import Anchor

SECTIONS: dict[str, Anchor] = {
    "field:app": "在手机上安装和使用",
    "field:*": "清除和注销手机",
}
