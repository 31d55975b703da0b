"""The limits of an upload, the messages of a refusal, and what an inspection finds."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

MB = 1024 * 1024

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

EMPTY = gettext_noop("文件是空的（0字节），请选择填写好的Excel文件（.xlsx）后重新上传。")
TOO_LARGE = gettext_noop(
    "文件大小为%(size)s，超过了%(limit)s的上限，请删除无关内容或拆分成多个文件后分批上传。"
)
OLE2 = gettext_noop(
    "该文件是旧版Excel（.xls）文件或设置了打开密码的加密文件，无法导入。"
    "请取消密码，并在Excel中“另存为”Excel工作簿（*.xlsx）后重新上传。"
)
NOT_XLSX = gettext_noop(
    "该文件不是Excel工作簿（.xlsx）格式（只改扩展名无效）。"
    "请在Excel或WPS中“另存为”Excel工作簿（*.xlsx）后重新上传。"
)
XLSB = gettext_noop(
    "该文件是Excel二进制工作簿（.xlsb），请“另存为”Excel工作簿（*.xlsx）后重新上传。"
)
CORRUPT = gettext_noop(
    "文件已损坏或不完整（可能没有上传完整），无法打开。请在Excel中重新保存后再上传。"
)
ENCRYPTED = gettext_noop("文件已加密，无法导入。请取消密码保护后重新上传。")
MACROS = gettext_noop(
    "文件中含有宏（VBA代码或控件），为安全起见不予导入。"
    "请“另存为”不含宏的Excel工作簿（*.xlsx）后重新上传。"
)
EXTERNAL_LINKS = gettext_noop(
    "文件中含有指向其他文件的外部链接，为安全起见不予导入。"
    "请在Excel中选择“数据→编辑链接→断开链接”，保存后重新上传。"
)
TOO_MANY_MEMBERS = gettext_noop(
    "文件内部结构异常（包含%(count)s个部件），不予导入。请在Excel中另存为新文件后重新上传。"
)
BOMB_TOTAL = gettext_noop(
    "文件解压后的内容超过%(limit)s，疑似异常文件，不予导入。请检查文件内容或拆分后分批上传。"
)
BOMB_RATIO = gettext_noop(
    "文件中的内容压缩比异常（超过%(ratio)s:1），疑似恶意构造的文件，不予导入。"
)
BOMB_LIE = gettext_noop("文件中的内容与其声明的大小不符，疑似恶意构造的文件，不予导入。")
MALFORMED = gettext_noop("文件内部格式异常，无法读取。请在Excel中另存为新文件后重新上传。")
NO_SHEET = gettext_noop("文件中没有工作表。")
TOO_MANY_ROWS = gettext_noop(
    "工作表「%(sheet)s」的数据区域有%(rows)s行，超过了单次导入%(limit)s行的上限。"
    "请删除表格下方多余的空行，或拆分成多个文件分批导入。"
)
TOO_MANY_COLUMNS = gettext_noop(
    "工作表「%(sheet)s」的数据区域有%(columns)s列，超过了%(limit)s列的上限，请删除多余的列。"
)
TOO_MANY_FORMULAS = gettext_noop(
    "文件中的公式或错误值过多，无法逐一标出。请将数据“选择性粘贴为数值”后重新上传。"
)
TOO_MANY_CELLS = gettext_noop(
    "工作表「%(sheet)s」的数据区域过大（%(rows)s行、%(columns)s列），请删除多余的行和列，"
    "或拆分成多个文件分批导入。"
)


class UnsafeFile(ValueError):
    """An upload refused before parsing; str() is the message for the user."""

    def __init__(self, message: str) -> None:
        message = gettext(message)  # constants are marked with gettext_noop
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * MB
    max_uncompressed: int = 100 * MB
    max_ratio: int = 100
    ratio_floor: int = 1 * MB  # members smaller than this cannot be a bomb worth the name
    max_members: int = 500
    max_rows: int = 200_000  # data rows, the header not counted
    max_columns: int = 200
    max_cells: int = 5_000_000  # of the rectangle calamine allocates
    max_part: int = 5 * MB  # [Content_Types].xml, workbook.xml and its relationships

    @classmethod
    def from_settings(cls, **overrides: Any) -> Limits:
        """Defaults, then the `FPA_EXCEL_LIMITS` setting (a dict), then the caller's overrides."""
        configured = dict(getattr(settings, "FPA_EXCEL_LIMITS", {}) or {})
        return replace(cls(), **{**configured, **overrides})


@dataclass
class Inspection:
    """What the checks learnt about the workbook, for the reader."""

    sheet_name: str
    sheet_names: list[str]
    max_row: int = 0  # 1-based row number of the last cell, 0 for an empty sheet
    max_column: int = 0  # 1-based
    formula_cells: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, column)
    error_cells: set[tuple[int, int]] = field(default_factory=set)


def human_size(size: int) -> str:
    """12.3 MB, 10 MB, 512 KB: rounded up, so that a file just over a limit does not read as it."""
    if size >= MB:
        tenths = math.ceil(size * 10 / MB)
        return f"{tenths // 10} MB" if tenths % 10 == 0 else f"{tenths / 10:.1f} MB"
    return f"{max(math.ceil(size / 1024), 1)} KB"
