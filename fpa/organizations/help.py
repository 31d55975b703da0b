"""Where the network's pages' help is in the user guide, and the hints of its main forms
(fpa.core.help reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import IMPORT_HOWTO, Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "organizations:*": "协会网络",
    "organizations:contact": "平台首页",
    "organizations:staff_*": "工作人员与培训",
    "organizations:training_add": "工作人员与培训",
    "organizations:filing_*": "备案",
    "organizations:composition": "代表与理事构成",
    "organizations:seat*": "代表与理事构成",
}

HOWTO: dict[str, Text] = {
    "organizations:staff_create": _(
        "填写姓名、职务、任职方式和任期。身份证号码可输入全角数字或小写x，出生日期和性别由号码"
        "自动得出。人员离任时请用“离任”，不要删除。"
    ),
    "organizations:staff_edit": _(
        "身份证号码和电话留空表示不修改。两人同时修改同一人员时，后保存的一方会收到提示，请刷新"
        "后再改。人员离任请用“离任”，不要删除。"
    ),
    "organizations:filing_submit": _(
        "选择主持本协会日常工作的人后提交。上一级协会审核同意后备案生效；被退回时，工作台的"
        "“退回与提醒”中显示原因，改正后重新报送。"
    ),
    "organizations:staff_import": IMPORT_HOWTO,
}
