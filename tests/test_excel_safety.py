"""Uploads refused before any spreadsheet parser sees them, each with its exact message.

The malicious files are crafted here with zipfile: a zip bomb (by total, by ratio, by lying about
its size), macros, an OLE2 (encrypted or .xls) file, a CSV renamed .xlsx, an empty and a truncated
file, external links, absurd declared and real extents (the sparse sheet that makes calamine ask
for half a terabyte), a shared-string table that pre-announces billions of entries.
"""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fpa.core.excel import safety
from fpa.core.excel.safety import Limits, UnsafeFile, inspect, read_upload
from tests.test_excel_engine import HEADER, Formula, MemoryImporter, xlsx

MB = 1024 * 1024

EMPTY = "文件是空的（0字节），请选择填写好的Excel文件（.xlsx）后重新上传。"
OLE2 = (
    "该文件是旧版Excel（.xls）文件或设置了打开密码的加密文件，无法导入。"
    "请取消密码，并在Excel中“另存为”Excel工作簿（*.xlsx）后重新上传。"
)
NOT_XLSX = (
    "该文件不是Excel工作簿（.xlsx）格式（只改扩展名无效）。"
    "请在Excel或WPS中“另存为”Excel工作簿（*.xlsx）后重新上传。"
)
CORRUPT = "文件已损坏或不完整（可能没有上传完整），无法打开。请在Excel中重新保存后再上传。"
MACROS = (
    "文件中含有宏（VBA代码或控件），为安全起见不予导入。"
    "请“另存为”不含宏的Excel工作簿（*.xlsx）后重新上传。"
)
EXTERNAL = (
    "文件中含有指向其他文件的外部链接，为安全起见不予导入。"
    "请在Excel中选择“数据→编辑链接→断开链接”，保存后重新上传。"
)
BOMB_TOTAL = "文件解压后的内容超过100 MB，疑似异常文件，不予导入。请检查文件内容或拆分后分批上传。"
BOMB_RATIO = "文件中的内容压缩比异常（超过100:1），疑似恶意构造的文件，不予导入。"
BOMB_LIE = "文件中的内容与其声明的大小不符，疑似恶意构造的文件，不予导入。"
MALFORMED = "文件内部格式异常，无法读取。请在Excel中另存为新文件后重新上传。"
ENCRYPTED = "文件已加密，无法导入。请取消密码保护后重新上传。"
XLSB = "该文件是Excel二进制工作簿（.xlsb），请“另存为”Excel工作簿（*.xlsx）后重新上传。"


