"""Writing templates and exports: streamed, masked by default, formula-safe.

XlsxWriter runs in constant-memory mode (each row goes to a temporary file as it is written), the
workbook lands in an anonymous temporary file, and Django's FileResponse streams it with the
Chinese file name in `Content-Disposition: attachment; filename*=utf-8''...` (RFC 5987/6266).
Every string is written with `write_string` after `neutralise`, so no cell text is ever taken for
a formula.
Protected values are masked unless the caller asks for them in full, which needs the
`personal.reveal` capability and a reason, and is recorded as an `export` audit event.
"""

from __future__ import annotations

import datetime
import decimal
import tempfile
from collections.abc import Callable, Iterable
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext

from fpa.core.actors import Actor
from fpa.core.audit import audit_record
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.excel.columns import DATE, NUMBER, TEXT, Choice, Column, Sheet, mask
from fpa.core.excel.safety import neutralise
from fpa.core.models import AuditEvent
from fpa.core.protected import Protected
from fpa.core.scope import scope_path_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTRUCTIONS = "填写说明"
CHUNK_SIZE = 2000
REPORT_EVERY = 500  # rows between two progress reports of an export job
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
}


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        )
        self.required = workbook.add_format(
            {"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True}
        )
        self.text = workbook.add_format({"num_format": "@"})
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.bold = workbook.add_format({"bold": True})

    def for_column(self, column: Column) -> Any:
        return {TEXT: self.text, DATE: self.date, NUMBER: None}[column.kind]


class ReportFormats:
    """The cell formats of a printed report's sheet (the upper level's layouts: the activities'
    annual report, the reports up the chain): a centred title, a shaded wrapped header, bordered
    text (kept as text), numbers, section rows and bold totals."""

    def __init__(self, workbook: Any) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.header = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#DDEBF7",
                "border": 1,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self.section = workbook.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"})
        self.text = workbook.add_format({"border": 1, "num_format": "@"})
        self.wrap = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        self.number = workbook.add_format({"border": 1})
        self.bold_text = workbook.add_format({"border": 1, "bold": True, "num_format": "@"})
        self.bold_number = workbook.add_format({"border": 1, "bold": True})


def a4_paper(sheet: Any, *, repeat: tuple[int, int], landscape: bool = False) -> None:
    """Print set-up of a report sheet: A4, one page wide, the header rows `repeat` (first, last)
    on every page."""
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(*repeat)


def cell_value(column: Column, obj: Any, *, reveal: bool) -> Any:
    """The value written for `obj` in `column`: masked unless `reveal`."""
    value = column.value_of(obj)
    if isinstance(value, Protected):
        return value.reveal_unchecked() if reveal else value.masked
    if column.protected and value not in (None, "") and not reveal:
        return mask(column.protected, str(value))
    return value


def write_cell(
    worksheet: Any, row: int, col: int, value: Any, column: Column, formats: Any
) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        worksheet.write_string(row, col, "是" if value else "否", formats.text)
    elif isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        worksheet.write_datetime(row, col, value, formats.datetime)
    elif isinstance(value, datetime.date):
        worksheet.write_datetime(row, col, value, formats.date)
    elif isinstance(value, int | float | decimal.Decimal) and column.kind == NUMBER:
        worksheet.write_number(row, col, float(value))
    else:
        worksheet.write_string(row, col, neutralise(str(value)), formats.for_column(column))


def write_workbook(
    target: IO[bytes] | str,
    sheet: Sheet,
    objects: Iterable[Any] | None = None,
    *,
    reveal: bool = False,
    on_rows: Callable[[int], None] | None = None,
) -> int:
    """A workbook with the sheet's header row, one row per object, and the instructions sheet.

    Returns the number of data rows written. `objects` is consumed once, in order. `on_rows`
    (a background job's progress) is called with the rows written so far every `REPORT_EVERY`
    rows and at the end.
    """
    workbook = xlsxwriter.Workbook(target, WORKBOOK_OPTIONS)
    formats = _Formats(workbook)
    worksheet = workbook.add_worksheet(sheet.title)
    for index, column in enumerate(sheet.columns):
        worksheet.set_column(index, index, column.width, formats.for_column(column))
        if isinstance(column.parse, Choice):
            source = column.parse.labels
            if sum(len(label) + 1 for label in source) <= 255:
                worksheet.data_validation(
                    1,
                    index,
                    1_048_575,
                    index,
                    {
                        "validate": "list",
                        "source": source,
                        "error_type": "warning",
                        "error_title": column.header,
                        "error_message": "请从下拉列表中选择。",
                    },
                )
    worksheet.freeze_panes(1, 0)
    for index, column in enumerate(sheet.columns):
        style = formats.required if column.required else formats.header
        worksheet.write_string(0, index, column.header, style)
    count = 0
    for obj in objects or ():
        count += 1
        for index, column in enumerate(sheet.columns):
            value = cell_value(column, obj, reveal=reveal)
            write_cell(worksheet, count, index, value, column, formats)
        if on_rows is not None and count % REPORT_EVERY == 0:
            on_rows(count)
    if on_rows is not None:
        on_rows(count)
    _write_instructions(workbook, sheet, formats)
    workbook.close()
    return count


def _write_instructions(workbook: Any, sheet: Sheet, formats: Any) -> None:
    notes = workbook.add_worksheet(INSTRUCTIONS)
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 2, 60, formats.wrap)
    notes.set_column(3, 3, 24)
    key_headers = "、".join(sheet.column(name).header for name in sheet.key)
    lines = [
        f"「{sheet.title}」工作表的第一行是列名，请勿修改；从第二行起每行填写一条记录。",
        "橙色列名为必填项。身份证号码等长号码请保持“文本”格式，否则Excel会改动末几位。",
        "请直接填写内容，不要使用公式；不要合并单元格。",
        f"同一文件中，{key_headers}相同的行只能出现一次；与系统中已有记录相同时更新该记录，"
        "内容完全相同的行不做任何修改，重复上传同一文件不会重复登记。",
        "打码的号码（含*号）表示“保持不变”，只能用于修改已有记录。",
        *sheet.notes,
    ]
    row = 0
    notes.write_string(row, 0, INSTRUCTIONS, formats.bold)
    for line in lines:
        row += 1
        notes.write_string(row, 0, neutralise(line))
    row += 2
    for index, title in enumerate(("列名", "必填", "填写要求", "示例")):
        notes.write_string(row, index, title, formats.header)
    for column in sheet.columns:
        row += 1
        notes.write_string(row, 0, column.header)
        notes.write_string(row, 1, "是" if column.required else "否")
        notes.write_string(row, 2, neutralise(_hint(column)), formats.wrap)
        if column.example:
            notes.write_string(row, 3, neutralise(column.example), formats.text)


