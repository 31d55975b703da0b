"""Where the task book's pages' help is in the user guide, and the hints of its main forms
(fpa.core.help reads them). The chapter is "改革任务书与督促（改革方案第19、21条）"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "tasks:*": "改革任务书与督促",
    "tasks:new": "下达与分解任务",
    "tasks:edit": "下达与分解任务",
    "tasks:delegate": "下达与分解任务",
    "tasks:measures": "下达与分解任务",
    "tasks:report": "报告进展与报完成",
    "tasks:complete": "报告进展与报完成",
    "tasks:accept": "验收-退回与重新打开",
    "tasks:return": "验收-退回与重新打开",
    "tasks:reopen": "验收-退回与重新打开",
    "tasks:remind": "督促-提醒-督办单与约谈",
    "tasks:notice": "督促-提醒-督办单与约谈",
    "tasks:answer": "督促-提醒-督办单与约谈",
    "tasks:interview": "督促-提醒-督办单与约谈",
    "tasks:extension": "延期申请",
    "tasks:decide": "延期申请",
    "tasks:roadmap": "路线图与打印任务书",
    "tasks:book": "路线图与打印任务书",
    "tasks:export": "路线图与打印任务书",
}

HOWTO: dict[str, Text] = {
    "tasks:new": _(
        "选择任务服务的改革措施，填写任务名称、牵头计生协（平台外部门牵头的另填部门名称）、"
        "开始日期、完成时限和成果要求。需要乡镇分别落实的，保存后在任务页点“分解下达”。"
    ),
    "tasks:report": _(
        "填写报告日期、完成进度（0至100）和进展情况；佐证材料可以上传PDF或图片，"
        "也可以填写本平台记录的页面地址（如某次活动的页面），每行一个。"
    ),
}
