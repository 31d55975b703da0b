"""Reading an inspected workbook with python-calamine: a header row, then rows of cell text.

Every cell becomes a string here, carefully: Excel keeps numbers as IEEE doubles, so an 18-digit
ID number typed into a number cell has already lost its last digits (6.22923198001010E+17) and is
reported, not guessed at; whole numbers lose their ".0"; dates become ISO dates; formula and error
cells (found by the safety scan) are reported, since their cached value is whatever the file says.
The column parsers then normalise and validate the text.
"""

from __future__ import annotations

import datetime
import io
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import python_calamine
from django.utils.translation import gettext, gettext_noop

from fpa.core.excel.columns import DATE, TEXT, Column, Sheet, normalise_header
from fpa.core.excel.safety import CORRUPT, Inspection, Limits, UnsafeFile, unneutralise

NUMBER_TOO_LONG = gettext_noop(
    "该单元格是数字格式，超过15位的数字已被Excel改动（末几位变成0）。"
    "请将此列设置为“文本”格式后重新填写完整号码。"
)
FORMULA = gettext_noop("单元格中是公式，请改为直接填写内容（可复制后“选择性粘贴→数值”）。")
ERROR_VALUE = gettext_noop("单元格是错误值（如#N/A、#VALUE!），请更正。")
EMPTY_SHEET = gettext_noop("工作表「%(sheet)s」是空的，没有列名和数据。")
EXCEL_DIGITS = 15


@dataclass(frozen=True)
class Issue:
    """One problem for the user, located by row number and column header when known."""

    row: int | None
    header: str | None
    message: str

    def __str__(self) -> str:
        # A constant message (marked with gettext_noop) is translated here, for the page; a
        # message with values was translated when it was made. Headers stay as in the file.
        message = gettext(self.message) if self.message else self.message
        values = {"row": self.row, "header": self.header, "message": message}
        if self.row is not None and self.header:
            return gettext("第%(row)s行「%(header)s」：%(message)s") % values
        if self.row is not None:
            return gettext("第%(row)s行：%(message)s") % values
        if self.header:
            return gettext("「%(header)s」：%(message)s") % values
        return message


class CellError(ValueError):
    """A cell whose content cannot be read as text."""


def cell_text(value: Any, kind: str = TEXT) -> str:
    """The text of a cell as calamine returns it; CellError for what cannot be trusted."""
    if value is None:
        return ""
    if isinstance(value, str):
        return unneutralise(value).strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        if abs(value) >= 10**EXCEL_DIGITS:
            raise CellError(NUMBER_TOO_LONG)
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(ERROR_VALUE)
        if value.is_integer():
            if abs(value) >= 10**EXCEL_DIGITS:
                raise CellError(NUMBER_TOO_LONG)
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if kind == DATE or value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value).strip()


