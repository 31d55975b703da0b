"""The workbook of the special-assistance payment roster (特别扶助金发放花名册), as the paper form:
title, unit and month, one row per payee (序号, 村（社区）, 姓名, 身份, 扶助类别, 每人每月标准,
月数, 金额, a blank 签字 column), the total row, then the 填表人/审核人/日期/盖章 line.

Names are masked (张**) unless the workbook is a full export, which the job writes only for a
holder of `personal.reveal` with a reason and records in the audit trail
(`services.payment_roster_exported`). Every text cell goes through the engine's formula
neutralisation, with the engine's workbook options (no strings taken for numbers or formulas).
"""

from __future__ import annotations

import tempfile
from typing import Any

import xlsxwriter
from django.utils import timezone

from fpa.core import excel
from fpa.core.excel.writer import WORKBOOK_OPTIONS
from fpa.core.masking import mask_name
from fpa.families.selectors.payments import Payee, PaymentRoster

# (header, width): the paper form's columns.
COLUMNS = (
    ("序号", 6),
    ("村（社区）", 22),
    ("姓名", 10),
    ("身份", 6),
    ("扶助类别", 12),
    ("每人每月标准（元）", 12),
    ("月数", 6),
    ("金额（元）", 12),
    ("签字", 16),
)
SIGNATURES = "填表人：　　　　　　审核人：　　　　　　日期：　　　　　　（盖章）"
MASKED_NOTE = "姓名已打码（仅显示姓氏）；含完整姓名的花名册须填写原因导出，并记入审计日志。"


def shown_name(payee: Payee, *, reveal: bool) -> str:
    """The payee's name as the roster shows it: in full only when revealed."""
    return payee.name if reveal else mask_name(payee.name)


def roster_filename(roster: PaymentRoster, *, reveal: bool) -> str:
    suffix = "（完整姓名）" if reveal else ""
    return f"{roster.title}-{roster.month.param}-{roster.root.name}{suffix}.xlsx"


def write_roster(target: Any, roster: PaymentRoster, *, reveal: bool) -> None:
    """The roster as one worksheet, printed portrait on A4 at the page's width, the header row
    repeated on every printed page."""
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "constant_memory": False})
    title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
    header = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#DDEBF7",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    text = workbook.add_format({"border": 1, "num_format": "@", "valign": "vcenter"})
    number = workbook.add_format({"border": 1, "valign": "vcenter"})
    money = workbook.add_format({"border": 1, "num_format": "0.00", "valign": "vcenter"})
    bold_text = workbook.add_format({"border": 1, "bold": True, "num_format": "@"})
    bold_money = workbook.add_format({"border": 1, "bold": True, "num_format": "0.00"})
    sheet = workbook.add_worksheet(roster.title)
    last_col = len(COLUMNS) - 1
    for index, (_, width) in enumerate(COLUMNS):
        sheet.set_column(index, index, width)
    sheet.merge_range(0, 0, 0, last_col, roster.title, title)
    sheet.write_string(1, 0, excel.neutralise(f"发放单位：{roster.root.name}"))
    sheet.write_string(1, 4, f"发放月份：{roster.month.label}")
    sheet.write_string(1, 7, f"制表日期：{timezone.localdate():%Y-%m-%d}")
    top = 3
    for index, (label, _) in enumerate(COLUMNS):
        sheet.write_string(top, index, label, header)
    line = top
    for number_in_list, payee in enumerate(roster.payees, start=1):
        line += 1
        sheet.set_row(line, 24)  # room to sign
        sheet.write_number(line, 0, number_in_list, number)
        sheet.write_string(line, 1, excel.neutralise(payee.village), text)
        sheet.write_string(line, 2, excel.neutralise(shown_name(payee, reveal=reveal)), text)
        sheet.write_string(line, 3, payee.role_label, text)
        sheet.write_string(line, 4, payee.kind_label, text)
        sheet.write_number(line, 5, float(payee.standard), money)
        sheet.write_number(line, 6, payee.months, number)
        sheet.write_number(line, 7, float(payee.amount), money)
        sheet.write_blank(line, 8, None, text)
    line += 1
    sheet.write_string(line, 0, "合计", bold_text)
    sheet.write_string(line, 1, f"{roster.paid_families}户{len(roster.payees)}人", bold_text)
    for col in range(2, last_col + 1):
        if col == 7:
            sheet.write_number(line, col, float(roster.total), bold_money)
        else:
            sheet.write_blank(line, col, None, bold_text)
    line += 2
    if not reveal:
        sheet.write_string(line, 0, MASKED_NOTE)
        line += 1
    sheet.write_string(line + 1, 0, SIGNATURES)
    sheet.set_paper(9)  # A4
    sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(top, top)
    workbook.close()


def roster_file(roster: PaymentRoster, *, reveal: bool) -> tuple[Any, str]:
    """The workbook in a temporary file (rewound) and its Chinese file name."""
    handle = tempfile.TemporaryFile(prefix="fpa-roster-")  # noqa: SIM115 (the caller closes it)
    try:
        write_roster(handle, roster, reveal=reveal)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle, roster_filename(roster, reveal=reveal)
