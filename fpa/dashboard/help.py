"""Where the home page's help is in the user guide (fpa.core.help reads it): `/` is the
workbench once signed in and the public front page for a visitor; `/overview/` is the chapter
"驾驶舱"; `/overview/evaluation/` the chapter "改革评估"."""

from __future__ import annotations

from fpa.core.help import Anchor

SECTIONS: dict[str, Anchor] = {
    "dashboard:home": ("工作台与待办", "平台首页"),
    "dashboard:overview": "驾驶舱",
    "dashboard:evaluation": "改革评估",
    "dashboard:evaluation_export": "改革评估",
}