def column_letters(index: int) -> str:
    """0-based column index to its letters (0 -> A)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class RawRow:
    number: int  # the row number Excel shows
    cells: dict[str, str | CellError]  # by field, for the columns present in the file


@dataclass
class Table:
    sheet_name: str
    header_row: int = 0
    present: list[Column] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # header problems: nothing can be read
    rows: Iterator[RawRow] = field(default_factory=lambda: iter(()))


def read_table(data: bytes, sheet: Sheet, inspection: Inspection, limits: Limits) -> Table:
    """The header and a lazy iterator of non-blank rows, after `safety.inspect` passed."""
    table = Table(sheet_name=inspection.sheet_name)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        worksheet = workbook.get_sheet_by_name(inspection.sheet_name)
        start = worksheet.start
        rows = iter(worksheet.iter_rows())
    except python_calamine.CalamineError as exc:
        raise UnsafeFile(CORRUPT) from exc
    if start is None:
        table.issues.append(Issue(None, None, gettext(EMPTY_SHEET) % {"sheet": table.sheet_name}))
        return table
    first_row, first_column = start
    # python-calamine yields `first_row` empty rows before the range (row numbers stay absolute)
    # while columns start at `first_column`. The range's first row always holds a value, so an
    # empty first row tells which way this version counts.
    peeked = next(rows, None)
    if peeked is None:
        table.issues.append(Issue(None, None, gettext(EMPTY_SHEET) % {"sheet": table.sheet_name}))
        return table
    padded = first_row > 0 and not any(_filled(v) for v in peeked)
    number = 0 if padded or first_row == 0 else first_row
    rows = itertools.chain([peeked], rows)
    header: list[Any] = []
    for values in rows:
        number += 1
        if any(_filled(v) for v in values):
            header = values
            break
    else:
        table.issues.append(Issue(None, None, gettext(EMPTY_SHEET) % {"sheet": table.sheet_name}))
        return table
    table.header_row = number
    mapping = _map_header(header, number, first_column, sheet, inspection, table)
    if table.issues:
        return table
    table.rows = _data_rows(rows, number, first_column, mapping, inspection, limits)
    return table


def _filled(value: Any) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip()))


def _map_header(
    values: list[Any],
    number: int,
    first_column: int,
    sheet: Sheet,
    inspection: Inspection,
    table: Table,
) -> list[tuple[int, Column]]:
    mapping: list[tuple[int, Column]] = []
    unknown: list[str] = []
    seen: dict[str, int] = {}
    for offset, value in enumerate(values):
        column_index = first_column + offset
        letters = column_letters(column_index)
        if (number - 1, column_index) in inspection.formula_cells:
            table.issues.append(
                Issue(
                    number,
                    None,
                    gettext("第%(column)s列的列名是公式，请直接填写列名。") % {"column": letters},
                )
            )
            continue
        try:
            text = cell_text(value)
        except CellError:
            text = ""
        if not normalise_header(text):
            continue
        column = sheet.match(text)
        if column is None:
            unknown.append(text)
            continue
        if column.field in seen:
            table.issues.append(
                Issue(
                    number,
                    None,
                    gettext("列名「%(header)s」出现了两次（第%(column)s列）。")
                    % {"header": column.header, "column": letters},
                )
            )
            continue
        seen[column.field] = offset
        mapping.append((offset, column))
    if not mapping:
        expected = "、".join(sheet.headers)
        table.issues.append(
            Issue(
                number,
                None,
                gettext("没有找到列名。第一行应为：%(expected)s。请使用系统提供的模板。")
                % {"expected": expected},
            )
        )
        return mapping
    for text in unknown:
        table.issues.append(
            Issue(
                number,
                None,
                gettext("无法识别的列名「%(header)s」，请使用模板中的列名，或删除该列。")
                % {"header": text},
            )
        )
    for column in sheet.columns:
        if column.required and column.field not in seen:
            table.issues.append(
                Issue(
                    None,
                    None,
                    gettext("缺少必填列「%(header)s」，请使用系统提供的模板。")
                    % {"header": column.header},
                )
            )
    table.present = [column for _, column in mapping]
    return mapping


def _data_rows(
    rows: Iterator[list[Any]],
    number: int,
    first_column: int,
    mapping: list[tuple[int, Column]],
    inspection: Inspection,
    limits: Limits,
) -> Iterator[RawRow]:
    # Rows (0-based) holding a formula or an error cell; the others skip the position lookups.
    marked = {row for row, _ in inspection.formula_cells | inspection.error_cells}
    count = 0
    for values in rows:
        number += 1
        if number - 1 in marked:
            cells = _marked_cells(values, number, first_column, mapping, inspection)
        else:
            cells = _cells(values, mapping)
        if not any(cells.values()):  # every cell is "" (a CellError is true)
            continue
        count += 1
        if count > limits.max_rows:  # the safety scan has refused this already; belt and braces
            raise UnsafeFile(
                gettext("数据超过%(limit)s行，请拆分成多个文件分批导入。")
                % {"limit": limits.max_rows}
            )
        yield RawRow(number=number, cells=cells)


def _cells(values: list[Any], mapping: list[tuple[int, Column]]) -> dict[str, str | CellError]:
    """The text of each mapped cell of a row without formula or error cells."""
    cells: dict[str, str | CellError] = {}
    width = len(values)
    for offset, column in mapping:
        value = values[offset] if offset < width else None
        if type(value) is str and not value.startswith("'"):
            cells[column.field] = value.strip()  # what cell_text gives for plain text, sooner
            continue
        try:
            cells[column.field] = cell_text(value, column.kind)
        except CellError as exc:
            cells[column.field] = exc
    return cells


def _marked_cells(
    values: list[Any],
    number: int,
    first_column: int,
    mapping: list[tuple[int, Column]],
    inspection: Inspection,
) -> dict[str, str | CellError]:
    """The text of each mapped cell of a row with a formula or an error cell, reported."""
    cells: dict[str, str | CellError] = {}
    for offset, column in mapping:
        position = (number - 1, first_column + offset)
        if position in inspection.formula_cells:
            cells[column.field] = CellError(FORMULA)
        elif position in inspection.error_cells:
            cells[column.field] = CellError(ERROR_VALUE)
        else:
            cells.update(_cells(values, [(offset, column)]))
    return cells
