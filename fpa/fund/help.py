"""Where the care fund's pages' help is in the user guide, and the hints of its main forms
(fpa.core.help reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "fund:*": "生育关怀基金",
    "fund:create": "设立基金",
    "fund:settings": "设立基金",
    "fund:donation*": "登记捐赠与票据",
    "fund:receipt": "登记捐赠与票据",
    "fund:entr*": "记账规则",
    "fund:income_new": "记账规则",
    "fund:grant*": "资助申请流程",
    "fund:feedback*": "社会监督",
    "fund:report": "公开页与报表",
    "fund:rules_edit": "公开页与报表",
    "fund:public_*": "公开页与报表",
    "fund:public_feedback*": "社会监督",
    "fund:public_receipt": "核验账本",
    "fund:public_entr*": "公开条目与收据核对",
    "fund:public_codes": "公开条目与收据核对",
    "fund:public_lookup": "公开条目与收据核对",
}

HOWTO: dict[str, Text] = {
    "fund:grant_new": _(
        "选择资助对象（本范围内的家庭、个人或活动）和支出类别，填写金额（半角数字，最多两位小数）"
        "和申请理由。提交后经乡镇审核、县级审批和公示，由财务支付；公示不显示受助人姓名和村（社区）。"
    ),
    "fund:donation_new": _(
        "填写捐赠人、类型、形式、收款渠道、金额和收到日期；捐赠人指定用途的选“限定用途”。捐赠人"
        "同意时才勾选“同意公开姓名/名称”。保存后自动生成票据号并打开可打印的票据。"
    ),
    "fund:income_new": _(
        "政府拨款、上级项目资金、配套资金和利息在这里登记。金额只能填半角数字，最多两位小数；"
        "记账后不能修改，记错了用“冲销”再重新登记。"
    ),
}
