"""Reports as workbooks in the upper level's layout (the shared engine's writer conventions:
`WORKBOOK_OPTIONS`, every text through `neutralise`, A4 page set-up, a temporary file streamed
with its Chinese name). The workbooks stay in Chinese: they are the upper level's forms.

- `sheet_response`: one report: title, unit and period, status, one row per field by section
  (指标, 单位, 数值, 来源);
- `rollup_response`: a level's roll-up for a kind and period: one column per field, a row per
  subordinate (its accepted figures, or its status when not accepted) and the total;
- `archive_response`: the archive's reports, one row each with every figure, one sheet per kind.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core import excel
from fpa.core.excel.writer import WORKBOOK_OPTIONS, ReportFormats, a4_paper
from fpa.core.review import Status
from fpa.organizations.models import Association
from fpa.reports import selectors
from fpa.reports.fields import Period
from fpa.reports.kinds import Kind
from fpa.reports.models import Report


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _write_number(sheet: Any, row: int, col: int, value: Decimal | None, fmt: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, float(value), fmt)


def write_sheet(target: Any, sheet_data: selectors.Sheet) -> None:
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "constant_memory": False})
    f = ReportFormats(workbook)
    kind = sheet_data.kind
    title = kind.label if kind.custom else gettext(kind.label)
    ws = workbook.add_worksheet(excel.neutralise(title)[:31])
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 8)
    ws.set_column(2, 2, 14)
    ws.set_column(3, 3, 12)
    ws.merge_range(0, 0, 0, 3, excel.neutralise(title), f.title)
    ws.write_string(1, 0, excel.neutralise(f"填报单位：{sheet_data.association.name}"))
    ws.write_string(1, 2, f"报告期：{sheet_data.period.key}")
    report = sheet_data.report
    status = str(report.get_status_display()) if report is not None else "未开始"
    ws.write_string(2, 0, f"状态：{status}")
    ws.write_string(2, 2, f"制表日期：{timezone.localdate():%Y-%m-%d}")
    for col, name in enumerate(("指标", "单位", "数值", "来源")):
        ws.write_string(4, col, name, f.header)
    row = 5
    for section_title, lines in sheet_data.sections:
        ws.merge_range(row, 0, row, 3, excel.neutralise(section_title), f.section)
        row += 1
        for line in lines:
            ws.write_string(row, 0, excel.neutralise(line.label), f.text)
            ws.write_string(row, 1, excel.neutralise(line.unit), f.text)
            _write_number(ws, row, 2, line.value, f.number)
            ws.write_string(row, 3, "自动生成" if line.derived else "手工填报", f.text)
            row += 1
    a4_paper(ws, repeat=(0, 4), landscape=False)
    workbook.close()


@dataclass
class Rollup:
    association: Association
    kind: Kind
    period: Period
    rows: list[tuple[Association, str, dict[str, Decimal]]] = field(default_factory=list)
    total: dict[str, Decimal] = field(default_factory=dict)
    live: bool = False  # derived from the records now, not the accepted reports


def rollup(
    *,
    user: Any,
    association: Association,
    kind: Kind,
    period: Period,
    rows: Sequence[selectors.SubordinateRow] | None = None,
) -> Rollup:
    """Each subordinate's accepted figures (status otherwise) and their total: two queries."""
    rows = (
        rows
        if rows is not None
        else selectors.subordinates(user=user, association=association, kind=kind, period=period)
    )
    accepted = [r.report for r in rows if r.report is not None and r.status == Status.ACCEPTED]
    values = selectors.values_of(r for r in accepted if r is not None)
    out = Rollup(association=association, kind=kind, period=period)
    for row in rows:
        figures = values.get(row.report.pk, {}) if row.report is not None else {}
        out.rows.append((row.association, row.status_label, figures))
        if row.status == Status.ACCEPTED:
            for key, value in figures.items():
                out.total[key] = out.total.get(key, Decimal(0)) + value
    return out


def live_rollup(
    *,
    user: Any,
    association: Association,
    kind: Kind,
    period: Period,
    on_unit: Callable[[int], None] | None = None,
) -> Rollup:
    """The figures the records give now, unit by unit (`selectors.live_figures`), in the
    roll-up's shape: a quick look before the reports are filed, never a filed figure."""
    rows, total = selectors.live_figures(
        user=user, association=association, kind=kind, period=period, on_unit=on_unit
    )
    out = Rollup(association=association, kind=kind, period=period, total=total, live=True)
    out.rows = [(unit, str(unit.get_kind_display()), figures) for unit, figures in rows]
    return out


