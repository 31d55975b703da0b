"""Refuse a dangerous upload before any spreadsheet parser sees it, and defuse what we write.

An upload is checked in this order, each refusal with its own message for the user:

1. size (empty, over the limit);
2. magic bytes, not the extension: an OLE2/CFB container (D0 CF 11 E0) is a legacy .xls or an
   encrypted .xlsx; anything not starting with a ZIP local header is not an .xlsx (a CSV renamed);
3. the ZIP central directory (no member is extracted): readable at all (a truncated file is not),
   number of members, encrypted members, macros (vbaProject.bin, ActiveX, Excel 4 macro sheets),
   external links, the sum of declared sizes and each member's compression ratio (zip bombs);
4. the package parts: [Content_Types].xml (a macro-enabled or binary workbook), the workbook's sheet
   list, each read whole only after the sizes above passed and never with a DOCTYPE;
5. every member is then streamed once through zlib, output counted against its declared size and
   CRC (a member that lies about its size is a bomb that zipfile would silently truncate but the
   Rust reader behind python-calamine would inflate in full), and the worksheet to be read is
   scanned for its declared dimension, its real extent, formula cells and error cells.

Step 5 exists because calamine allocates the whole rectangle from the first to the last cell of a
sheet before iterating: a sheet holding only A1 and XFD1048576 makes it request half a terabyte and
abort the process. Nothing is stored: the scan keeps counters and the positions of formula cells.
"""

from __future__ import annotations

import html
import io
import math
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import IO, Any
from xml.etree import ElementTree

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


# --- step 1: size ---------------------------------------------------------------------------


def read_upload(upload: IO[bytes] | bytes, limits: Limits | None = None) -> bytes:
    """The bytes of an upload, refusing an empty or oversized one without reading it all."""
    limits = limits or Limits.from_settings()
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        declared = getattr(upload, "size", None)
        if declared is not None and declared > limits.max_bytes:
            raise UnsafeFile(
                gettext(TOO_LARGE)
                % {"size": human_size(declared), "limit": human_size(limits.max_bytes)}
            )
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(limits.max_bytes + 1)
    if not data:
        raise UnsafeFile(EMPTY)
    if len(data) > limits.max_bytes:
        size = human_size(max(len(data), getattr(upload, "size", 0) or 0))
        raise UnsafeFile(gettext(TOO_LARGE) % {"size": size, "limit": human_size(limits.max_bytes)})
    return data


# --- the whole check ------------------------------------------------------------------------


def inspect(data: bytes, *, sheet_name: str = "", limits: Limits | None = None) -> Inspection:
    """Run every check on the bytes of an upload; raises UnsafeFile with the user's message.

    `sheet_name` is the sheet the caller wants; without it (or when the workbook has no sheet of
    that name) the first worksheet is read and scanned.
    """
    limits = limits or Limits.from_settings()
    data = read_upload(data, limits)
    if data.startswith(OLE2_MAGIC[:4]):
        raise UnsafeFile(OLE2)
    if not data.startswith(ZIP_MAGIC):
        raise UnsafeFile(NOT_XLSX)
    stream = io.BytesIO(data)
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise UnsafeFile(CORRUPT) from exc
    with archive:
        _check_directory(members, limits)
        names = {m.filename for m in members}
        if len(names) != len(members):
            raise UnsafeFile(MALFORMED)  # two members of one name: which one would be read?
        if "xl/workbook.bin" in names:
            raise UnsafeFile(XLSB)
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise UnsafeFile(NOT_XLSX)
        by_name = {m.filename: m for m in members}
        _check_content_types(_read_part(archive, by_name["[Content_Types].xml"], limits))
        sheets = _workbook_sheets(archive, by_name, limits)
        if not sheets:
            raise UnsafeFile(NO_SHEET)
        chosen = next((s for s in sheets if s[0] == sheet_name), sheets[0])
        inspection = Inspection(sheet_name=chosen[0], sheet_names=[s[0] for s in sheets])
        for member in members:
            chunks = _inflate(stream, member)
            if member.filename == chosen[1]:
                _scan_sheet(chunks, inspection, limits)
            elif member.filename.lower().endswith("sharedstrings.xml"):
                _check_shared_strings(chunks, member, limits)
            else:
                for _ in chunks:
                    pass
    return inspection


# --- step 3: the central directory ------------------------------------------------------------


MACRO_PARTS = re.compile(
    r"(^|/)vbaProject\.bin$|(^|/)vbaProjectSignature|^xl/activeX/|^xl/macrosheets/|"
    r"^xl/dialogsheets/",
    re.IGNORECASE,
)


# Links to other workbooks, and external data connections (ODBC, web queries) refreshed on open.
EXTERNAL_PARTS = re.compile(r"^xl/(externalLinks/|connections\.xml$|queryTables/)", re.IGNORECASE)


def _check_directory(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise UnsafeFile(gettext(TOO_MANY_MEMBERS) % {"count": len(members)})
    if any(m.flag_bits & 0x1 for m in members):
        raise UnsafeFile(ENCRYPTED)
    if any(MACRO_PARTS.search(m.filename) for m in members):
        raise UnsafeFile(MACROS)
    if any(EXTERNAL_PARTS.search(m.filename) for m in members):
        raise UnsafeFile(EXTERNAL_LINKS)
    if any(m.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for m in members):
        raise UnsafeFile(MALFORMED)
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed:
        raise UnsafeFile(gettext(BOMB_TOTAL) % {"limit": human_size(limits.max_uncompressed)})
    for m in members:
        if m.file_size >= limits.ratio_floor and m.file_size > limits.max_ratio * max(
            m.compress_size, 1
        ):
            raise UnsafeFile(gettext(BOMB_RATIO) % {"ratio": limits.max_ratio})


# --- step 4: the package parts ----------------------------------------------------------------

WORKBOOK_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
)


