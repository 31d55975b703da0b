"""The worksheet scan: its extent, formula and error cells, shared strings."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext

from fpa.core.excel.safety.common import (
    BOMB_LIE,
    MALFORMED,
    MB,
    TOO_MANY_CELLS,
    TOO_MANY_COLUMNS,
    TOO_MANY_FORMULAS,
    TOO_MANY_ROWS,
    Inspection,
    Limits,
    UnsafeFile,
)

# The worksheet scan. calamine places a cell by its `r` attribute (the last one when an element
# repeats it), or after the previous cell when there is none, and allocates the rectangle up to the
# farthest cell. A chunk written the canonical way (every cell element `<c r="B7" ...>` with only
# the usual attributes, no namespace prefix) is measured with C-speed regular expressions; any
# other chunk goes through the exact, slower path, which follows calamine's placement rules.
_C_TAG = re.compile(rb"<c[\s/>]")
_C_CANONICAL = re.compile(
    rb"<c r=\"([A-Z]{1,3})([0-9]{1,7})\"(?: (?:s|t|cm|vm|ph)=\"[^\"<>]*\")*/?>"
)
_PREFIXED = re.compile(rb":(?:c|row|f|dimension)[\s/>]")
_ROW_R = re.compile(rb"<row\s+r=\"([0-9]{1,7})\"")
_DIMENSION = re.compile(rb"<dimension\s[^>]*>")
_P = rb"(?:[A-Za-z_][\w.\-]*:)?"
_ATTRS = rb"((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>"  # a value may hold ">"
_ELEMENT = re.compile(rb"<" + _P + rb"(c|row|f|dimension)(?=[\s/>])" + _ATTRS)
_SHEET_DATA_END = re.compile(rb"</" + _P + rb"sheetData\s*>|<" + _P + rb"sheetData\s*/>")
_ANY_C_OR_ROW = re.compile(rb"<" + _P + rb"(?:c|row)[\s/>]")
_ATTR = re.compile(rb"([^\s=/>]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CELL_REF = re.compile(r"^([A-Z]{1,3})([0-9]{1,7})$")
MAX_TAIL = 4 * MB
MAX_EXCEL_ROW = 1_048_576
MAX_EXCEL_COLUMN = 16_384
MAX_MARKED_CELLS = 100_000  # formula or error cells located; more is refused


def _attrs(raw: bytes) -> dict[str, str]:
    """Attributes by local name; a repeated one keeps its last value, as calamine does."""
    out = {}
    for match in _ATTR.finditer(raw):
        name = match.group(1).rsplit(b":", 1)[-1].decode("ascii", "replace")
        value = match.group(2) if match.group(2) is not None else match.group(3)
        out[name] = html.unescape(value.decode("utf-8", "replace"))
    return out


def column_index(letters: str | bytes) -> int:
    """A1-style column letters to a 1-based index (A -> 1, XFD -> 16384)."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str) -> tuple[int, int]:
    """'B12' -> (12, 2), 1-based; UnsafeFile for anything else."""
    match = _CELL_REF.match(ref.strip().upper())
    if not match:
        raise UnsafeFile(MALFORMED)
    return int(match.group(2)), column_index(match.group(1))


@dataclass
class _Cursor:
    row: int = 0  # 1-based, of the current <row>
    column: int = 0  # 1-based, of the last cell in it
    cell: tuple[int, int] | None = None  # 0-based, the last cell (formulas belong to it)
    after_data: bool = False  # past </sheetData>: an <xm:f> there is a validation list source


def _scan_sheet(chunks: Iterator[bytes], inspection: Inspection, limits: Limits) -> None:
    cursor = _Cursor()
    tail = b""
    for chunk in chunks:
        buffer = tail + chunk
        end = buffer.rfind(b">") + 1
        tail = buffer[end:]
        if len(tail) > MAX_TAIL:
            raise UnsafeFile(MALFORMED)
        buffer = buffer[:end]
        cells = None if _PREFIXED.search(buffer) else _C_CANONICAL.findall(buffer)
        if cells is None or len(cells) != len(_C_TAG.findall(buffer)):
            _scan_exact(buffer, inspection, limits, cursor)
        else:
            _scan_fast(buffer, cells, inspection, limits, cursor)
    if tail.strip():
        raise UnsafeFile(MALFORMED)
    # Measured to the end (nothing is allocated while scanning), so the message gives real sizes.
    _check_extent(inspection.sheet_name, inspection.max_row, inspection.max_column, limits)


