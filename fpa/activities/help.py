"""Where the activities' pages' help is in the user guide, and the hints of their main forms
(fpa.core.help reads them). The anchors are those of the guide's chapter "活动" and its sections;
each area of the module adds its own lines here."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import IMPORT_HOWTO, Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    # the activity pages
    "activities:*": "活动",
    "activities:list": "活动列表与导出",
    "activities:export": "活动列表与导出",
    "activities:import*": "活动列表与导出",
    "activities:new": "登记活动计划",
    "activities:edit": "登记活动计划",
    "activities:detail": "审批与开展",
    "activities:approve": "审批与开展",
    "activities:hold": "审批与开展",
    "activities:counts": "审批与开展",
    "activities:cancel": "审批与开展",
    "activities:fund_link": "审批与开展",
    "activities:summarise": "活动总结与亮点",
    "activities:highlights": "活动总结与亮点",
    "activities:media_*": "活动总结与亮点",
    "activities:volunteers": "志愿服务与签到",
    "activities:signin_open": "志愿服务与签到",
    "activities:signin_close": "志愿服务与签到",
    # phone sign-in, the public calendar and the public summaries
    "activities:signin_qr": "手机签到",
    "activities:signin_count": "手机签到",
    "activities:signin": "手机签到",
    "activities:calendar": "活动日历与公开简讯",
    "activities:news*": "活动日历与公开简讯",
    # sites, photos, the pool and the settings
    "activities:site*": "服务阵地",
    "activities:photo*": "服务阵地",
    "activities:expert*": "专家和师资与同伴社",
    "activities:club*": "专家和师资与同伴社",
    "activities:settings*": "活动设置",
    # sensitive health follow-ups
    "activities:health_*": "健康服务随访",
    # campaigns set from above and the figures
    "activities:campaign*": "活动部署",
    "activities:figure*": "活动统计",
}

HOWTO: dict[str, Text] = {
    "activities:import_sites": IMPORT_HOWTO,
    "activities:import_activities": IMPORT_HOWTO,
    "activities:campaign_new": _(
        "选择发起协会（默认本协会），填写名称、主题、起止日期和要求。下方列出全部下级协会，"
        "默认每个至少开展1次活动，可逐个修改次数，填0表示不向该协会提要求。下级开展活动时选择"
        "本部署，进度随活动开展自动更新。"
    ),
    "activities:campaign_edit": _(
        "可修改名称、主题、日期、要求和各承办协会的次数。已有活动不在新日期范围内时不能保存，"
        "请先调整这些活动。"
    ),
    "activities:new": _(
        "选择主办协会，填写活动名称、类别、时间和地点（在阵地举办的选择阵地）。属于上级部署的活动"
        "（如5·29会员活动日）请选择所属部署，活动日期须在部署的时间内。有人身风险的活动请勾选，"
        "开展前须确认已投保意外险；勾选“在公开日历上发布”的活动会出现在公开日历上（不含个人信息）。"
    ),
    "activities:edit": _(
        "修改计划不改变主办协会。须经审批的活动改了时间后要重新审批；已开展的活动改了类别或日期，"
        "统计随之调整。"
    ),
    "activities:hold": _(
        "活动开始后按人群填写参加人数（合计自动计算）、发放资料份数，健康服务只填人次、不登记个人。"
        "已开放手机签到的，签到人数已作为默认值（会员计入“会员”，其他计入“其他”），请核对。"
        "有人身风险的活动须勾选已投保意外险并填写保单号。"
    ),
}