def _read_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits) -> bytes:
    if member.file_size > limits.max_part:
        raise UnsafeFile(MALFORMED)
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as exc:
        raise UnsafeFile(CORRUPT) from exc
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise UnsafeFile(MALFORMED)  # no OOXML part has a DTD; entity tricks are refused
    return data


def _parse_xml(data: bytes) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(data)  # noqa: S314 - DTDs refused in _read_part
    except ElementTree.ParseError as exc:
        raise UnsafeFile(MALFORMED) from exc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _check_content_types(data: bytes) -> None:
    types = [
        (el.get("ContentType") or "").lower()
        for el in _parse_xml(data).iter()
        if _local(el.tag) in {"Default", "Override"}
    ]
    if any("macroenabled" in t or "vbaproject" in t for t in types):
        raise UnsafeFile(MACROS)
    if any("spreadsheetml.sheet.binary" in t or "ms-excel.sheet.binary" in t for t in types):
        raise UnsafeFile(XLSB)
    if not any(t in WORKBOOK_TYPES for t in types):
        raise UnsafeFile(NOT_XLSX)


def _workbook_sheets(
    archive: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo], limits: Limits
) -> list[tuple[str, str]]:
    """(sheet name, worksheet part) in workbook order; chart and dialog sheets left out."""
    workbook = _parse_xml(_read_part(archive, by_name["xl/workbook.xml"], limits))
    rels_member = by_name.get("xl/_rels/workbook.xml.rels")
    if rels_member is None:
        raise UnsafeFile(MALFORMED)
    targets: dict[str, str] = {}
    for rel in _parse_xml(_read_part(archive, rels_member, limits)).iter():
        if _local(rel.tag) != "Relationship" or not (rel.get("Type") or "").endswith("/worksheet"):
            continue
        if (rel.get("TargetMode") or "").lower() == "external":
            raise UnsafeFile(EXTERNAL_LINKS)
        # calamine's rule, so that the part scanned here is the part it reads.
        target = rel.get("Target") or ""
        if target.startswith("/xl/"):
            path = target[1:]
        elif target.startswith("xl/"):
            path = target
        else:
            path = "xl/" + target
        targets[rel.get("Id") or ""] = path
    sheets = []
    for sheet in workbook.iter():
        if _local(sheet.tag) != "sheet":
            continue
        rel_id = next((v for k, v in sheet.attrib.items() if _local(k) == "id"), "")
        part = targets.get(rel_id)
        if part is None:
            continue
        if part not in by_name:
            raise UnsafeFile(MALFORMED)
        sheets.append((sheet.get("name") or "", part))
    if len({name for name, _ in sheets}) != len(sheets):
        raise UnsafeFile(MALFORMED)
    return sheets


# --- step 5: inflate every member, scan the worksheet -------------------------------------------

CHUNK = 256 * 1024


def _inflate(stream: Any, member: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's content, inflated here so that its real size and CRC are checked."""
    stream.seek(member.header_offset)
    header = stream.read(30)
    if len(header) != 30 or header[:4] != ZIP_MAGIC:
        raise UnsafeFile(CORRUPT)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    stream.seek(member.header_offset + 30 + name_length + extra_length)
    remaining = member.compress_size
    produced = 0
    crc = 0
    inflater = zlib.decompressobj(-15) if member.compress_type == zipfile.ZIP_DEFLATED else None
    while remaining > 0:
        chunk = stream.read(min(CHUNK, remaining))
        if not chunk:
            raise UnsafeFile(CORRUPT)
        remaining -= len(chunk)
        pending = chunk
        while pending:
            if inflater is None:
                out, pending = pending, b""
            else:
                try:
                    out = inflater.decompress(pending, CHUNK)
                except zlib.error as exc:
                    raise UnsafeFile(CORRUPT) from exc
                pending = inflater.unconsumed_tail
            produced += len(out)
            if produced > member.file_size:
                raise UnsafeFile(BOMB_LIE)
            crc = zlib.crc32(out, crc)
            if out:
                yield out
            if inflater is not None and inflater.eof:
                break
    if inflater is not None:
        tail = inflater.flush()
        produced += len(tail)
        if produced > member.file_size:
            raise UnsafeFile(BOMB_LIE)
        crc = zlib.crc32(tail, crc)
        if tail:
            yield tail
    if produced != member.file_size or crc != member.CRC:
        raise UnsafeFile(CORRUPT)


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


# --- formula injection in what we write -----------------------------------------------------

# The ASCII triggers, and their full-width forms, which some spreadsheet programs normalise.
FORMULA_TRIGGERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
CONTROL_TRIGGERS = frozenset("\t\r\n")


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in {"Cf", "Cc", "Zs", "Zl", "Zp"}


def is_dangerous(text: str) -> bool:
    """Would a spreadsheet program treat this cell text as a formula (or a DDE payload)?"""
    if not text:
        return False
    if text[0] in CONTROL_TRIGGERS:
        return True
    visible = next((ch for ch in text if not _invisible(ch)), "")
    return visible in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """Prefix a single quote to any text that could be taken for a formula (OWASP CSV injection)."""
    return "'" + text if is_dangerous(text) else text


def unneutralise(text: str) -> str:
    """Undo `neutralise` on text read back, so that an exported file re-imports unchanged."""
    if text.startswith("'") and is_dangerous(text[1:]):
        return text[1:]
    return text
