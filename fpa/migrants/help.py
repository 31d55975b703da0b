"""Where the migrant pages' help is in the user guide (chapter 二十三、流动人口与企业协会), and the
hints of their main forms (fpa.core.help reads them)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fpa.core.help import Anchor
from fpa.core.typing_aids import Text

SECTIONS: dict[str, Anchor] = {
    "migrants:*": "流动人口与企业协会",
    "migrants:list": "流动人口登记",
    "migrants:new": "流动人口登记",
    "migrants:edit": "流动人口登记",
    "migrants:status": "流动人口登记",
    "migrants:detail": "家庭成员-服务与诉求",
    "migrants:family_add": "家庭成员-服务与诉求",
    "migrants:service_add": "家庭成员-服务与诉求",
    "migrants:need_add": "家庭成员-服务与诉求",
    "migrants:import": "流动人口导入与导出",
    "migrants:counts": "流动人口统计",
    "migrants:enterprises": "企业-园区-商会计生协档案",
    "migrants:enterprise": "企业-园区-商会计生协档案",
    "migrants:profile_edit": "企业-园区-商会计生协档案",
    "migrants:evaluation_add": "企业-园区-商会计生协档案",
    "migrants:transfer*": "流动人口移交",
}

HOWTO: dict[str, Text] = {
    "migrants:new": _(
        "选择登记的村（社区）、乡镇或企业计生协和流动方向，填写姓名和身份证号码（性别、出生日期"
        "由号码自动得出）。流入人口填写流出地（户籍地）区划代码，流出人口填写流入地区划代码，"
        "全国范围，县级6位、乡镇9位、村12位。"
    ),
    "migrants:profile_edit": _(
        "填写企业（园区、商会）名称和18位统一社会信用代码（末位为校验位，填错时会提示应为哪一位），"
        "职工和育龄职工人数；“党支部+计生协”的填写党支部名称；评为流动人口示范点的勾选示范点。"
    ),
}
