"""Where the insurance pages' help is in the user guide (chapter "计生保险（改革方案第8、15条）"),
and the hints of their main forms (fpa.core.help reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "insurance:*": "计生保险",
    "insurance:products": "保险产品与年度",
    "insurance:product_*": "保险产品与年度",
    "insurance:year_new": "保险产品与年度",
    "insurance:year_edit": "保险产品与年度",
    "insurance:settings": "理赔",
    "insurance:year": "参保名单",
    "insurance:enrol": "参保名单",
    "insurance:enrolment": "参保名单",
    "insurance:family": "参保名单",
    "insurance:rule": "按规则批量参保",
    "insurance:premium": "保费与生育关怀基金",
    "insurance:claim*": "理赔",
    "insurance:import_*": "导入导出",
}

HOWTO: dict[str, Text] = {
    "insurance:year_new": _(
        "保险期间默认按产品的起始月日计一年。基金、财政、个人三方承担（元/人）之和须等于每人"
        "保费；基金承担部分可在年度页面申请基金支付。"
    ),
    "insurance:enrol": _(
        "选择人员来源并输入身份证号码（须在您的管辖范围内）。不填保障起始日期时，从起保日或"
        "今天（取较晚者）开始保障。"
    ),
    "insurance:claim_new": _(
        "出险日期须在被保险人的保障期间内，否则不能报案。特殊家庭成员报案后，系统自动在"
        "该家庭的关怀记录中记一条“保险理赔”。"
    ),
}