def refused(data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(UnsafeFile) as caught:
        inspect(data, limits=limits or Limits())
    return caught.value.message


def parts_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(
    parts: dict[str, bytes],
    *,
    compression: int = zipfile.ZIP_DEFLATED,
    extra: list[tuple[str, bytes]] | None = None,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
        for name, body in extra or []:
            archive.writestr(name, body)
    return out.getvalue()


def good() -> bytes:
    return xlsx([HEADER[:2], ["P1", "张三"]])


def with_sheet(sheet_xml: bytes) -> bytes:
    parts = parts_of(good())
    parts["xl/worksheets/sheet1.xml"] = sheet_xml
    return rezip(parts)


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def sheet(body: bytes, dimension: bytes = b"") -> bytes:
    return SHEET_HEAD + dimension + b"<sheetData>" + body + b"</sheetData></worksheet>"


def inline(ref: bytes, text: bytes = b"x", attrs: bytes = b"") -> bytes:
    return b'<c r="' + ref + b'"' + attrs + b' t="inlineStr"><is><t>' + text + b"</t></is></c>"


# --- size and magic bytes ---------------------------------------------------------------------


def test_a_good_workbook_passes():
    result = inspect(good())
    assert result.sheet_name == "人员"
    assert (result.max_row, result.max_column) == (2, 2)
    assert result.formula_cells == set()


def test_empty_file():
    assert refused(b"") == EMPTY
    with pytest.raises(UnsafeFile) as caught:
        read_upload(SimpleUploadedFile("空.xlsx", b""))
    assert caught.value.message == EMPTY


def test_too_large_is_refused_without_reading_it():
    class Huge(SimpleUploadedFile):
        def read(self, *args, **kwargs):
            raise AssertionError("an oversized upload must not be read")

    upload = Huge("大.xlsx", b"PK\x03\x04")
    upload.size = 25 * MB + 1
    with pytest.raises(UnsafeFile) as caught:
        read_upload(upload)
    assert caught.value.message == (
        "文件大小为25.1 MB，超过了10 MB的上限，请删除无关内容或拆分成多个文件后分批上传。"
    )
    assert refused(b"PK\x03\x04" + b"\0" * 2048, Limits(max_bytes=1024)) == (
        "文件大小为3 KB，超过了1 KB的上限，请删除无关内容或拆分成多个文件后分批上传。"
    )


def test_the_size_limit_is_configurable(settings):
    settings.FPA_EXCEL_LIMITS = {"max_bytes": 2 * MB}
    assert Limits.from_settings().max_bytes == 2 * MB
    assert Limits.from_settings(max_bytes=3).max_bytes == 3
    assert Limits().max_bytes == 10 * MB


def test_ole2_file_is_refused_as_xls_or_encrypted():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096
    assert refused(ole2) == OLE2


@pytest.mark.parametrize(
    "data",
    [
        "协会编码,姓名,身份证号码\n622923100,张三,622923198001010026\n".encode(),
        "\ufeff协会编码,姓名\n".encode(),
        b"<html><body>not a workbook</body></html>",
        b"%PDF-1.7\n",
        b"PK\x05\x06" + b"\0" * 18,  # an empty zip
    ],
)
def test_anything_but_a_zip_is_not_an_xlsx_whatever_its_name(data):
    assert refused(data) == NOT_XLSX


def test_a_zip_that_is_not_a_workbook():
    assert refused(rezip({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"})) == (
        NOT_XLSX
    )
    parts = parts_of(good())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"wordprocessingml.document.main+xml"
    )
    assert refused(rezip(parts)) == NOT_XLSX


def test_truncated_file():
    data = good()
    assert refused(data[: len(data) // 2]) == CORRUPT
    assert refused(data[:-30]) == CORRUPT


def test_a_corrupted_member_is_caught_by_its_crc():
    data = bytearray(rezip(parts_of(good()), compression=zipfile.ZIP_STORED))
    position = data.find(b"<sheetData>")
    data[position + 1 : position + 6] = b"XXXXX"
    assert refused(bytes(data)) == CORRUPT


# --- zip bombs ----------------------------------------------------------------------------------


def test_zip_bomb_by_total_size():
    bomb = rezip(parts_of(good()), extra=[("xl/media/padding.bin", b"\0" * (101 * MB))])
    assert len(bomb) < 10 * MB
    assert refused(bomb) == BOMB_TOTAL


def test_zip_bomb_by_ratio():
    bomb = rezip(parts_of(good()), extra=[("xl/media/zeros.bin", b"\0" * (5 * MB))])
    assert refused(bomb) == BOMB_RATIO


def test_a_member_that_lies_about_its_size():
    """Python's zipfile stops at the declared size; the Rust reader would inflate it all."""
    bomb = bytearray(rezip(parts_of(good()), extra=[("xl/media/small.bin", b"\0" * (2 * MB))]))
    entry = bomb.find(b"PK\x01\x02")
    while entry != -1:
        name_length = struct.unpack("<H", bomb[entry + 28 : entry + 30])[0]
        name = bytes(bomb[entry + 46 : entry + 46 + name_length])
        if name == b"xl/media/small.bin":
            bomb[entry + 24 : entry + 28] = struct.pack("<I", 1000)  # declared: 1000 bytes
            break
        entry = bomb.find(b"PK\x01\x02", entry + 4)
    assert entry != -1
    with zipfile.ZipFile(io.BytesIO(bytes(bomb))) as archive:
        assert archive.getinfo("xl/media/small.bin").file_size == 1000
    assert refused(bytes(bomb)) == BOMB_LIE


def test_too_many_members():
    parts = parts_of(good())
    assert len(parts) == 10
    extra = [(f"xl/media/image{n}.png", b"x") for n in range(600)]
    assert refused(rezip(parts, extra=extra)) == (
        "文件内部结构异常（包含610个部件），不予导入。请在Excel中另存为新文件后重新上传。"
    )


def test_duplicate_member_names():
    parts = parts_of(good())
    evil = sheet(inline(b"A1") + inline(b"XFD1048576"))
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = rezip(parts, extra=[("xl/worksheets/sheet1.xml", evil)])
    assert refused(data) == MALFORMED


def test_encrypted_zip_member():
    data = bytearray(good())
    entry = data.find(b"PK\x01\x02")
    flags = struct.unpack("<H", data[entry + 8 : entry + 10])[0]
    data[entry + 8 : entry + 10] = struct.pack("<H", flags | 0x1)
    assert refused(bytes(data)) == ENCRYPTED


# --- macros, links, other workbook kinds -------------------------------------------------------


def test_vba_project_is_refused():
    data = rezip(parts_of(good()), extra=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 macro")])
    assert refused(data) == MACROS


def test_macro_enabled_content_type_is_refused():
    parts = parts_of(good())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert refused(rezip(parts)) == MACROS


def test_activex_and_excel4_macro_sheets_are_refused():
    for name in ("xl/activeX/activeX1.xml", "xl/macrosheets/sheet1.xml"):
        assert refused(rezip(parts_of(good()), extra=[(name, b"<x/>")])) == MACROS


@pytest.mark.parametrize(
    "part", ["xl/externalLinks/externalLink1.xml", "xl/connections.xml", "xl/queryTables/q1.xml"]
)
def test_external_links_and_data_connections_are_refused(part):
    assert refused(rezip(parts_of(good()), extra=[(part, b"<x/>")])) == EXTERNAL


def test_a_worksheet_outside_the_package_is_refused():
    parts = parts_of(good())
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(
        b'Target="worksheets/sheet1.xml"',
        b'Target="file:///etc/passwd" TargetMode="External"',
    )
    assert refused(rezip(parts)) == EXTERNAL


def test_binary_workbook_is_refused():
    assert refused(rezip({**parts_of(good()), "xl/workbook.bin": b"\0"})) == XLSB


def test_a_dtd_is_refused():
    parts = parts_of(good())
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', 1
    )
    assert refused(rezip(parts)) == MALFORMED


# --- extents: what calamine would allocate ------------------------------------------------------


def test_huge_declared_dimension():
    data = with_sheet(sheet(inline(b"A1"), dimension=b'<dimension ref="A1:H1048576"/>'))
    assert refused(data) == (
        "工作表「人员」的数据区域有1048576行，超过了单次导入200000行的上限。"
        "请删除表格下方多余的空行，或拆分成多个文件分批导入。"
    )


def test_sparse_far_cell_is_refused_before_calamine_allocates_it():
    """calamine would allocate 1048576 x 16384 cells for this sheet and abort the process."""
    data = with_sheet(
        sheet(
            b'<row r="1">'
            + inline(b"A1")
            + b'</row><row r="1048576">'
            + inline(b"XFD1048576")
            + b"</row>"
        )
    )
    assert refused(data) == (
        "工作表「人员」的数据区域有1048576行，超过了单次导入200000行的上限。"
        "请删除表格下方多余的空行，或拆分成多个文件分批导入。"
    )
    wide = with_sheet(sheet(b'<row r="1">' + inline(b"A1") + inline(b"XFD1") + b"</row>"))
    assert refused(wide) == "工作表「人员」的数据区域有16384列，超过了200列的上限，请删除多余的列。"
    area = with_sheet(
        sheet(
            b'<row r="1">'
            + inline(b"A1")
            + inline(b"GR1")
            + b"</row>"
            + b'<row r="100000">'
            + inline(b"A100000")
            + b"</row>"
        )
    )
    assert refused(area) == (
        "工作表「人员」的数据区域过大（100000行、200列），请删除多余的行和列，"
        "或拆分成多个文件分批导入。"
    )


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="A2" r="ZZ9000" t="inlineStr"><is><t>x</t></is></c>',  # calamine takes the last r
        b"<c r = 'ZZ9000' t=\"inlineStr\"><is><t>x</t></is></c>",
        b'<c t="inlineStr" r="ZZ9000"><is><t>x</t></is></c>',
        b'<c r="zz9000" t="inlineStr"><is><t>x</t></is></c>',
        b'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="ZZ9000" '
        b't="inlineStr"><is><t>x</t></is></x:c>',
        b'<c r="A2" s="1>" r="ZZ9000" t="inlineStr"><is><t>x</t></is></c>',
    ],
)
def test_cell_references_written_unusually_are_still_measured(cell):
    data = with_sheet(
        sheet(b'<row r="1">' + inline(b"A1") + b'</row><row r="2">' + cell + b"</row>")
    )
    assert refused(data) == "工作表「人员」的数据区域有702列，超过了200列的上限，请删除多余的列。"


def test_cells_without_a_reference_follow_the_previous_one():
    cells = b"".join(b'<c t="inlineStr"><is><t>x</t></is></c>' for _ in range(250))
    data = with_sheet(sheet(b'<row r="1">' + inline(b"A1") + b"</row><row>" + cells + b"</row>"))
    assert refused(data) == "工作表「人员」的数据区域有250列，超过了200列的上限，请删除多余的列。"


def test_shared_strings_that_announce_billions():
    parts = parts_of(good())
    name = "xl/sharedStrings.xml"
    assert name in parts
    parts[name] = parts[name].replace(b'uniqueCount="', b'uniqueCount="4000000000" x="', 1)
    assert b'uniqueCount="4000000000"' in parts[name]
    assert refused(rezip(parts)) == BOMB_LIE


def test_formula_and_error_cells_are_located():
    data = xlsx([HEADER[:2], ["P1", Formula("=A2&1", "P11")], [Formula("=1/0", "#DIV/0!")]])
    result = inspect(data)
    assert result.formula_cells == {(1, 1), (2, 0)}
    assert result.error_cells == {(2, 0)}


def test_formulas_after_the_sheet_data_are_not_cells():
    """Excel keeps list-validation sources (`<xm:f>`) in extLst, after the cells."""
    ext = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
        b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
        b'<x14:dataValidations count="1" '
        b'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        b'<x14:dataValidation type="list"><x14:formula1><xm:f>Lists!$A$1:$A$9</xm:f>'
        b"</x14:formula1><xm:sqref>B2:B100</xm:sqref></x14:dataValidation>"
        b"</x14:dataValidations></ext></extLst>"
    )
    body = b'<row r="1">' + inline(b"A1") + inline(b"B1") + b"</row>"
    data = with_sheet(sheet(body).replace(b"</worksheet>", ext + b"</worksheet>"))
    assert inspect(data).formula_cells == set()


def test_too_many_formulas(monkeypatch):
    monkeypatch.setattr(safety.sheet, "MAX_MARKED_CELLS", 3)  # where the scan reads it
    data = xlsx([[Formula(f"={n}+1", n + 1) for n in range(5)]])
    assert refused(data) == (
        "文件中的公式或错误值过多，无法逐一标出。请将数据“选择性粘贴为数值”后重新上传。"
    )


def test_a_refusal_reaches_the_import_report_as_its_only_issue():
    report = MemoryImporter({}).dry_run("编号,姓名\nP1,张三\n".encode())
    assert report.messages == [NOT_XLSX]
    assert not report.ok and report.rows == 0


def test_scan_speed_is_bounded(settings):
    """200,000 rows, inline strings: the scan must stay a small part of an import."""
    import time

    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    worksheet = workbook.add_worksheet("人员")
    for r in range(50_000):
        worksheet.write_string(r, 0, f"P{r}")
        worksheet.write_string(r, 1, "张三")
    workbook.close()
    started = time.perf_counter()
    result = inspect(buffer.getvalue())
    assert result.max_row == 50_000
    assert time.perf_counter() - started < 5


def test_human_size():
    assert safety.human_size(10 * MB) == "10 MB"
    assert safety.human_size(10 * MB + 1) == "10.1 MB"
    assert safety.human_size(1) == "1 KB"