def _scan_fast(
    buffer: bytes,
    cells: list[tuple[bytes, bytes]],
    inspection: Inspection,
    limits: Limits,
    cursor: _Cursor,
) -> None:
    for tag in _DIMENSION.findall(buffer):
        _check_dimension(tag, inspection, limits)
    if b"<f" in buffer or b't="e"' in buffer:
        _scan_exact(buffer, inspection, limits, cursor)
        return
    if cells:
        widest = max({letters for letters, _ in cells}, key=lambda c: (len(c), c))
        _grow(inspection, max(map(int, (n for _, n in cells))), column_index(widest))
        letters, number = cells[-1]
        cursor.row, cursor.column = int(number), column_index(letters)
        cursor.cell = (cursor.row - 1, cursor.column - 1)
    last_row = buffer.rfind(b"<row")
    if last_row > buffer.rfind(b"<c "):
        match = _ROW_R.match(buffer, last_row)
        if match is None:
            raise UnsafeFile(MALFORMED)
        cursor.row, cursor.column = int(match.group(1)), 0


def _scan_exact(buffer: bytes, inspection: Inspection, limits: Limits, cursor: _Cursor) -> None:
    seen = 0
    close = _SHEET_DATA_END.search(buffer)
    data_end = close.start() if close else len(buffer)
    for match in _ELEMENT.finditer(buffer):
        name = match.group(1)
        if name == b"f":
            if cursor.cell is not None and not cursor.after_data and match.start() < data_end:
                inspection.formula_cells.add(cursor.cell)
                if len(inspection.formula_cells) > MAX_MARKED_CELLS:
                    raise UnsafeFile(TOO_MANY_FORMULAS)
            continue
        if name == b"dimension":
            _check_dimension(match.group(0), inspection, limits)
            continue
        seen += 1
        attrs = _attrs(match.group(2))
        if name == b"row":
            if "r" in attrs:
                if not attrs["r"].strip().isdigit():
                    raise UnsafeFile(MALFORMED)
                cursor.row = int(attrs["r"])
            else:
                cursor.row += 1
            cursor.column = 0
            continue
        if "r" in attrs:
            cursor.row, cursor.column = parse_ref(attrs["r"])
        else:
            cursor.row, cursor.column = max(cursor.row, 1), cursor.column + 1
        cursor.cell = (cursor.row - 1, cursor.column - 1)
        _grow(inspection, cursor.row, cursor.column)
        if attrs.get("t") == "e":
            inspection.error_cells.add(cursor.cell)
            if len(inspection.error_cells) > MAX_MARKED_CELLS:
                raise UnsafeFile(TOO_MANY_FORMULAS)
    if seen != len(_ANY_C_OR_ROW.findall(buffer)):
        raise UnsafeFile(MALFORMED)  # an element the attribute grammar above could not read
    if close:
        cursor.after_data = True


def _check_dimension(tag: bytes, inspection: Inspection, limits: Limits) -> None:
    """The declared extent (`<dimension ref="A1:H300000"/>`), refused early when absurd."""
    last = _attrs(tag).get("ref", "").split(":")[-1]
    if last:
        _check_extent(inspection.sheet_name, *parse_ref(last), limits)


_SST = re.compile(rb"<" + _P + rb"sst[\s>]" + rb"[^>]*>")


def _check_shared_strings(chunks: Iterator[bytes], member: zipfile.ZipInfo, limits: Limits) -> None:
    """calamine reserves room for `uniqueCount` strings up front: it must fit the part's size."""
    head = b""
    checked = False
    for chunk in chunks:
        if checked:
            continue
        head += chunk
        match = _SST.search(head)
        if match is None:
            if len(head) > MB:
                raise UnsafeFile(MALFORMED)
            continue
        checked = True
        declared = _attrs(match.group(0)).get("uniqueCount", "0").strip() or "0"
        if not declared.isdigit():
            raise UnsafeFile(MALFORMED)
        if int(declared) > min(member.file_size // 5 + 16, limits.max_cells):
            raise UnsafeFile(BOMB_LIE)
    if not checked and member.file_size:
        raise UnsafeFile(MALFORMED)


def _grow(inspection: Inspection, row: int, column: int) -> None:
    if row > MAX_EXCEL_ROW or column > MAX_EXCEL_COLUMN:
        raise UnsafeFile(MALFORMED)
    inspection.max_row = max(inspection.max_row, row)
    inspection.max_column = max(inspection.max_column, column)


def _check_extent(sheet: str, rows: int, columns: int, limits: Limits) -> None:
    if rows > MAX_EXCEL_ROW or columns > MAX_EXCEL_COLUMN:
        raise UnsafeFile(MALFORMED)
    if rows > limits.max_rows + 1:
        raise UnsafeFile(
            gettext(TOO_MANY_ROWS) % {"sheet": sheet, "rows": rows, "limit": limits.max_rows}
        )
    if columns > limits.max_columns:
        raise UnsafeFile(
            gettext(TOO_MANY_COLUMNS)
            % {"sheet": sheet, "columns": columns, "limit": limits.max_columns}
        )
    if rows * columns > limits.max_cells:
        raise UnsafeFile(
            gettext(TOO_MANY_CELLS) % {"sheet": sheet, "rows": rows, "columns": columns}
        )