def write_rollup(target: Any, data: Rollup, on_row: Callable[[int], None] | None = None) -> None:
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "constant_memory": False})
    f = ReportFormats(workbook)
    kind = data.kind
    title = (kind.label if kind.custom else gettext(kind.label)) + (
        "（实时数据）" if data.live else "（汇总）"
    )
    ws = workbook.add_worksheet("汇总")
    keys = kind.keys
    width = 2 + len(keys)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 10)
    ws.set_column(2, width - 1, 11)
    ws.merge_range(0, 0, 0, max(width - 1, 1), excel.neutralise(title), f.title)
    ws.write_string(1, 0, excel.neutralise(f"填报单位：{data.association.name}"))
    ws.write_string(1, 2, f"报告期：{data.period.key}")
    if data.live:
        ws.write_string(
            2, 0, f"按{timezone.localtime():%Y-%m-%d %H:%M}的记录计算；手填项以各级上报为准。"
        )
    ws.write_string(3, 0, "下级协会", f.header)
    ws.write_string(3, 1, "层级" if data.live else "状态", f.header)
    for col, key in enumerate(keys, start=2):
        declared = kind.field(key)
        label = declared.label if kind.custom else gettext(declared.label)
        ws.write_string(3, col, excel.neutralise(f"{label}（{gettext(declared.unit)}）"), f.header)
    row = 4
    for association, status, figures in data.rows:
        ws.write_string(row, 0, excel.neutralise(association.name), f.text)
        ws.write_string(row, 1, status, f.text)
        for col, key in enumerate(keys, start=2):
            _write_number(ws, row, col, figures.get(key), f.number)
        row += 1
        if on_row is not None:
            on_row(row - 4)
    ws.write_string(row, 0, "本级合计（实时）" if data.live else "合计（已审核）", f.bold_number)
    ws.write_blank(row, 1, None, f.bold_number)
    for col, key in enumerate(keys, start=2):
        total = data.total.get(key) if data.live else data.total.get(key, Decimal(0))
        _write_number(ws, row, col, total, f.bold_number)
    ws.freeze_panes(4, 2)
    a4_paper(ws, repeat=(0, 3), landscape=True)
    workbook.close()


def write_archive(
    target: Any, reports: Iterable[Report], on_row: Callable[[int], None] | None = None
) -> int:
    """One sheet per kind: a row per report with its figures (read in chunks of 500)."""
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "constant_memory": False})
    f = ReportFormats(workbook)
    sheets: dict[str, tuple[Any, Kind | None, list[int]]] = {}
    count = 0
    chunk: list[Report] = []

    def flush() -> None:
        nonlocal count
        values = selectors.values_of(chunk)
        for report in chunk:
            ws, kind, cursor = _archive_sheet(workbook, f, sheets, report.kind)
            keys = kind.keys if kind is not None else ()
            r = cursor[0]
            ws.write_string(r, 0, excel.neutralise(report.association.name), f.text)
            ws.write_string(r, 1, report.period, f.text)
            ws.write_string(r, 2, str(report.get_status_display()), f.text)
            ws.write_string(r, 3, f"{report.due_on:%Y-%m-%d}", f.text)
            for col, key in enumerate(keys, start=4):
                _write_number(ws, r, col, values.get(report.pk, {}).get(key), f.number)
            cursor[0] += 1
            count += 1
        if on_row is not None:
            on_row(count)
        chunk.clear()

    for report in reports:
        chunk.append(report)
        if len(chunk) >= 500:
            flush()
    flush()
    if not sheets:
        workbook.add_worksheet("归档").write_string(0, 0, "没有符合条件的报表。")
    workbook.close()
    return count


def _archive_sheet(
    workbook: Any, f: ReportFormats, sheets: dict[str, Any], key: str
) -> tuple[Any, Kind | None, list[int]]:
    if key in sheets:
        found: tuple[Any, Kind | None, list[int]] = sheets[key]
        return found
    kind = selectors.kind_get(key)
    title = (kind.label if kind.custom else gettext(kind.label)) if kind is not None else key
    ws = workbook.add_worksheet(excel.neutralise(f"{len(sheets) + 1}-{title}")[:31])
    for col, name in enumerate(("填报单位", "报告期", "状态", "截止日期")):
        ws.write_string(0, col, name, f.header)
    if kind is not None:
        for col, field_key in enumerate(kind.keys, start=4):
            declared = kind.field(field_key)
            label = declared.label if kind.custom else gettext(declared.label)
            ws.write_string(0, col, excel.neutralise(label), f.header)
    ws.set_column(0, 0, 22)
    ws.freeze_panes(1, 1)
    a4_paper(ws, repeat=(0, 0), landscape=True)
    sheets[key] = (ws, kind, [1])
    made: tuple[Any, Kind | None, list[int]] = sheets[key]
    return made


def _temporary() -> IO[bytes]:
    return tempfile.TemporaryFile(prefix="fpa-reports-")  # FileResponse closes it


def build(write: Callable[[IO[bytes]], Any]) -> IO[bytes]:
    handle = _temporary()
    try:
        write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


def _response(write: Callable[[IO[bytes]], Any], filename: str) -> FileResponse:
    name = filename.replace("/", "-").replace("\\", "-")
    return FileResponse(build(write), as_attachment=True, filename=name, content_type=excel.XLSX)


def sheet_filename(data: selectors.Sheet) -> str:
    label = data.kind.label if data.kind.custom else gettext(data.kind.label)
    return f"{label}-{data.period.key}-{data.association.name}.xlsx"


def sheet_response(data: selectors.Sheet) -> FileResponse:
    return _response(lambda h: write_sheet(h, data), sheet_filename(data))


def rollup_filename(data: Rollup) -> str:
    label = data.kind.label if data.kind.custom else gettext(data.kind.label)
    what = "实时数据" if data.live else "汇总"
    return f"{label}{what}-{data.period.key}-{data.association.name}.xlsx"


def rollup_response(data: Rollup) -> FileResponse:
    return _response(lambda h: write_rollup(h, data), rollup_filename(data))


def archive_response(reports: Iterable[Report]) -> FileResponse:
    return _response(
        lambda h: write_archive(h, reports), f"上报归档-{timezone.localdate():%Y%m%d}.xlsx"
    )
