"""Where the notifications pages' help is in the user guide (chapter "消息通知"); fpa.core.help
reads it."""

from __future__ import annotations

from fpa.core.help import Anchor

SECTIONS: dict[str, Anchor] = {
    "notifications:*": "消息通知",
    "notifications:inbox": "收件箱",
    "notifications:open": "收件箱",
    "notifications:read": "收件箱",
    "notifications:read_all": "收件箱",
    "notifications:preferences": "通知设置与每日汇总",
}
