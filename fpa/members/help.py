"""Where the members' pages' help is in the user guide, and the hints of their main forms
(fpa.core.help reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import IMPORT_HOWTO, Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "members:*": "会员",
    "members:apply": "入会申请与理事会审批",
    "members:pending": "入会申请与理事会审批",
    "members:approve": "入会申请与理事会审批",
    "members:reject": "入会申请与理事会审批",
    "members:reopen": "入会申请与理事会审批",
    "members:join*": "入会申请与理事会审批",
    "members:check": "会员信息-状态与会员小组",
    "members:card": "会员信息-状态与会员小组",
    "members:detail": "会员信息-状态与会员小组",
    "members:edit": "会员信息-状态与会员小组",
    "members:status": "会员信息-状态与会员小组",
    "members:group*": "会员信息-状态与会员小组",
    "members:reveal": "会员信息-状态与会员小组",
    "members:transfer*": "转会",
    "members:campaign*": "重新登记",
    "members:counts": "会员统计",
    "members:composition": "会员-代表与理事构成",
    "members:import": "会员-excel导入导出",
    "members:export": "会员-excel导入导出",
}

HOWTO: dict[str, Text] = {
    "members:apply": _(
        "选择申请加入的协会和会员类型，填写姓名、身份证号码、电话和住址；团体会员填写单位名称和"
        "联系人，可不填身份证号码。提交后由理事会审批，批准后发放会员证号。"
    ),
    "members:edit": _(
        "电话留空表示不修改。会员证号和所属协会不在这里修改：迁往其他协会请用“转会”，失效、退会"
        "请用“变更状态”。"
    ),
    "members:join": _(
        "选择您所在的村（社区）计生协和会员类型，如实填写姓名、身份证号码和电话，阅读同意书后勾选"
        "同意并提交。提交后请保存查询码，凭查询码查看审批进度。"
    ),
    "members:approve": _(
        "填写作出决定的理事会会议日期和决议文号。批准后即成为正式会员，系统编发会员证号，可打印"
        "会员证。"
    ),
    "members:import": IMPORT_HOWTO,
}