def _hint(column: Column) -> str:
    parts = [column.hint] if column.hint else []
    if isinstance(column.parse, Choice):
        parts.append("可填写：" + "、".join(column.parse.labels))
    if column.kind == DATE:
        parts.append("日期，如2024-01-31")
    if column.protected:
        parts.append("个人敏感信息，导出时默认打码")
    return "；".join(parts)


def _temporary() -> IO[bytes]:
    return tempfile.TemporaryFile(prefix="fpa-export-")  # FileResponse closes it


def _response(handle: IO[bytes], filename: str) -> FileResponse:
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


def default_filename(sheet: Sheet, suffix: str = "") -> str:
    return f"{sheet.title}{suffix}-{timezone.localdate():%Y%m%d}.xlsx"


def template_response(
    sheet: Sheet,
    *,
    queryset: QuerySet[Any] | None = None,
    actor: Actor | None = None,
    reveal: bool = False,
    reason: str = "",
    filename: str | None = None,
) -> FileResponse:
    """The import template: headers, formats, dropdowns and the instructions sheet.

    With `queryset` (scoped by the caller) it is pre-filled with those rows for updating: an
    export under another name, masked unless `reveal` (see `export_response`).
    """
    if queryset is not None:
        if actor is None:
            raise NotAllowed(gettext("您没有导出完整个人信息的权限。"))
        return export_response(
            sheet,
            queryset,
            actor=actor,
            reveal=reveal,
            reason=reason,
            filename=filename or f"{sheet.title}导入模板（含现有记录）.xlsx",
        )
    handle = _temporary()
    try:
        write_workbook(handle, sheet)
    except BaseException:
        handle.close()
        raise
    return _response(handle, filename or f"{sheet.title}导入模板.xlsx")


def check_reveal(actor: Actor | None, reveal: bool, reason: str) -> str:
    """Refuse a full export without `personal.reveal` or without a reason; the reason, trimmed."""
    reason = (reason or "").strip()
    if reveal:
        if actor is None or not actor.has_capability("personal.reveal"):
            raise NotAllowed(gettext("您没有导出完整个人信息的权限。"))
        if len(reason) < 2:
            raise ServiceError(gettext("请填写导出完整信息的原因。"), field="reason")
    return reason


def export_response(
    sheet: Sheet,
    queryset: QuerySet[Any],
    *,
    actor: Actor,
    reveal: bool = False,
    reason: str = "",
    filename: str | None = None,
) -> FileResponse:
    """Stream `queryset` (already scoped by the caller) as a workbook in the template's layout.

    Protected values are masked. With `reveal`, they are written in full: the actor must hold
    `personal.reveal` and give a reason, and an `export` audit event records how many rows left.
    The query count does not grow with the rows: `sheet.related` is joined and rows are read in
    chunks.
    """
    handle, name, _count = export_file(
        sheet, queryset, actor=actor, reveal=reveal, reason=reason, filename=filename
    )
    return _response(handle, name)


def export_file(
    sheet: Sheet,
    queryset: QuerySet[Any],
    *,
    actor: Actor,
    reveal: bool = False,
    reason: str = "",
    filename: str | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> tuple[IO[bytes], str, int]:
    """The export of `export_response` as an open temporary file (rewound), its name and its
    row count: what a background export job keeps as its result file."""
    reason = check_reveal(actor, reveal, reason)
    if sheet.related:
        queryset = queryset.select_related(*sheet.related)
    handle = _temporary()
    try:
        count = write_workbook(
            handle,
            sheet,
            queryset.iterator(chunk_size=CHUNK_SIZE),
            reveal=reveal,
            on_rows=on_rows,
        )
        if reveal:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.EXPORT,
                object_type=queryset.model._meta.label_lower,
                object_repr=f"导出{sheet.title}（含完整个人信息）{count}条",
                changes={
                    "rows": count,
                    "columns": [c.header for c in sheet.columns if c.protected],
                },
                scope_path=scope_path_of(actor) or "",
                reason=reason,
            )
    except BaseException:
        handle.close()
        raise
    suffix = "（完整信息）" if reveal else ""
    handle.seek(0)
    return handle, filename or default_filename(sheet, suffix), count
