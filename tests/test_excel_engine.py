"""The shared Excel engine: cells to text, parsers, headers, the plan (problems, preview,
duplicates, idempotency), and what it writes (masking, formula injection, the template).

Workbooks are built in memory with XlsxWriter; the module under test never sees a file name.
The helpers here (`xlsx`, `Formula`, `read_back`) are used by the other Excel test modules too.
"""

# ruff: noqa: RUF001 - full-width input is the point of some tests
from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Hashable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import python_calamine
import xlsxwriter
from django.template.loader import render_to_string

from fpa.core import excel
from fpa.core.errors import NotAllowed
from fpa.core.excel.importer import comparable
from fpa.core.excel.reader import CellError, cell_text, column_letters
from fpa.core.excel.safety import Limits, inspect, is_dangerous, neutralise, unneutralise
from fpa.core.idnumbers import synthesize
from fpa.core.protected import Protected
from tests.conftest import content

# --- helpers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    formula: str
    cached: Any = 0


def xlsx(
    rows: list[list[Any]], *, sheet: str = "人员", extra_sheets: tuple[str, ...] = ()
) -> bytes:
    """A workbook with `rows` on its first sheet: str as text, numbers as numbers, dates as dates,
    `Formula` as formulas, None as empty."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    worksheet = workbook.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, Formula):
                worksheet.write_formula(r, c, value.formula, None, value.cached)
            elif isinstance(value, bool):
                worksheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                worksheet.write_number(r, c, value)
            elif isinstance(value, datetime.date):
                worksheet.write_datetime(r, c, value, date_format)
            else:
                worksheet.write_string(r, c, value)
    for name in extra_sheets:
        workbook.add_worksheet(name).write_string(0, 0, "说明")
    workbook.close()
    return buffer.getvalue()


def read_back(data: bytes, sheet: int | str = 0) -> list[list[Any]]:
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    worksheet = (
        workbook.get_sheet_by_index(sheet)
        if isinstance(sheet, int)
        else workbook.get_sheet_by_name(sheet)
    )
    return worksheet.to_python()


def fullwidth(value: str) -> str:
    """The full-width form that a Chinese input method types."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in value)


ID_A = synthesize("622923", datetime.date(1980, 1, 1), 11)
ID_B = synthesize("622923", datetime.date(1985, 6, 30), 22)


# --- a module declared on the engine, stored in memory ----------------------------------------


@dataclass
class Person:
    code: str
    name: str
    id_number: Protected | None = None
    phone: Protected | None = None
    kind: str = ""
    day: datetime.date | None = None
    count: int | None = None


PEOPLE = excel.Sheet(
    title="人员",
    columns=(
        excel.Column("编号", "code", required=True, parse=excel.code()),
        excel.Column("姓名", "name", required=True, parse=excel.text(max_length=10)),
        excel.Column(
            "身份证号码",
            "id_number",
            parse=excel.id_number(),
            protected="id_number",
            aliases=("身份证号",),
        ),
        excel.Column("电话", "phone", parse=excel.phone(), protected="phone"),
        excel.Column("类别", "kind", parse=excel.choice([("a", "甲类"), ("b", "乙类")])),
        excel.Column("日期", "day", parse=excel.date(), kind=excel.DATE),
        excel.Column("人数", "count", parse=excel.integer(minimum=0), kind=excel.NUMBER),
    ),
    key=("code",),
)
HEADER = ["编号", "姓名", "身份证号码", "电话", "类别", "日期", "人数"]


class MemoryImporter(excel.Importer):
    sheet = PEOPLE

    def __init__(self, store: dict[Hashable, Person], **kwargs: Any) -> None:
        super().__init__(actor=None, **kwargs)
        self.store = store
        self.calls: list[tuple[str, Any]] = []

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        return {row.key: self.store[row.key] for row in rows if row.key in self.store}

    def create(self, values: dict[str, Any]) -> Person:
        person = Person(**values)
        for name in ("id_number", "phone"):
            raw = getattr(person, name)
            setattr(person, name, Protected(raw, name) if raw else None)
        self.store[(person.code,)] = person
        self.calls.append(("create", person.code))
        return person

    def update(self, obj: Person, changes: dict[str, Any]) -> Person:
        for name, value in changes.items():
            if name in ("id_number", "phone") and value:
                value = Protected(value, name)
            setattr(obj, name, value)
        self.calls.append(("update", obj.code, sorted(changes)))
        return obj


def importer(store: dict | None = None, **kwargs: Any) -> MemoryImporter:
    return MemoryImporter({} if store is None else store, **kwargs)


def messages(report: excel.ImportReport) -> list[str]:
    return report.messages


# --- cells to text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (None, excel.TEXT, ""),
        ("  张三 ", excel.TEXT, "张三"),
        ("\u3000张三\u3000", excel.TEXT, "张三"),
        (13812345678.0, excel.TEXT, "13812345678"),
        (13812345678, excel.TEXT, "13812345678"),
        (1.5, excel.TEXT, "1.5"),
        (0.1, excel.TEXT, "0.1"),
        (-3.0, excel.NUMBER, "-3"),
        (999999999999999.0, excel.TEXT, "999999999999999"),
        (True, excel.TEXT, "是"),
        (False, excel.TEXT, "否"),
        (datetime.date(2024, 1, 5), excel.DATE, "2024-01-05"),
        (datetime.datetime(2024, 1, 5), excel.TEXT, "2024-01-05"),
        (datetime.datetime(2024, 1, 5, 8, 30), excel.TEXT, "2024-01-05 08:30:00"),
        (datetime.datetime(2024, 1, 5, 8, 30), excel.DATE, "2024-01-05"),
        ("'=1+2", excel.TEXT, "=1+2"),  # what our own export wrote
        ("'abc", excel.TEXT, "'abc"),  # a quote that protects nothing stays
    ],
)
def test_cell_text(value, kind, expected):
    assert cell_text(value, kind) == expected


@pytest.mark.parametrize("value", [6.2292319800101e17, 622923198001010000, 1e15, -1e16])
def test_numbers_of_more_than_15_digits_are_refused(value):
    with pytest.raises(CellError) as caught:
        cell_text(value)
    assert str(caught.value) == (
        "该单元格是数字格式，超过15位的数字已被Excel改动（末几位变成0）。"
        "请将此列设置为“文本”格式后重新填写完整号码。"
    )


def test_column_letters():
    assert [column_letters(i) for i in (0, 25, 26, 701, 702, 16383)] == [
        "A",
        "Z",
        "AA",
        "ZZ",
        "AAA",
        "XFD",
    ]


# --- parsers ----------------------------------------------------------------------------------


def test_id_number_parser_normalises_full_width_digits_and_a_lowercase_x():
    full_width = fullwidth(ID_A)
    assert excel.id_number()(full_width) == ID_A
    assert excel.id_number()(" ".join([ID_A[:6], ID_A[6:14], ID_A[14:]])) == ID_A
    x_number = next(
        synthesize("622923", datetime.date(1990, 1, 1), n)
        for n in range(1000)
        if synthesize("622923", datetime.date(1990, 1, 1), n).endswith("X")
    )
    assert excel.id_number()(x_number.lower()) == x_number
    wrong = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")
    assert refusal(excel.id_number(), wrong) == "身份证号码校验位不正确，请核对。"


def test_phone_parser():
    assert excel.phone()("+86 138 1234 5678") == "13812345678"
    assert excel.phone()(fullwidth("13812345678")) == "13812345678"
    assert excel.phone()("0930-1234567") == "0930-1234567"


@pytest.mark.parametrize(
    "text",
    ["2024-01-05", "2024/1/5", "2024.1.5", "2024年1月5日", "20240105", fullwidth("2024-01-05")],
)
def test_date_parser_accepts_what_people_type(text):
    assert excel.date()(text) == datetime.date(2024, 1, 5)


def refusal(parse: Any, text: str) -> str:
    with pytest.raises(ValueError) as caught:
        parse(text)
    return str(caught.value)


def test_date_parser_messages():
    assert refusal(excel.date(), "5/1/2024") == "日期格式不正确，请按“2024-01-31”的格式填写。"
    assert refusal(excel.date(), "2023-02-29") == "日期不存在：2023年2月29日。"
    assert refusal(excel.date(), "1850-01-01") == "日期应在1900-01-01至2100-12-31之间。"


def test_choice_parser_takes_label_or_code():
    parse = excel.choice([("a", "甲类"), ("b", "乙类")])
    assert parse("甲类") == "a"
    assert parse(" 乙类 ") == "b"
    assert parse("A") == "a"
    assert parse.display("b") == "乙类"
    assert refusal(parse, "丙类") == "无法识别“丙类”，可填写：甲类、乙类。"


def test_text_parser():
    parse = excel.text(max_length=3)
    # a zero-width space copied from a web page is refused, not silently dropped (fpa.core.text)
    assert (
        refusal(parse, "张\u200b三")
        == "不能包含零宽字符等看不见的字符（U+200B），请删除后重新填写。"
    )
    assert refusal(parse, "欧阳小明") == "不能超过3个字符（现为4个）。"
    assert refusal(parse, "张\n三") == "不能包含换行符或制表符，请写在一行内。"
    assert excel.text(name=True)("ＷＡＮＧ　　ｗｕ") == "WANG wu"


def test_sheet_declaration_is_checked():
    with pytest.raises(ValueError):
        excel.Sheet(title="a", columns=(excel.Column("甲", "a"),), key=("a",))  # key not required
    with pytest.raises(ValueError):
        excel.Sheet(
            title="a",
            columns=(excel.Column("甲", "a", required=True), excel.Column("甲", "b")),
            key=("a",),
        )
    with pytest.raises(ValueError):
        excel.Sheet(title="a/b", columns=(excel.Column("甲", "a", required=True),), key=("a",))


# --- headers ----------------------------------------------------------------------------------


def test_missing_required_column_and_unknown_column():
    data = xlsx([["编号", "电话号码"], ["P1", "13812345678"]])
    report = importer().dry_run(data)
    assert messages(report) == [
        "第1行：无法识别的列名「电话号码」，请使用模板中的列名，或删除该列。",
        "缺少必填列「姓名」，请使用系统提供的模板。",
    ]
    assert report.rows == 0


def test_wrong_headers_altogether():
    report = importer().dry_run(xlsx([["工作人员名单"], ["编号", "姓名"]]))
    assert messages(report) == [
        "第1行：没有找到列名。第一行应为：编号、姓名、身份证号码、电话、类别、日期、人数。"
        "请使用系统提供的模板。"
    ]


def test_duplicate_header():
    report = importer().dry_run(xlsx([["编号", "姓名", "姓名"], ["P1", "甲", "乙"]]))
    assert messages(report) == ["第1行：列名「姓名」出现了两次（第C列）。"]


def test_headers_tolerate_spaces_width_and_aliases():
    data = xlsx([["  编 号 ", "姓名*", "身份证号"], ["P1", "张三", ID_A]])
    report = importer().dry_run(data)
    assert report.ok, report.messages
    assert report.created == 1


def test_empty_sheet_and_header_only():
    assert messages(importer().dry_run(xlsx([]))) == ["工作表「人员」是空的，没有列名和数据。"]
    assert messages(importer().dry_run(xlsx([HEADER]))) == [
        "文件中没有数据：请在列名下方逐行填写后再上传。"
    ]


def test_data_may_start_lower_and_further_right():
    data = xlsx([[], [], [None, *HEADER], [None, "P1", "张三"]])
    report = importer().dry_run(data)
    assert report.ok, report.messages
    assert report.preview[0].number == 4


def test_the_named_sheet_is_read_even_when_not_first():
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer)
    workbook.add_worksheet("说明").write_string(0, 0, "请看第二页")
    people = workbook.add_worksheet("人员")
    for c, header in enumerate(HEADER[:2]):
        people.write_string(0, c, header)
    people.write_string(1, 0, "P1")
    people.write_string(1, 1, "张三")
    workbook.close()
    report = importer().dry_run(buffer.getvalue())
    assert report.ok, report.messages
    assert report.created == 1


# --- rows -------------------------------------------------------------------------------------


def test_every_problem_is_listed_by_row_and_header():
    bad_check = ID_A[:17] + ("0" if ID_A[17] != "0" else "1")
    data = xlsx(
        [
            HEADER,
            ["P1", "张三", ID_A, "13812345678", "甲类", datetime.date(2024, 1, 5), 3],
            ["P2", "", bad_check, "12345", "丙类", "2024-02-30", -1],
            ["P3", "李四", 622923198001010000, 13812345678, "乙类", "2024/3/1", 2.0],
            [None, None, None, None, None, None, None],
            ["P4", Formula('=A5&"x"', "P4x"), None, None, None, None, Formula("=1/0", "#DIV/0!")],
        ]
    )
    report = importer().dry_run(data)
    assert messages(report) == [
        "第3行「姓名」：此项必填，不能为空。",
        "第3行「身份证号码」：身份证号码校验位不正确，请核对。",
        "第3行「电话」：电话号码格式不正确：手机号为1开头的11位数字，座机为区号加7至8位号码。",
        "第3行「类别」：无法识别“丙类”，可填写：甲类、乙类。",
        "第3行「日期」：日期不存在：2024年2月30日。",
        "第3行「人数」：不能小于0。",
        "第4行「身份证号码」：该单元格是数字格式，超过15位的数字已被Excel改动（末几位变成0）。"
        "请将此列设置为“文本”格式后重新填写完整号码。",
        "第6行「姓名」：单元格中是公式，请改为直接填写内容（可复制后“选择性粘贴→数值”）。",
        "第6行「人数」：单元格中是公式，请改为直接填写内容（可复制后“选择性粘贴→数值”）。",
    ]
    assert report.issue_count == 9
    assert not report.ok


def test_error_values_without_formula_are_reported():
    data = xlsx([HEADER[:2], ["P1", "张三"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b'<c r="B2" t="s"><v>3</v></c>', b'<c r="B2" t="e"><v>#N/A</v></c>'
    )
    assert parts["xl/worksheets/sheet1.xml"] != sheet
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    report = importer().dry_run(out.getvalue())
    assert messages(report) == ["第2行「姓名」：单元格是错误值（如#N/A、#VALUE!），请更正。"]


def test_duplicate_rows_in_one_file():
    data = xlsx(
        [HEADER[:2], ["P1", "张三"], ["P2", "李四"], [fullwidth("p1"), "张三丰"], ["P2", "李四"]]
    )
    report = importer().dry_run(data)
    assert messages(report) == [
        "第4行：与第2行重复（编号相同），请删除重复的行。",
        "第5行：与第3行重复（编号相同），请删除重复的行。",
    ]


def test_preview_lists_creations_and_field_level_changes_masked():
    store = {
        ("P1",): Person(
            code="P1",
            name="张三",
            id_number=Protected(ID_A, "id_number"),
            phone=Protected("13812345678", "phone"),
            kind="a",
            day=datetime.date(2024, 1, 5),
            count=3,
        )
    }
    data = xlsx(
        [
            HEADER,
            ["P1", "张三", ID_A, "13912345678", "乙类", "2024-01-05", 3],
            ["P2", "李四", ID_B, "", "甲类", None, None],
        ]
    )
    job = importer(store)
    report = job.dry_run(data)
    assert report.ok, report.messages
    assert (report.rows, report.created, report.updated, report.unchanged) == (2, 1, 1, 0)
    update, create = report.preview
    assert (update.number, update.action, update.label) == (2, excel.UPDATE, "P1 · 张三")
    assert [(c.header, c.old, c.new) for c in update.changes] == [
        ("电话", "138****5678", "139****5678"),
        ("类别", "甲类", "乙类"),
    ]
    assert create.action == excel.CREATE
    assert create.values == [
        ("编号", "P2"),
        ("姓名", "李四"),
        ("身份证号码", ID_B[:6] + "********" + ID_B[-4:]),
        ("电话", ""),
        ("类别", "甲类"),
        ("日期", ""),
        ("人数", ""),
    ]
    assert job.calls == []  # a dry run writes nothing
    assert store["P1",].phone == Protected("13812345678", "phone")

    # The preview as a table: one column per field, the changed cells of an update marked with
    # their old value, the fields it leaves alone empty; and the same after a job's JSON round trip.
    for shown in (report, excel.report_from_json(excel.report_to_json(report))):
        headers, rows = shown.preview_table
        assert headers == ["编号", "姓名", "身份证号码", "电话", "类别", "日期", "人数"]
        update_cells = {h: c for h, c in zip(headers, rows[0].cells, strict=True)}
        assert update_cells["电话"] == excel.PreviewCell("139****5678", "138****5678", True)
        assert update_cells["类别"] == excel.PreviewCell("乙类", "甲类", True)
        assert update_cells["姓名"] == excel.PreviewCell()  # unchanged: left empty
        assert [c.value for c in rows[1].cells] == [v for _h, v in create.values]
        assert not any(c.changed for c in rows[1].cells)
    html = render_to_string("includes/import_report.html", {"report": report})
    assert html.count("<th>") == 3 + 7  # 行号, 操作, 记录 and one per field
    assert (
        '<td class="table-warning"><del class="text-muted">138****5678</del> → <ins>139****5678</ins></td>'
        in html
    )
    assert ID_A not in html and ID_B not in html


@pytest.mark.django_db
def test_commit_writes_and_a_second_upload_changes_nothing():
    store: dict = {}
    data = xlsx(
        [
            HEADER,
            ["P1", "张三", ID_A, "13812345678", "甲类", "2024-01-05", 3],
            ["P2", "李四", ID_B, None, "乙类", None, 0],
        ]
    )
    first = importer(store).commit(data)
    assert first.committed and first.ok
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    again = importer(store)
    second = again.commit(data)
    assert second.committed and second.ok
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert again.calls == []
    assert second.preview == []
    # The same rows in another order, with the values typed differently: still unchanged.
    retyped = xlsx(
        [
            ["姓名", "编号", "人数", "电话", "身份证号码", "类别", "日期"],
            ["李四", "p2", "0", "", ID_B, "b", None],
            [
                "张三",
                fullwidth("P1"),
                3.0,
                "+86 138-1234-5678",
                ID_A.lower(),
                "甲类",
                "2024年1月5日",
            ],
        ]
    )
    third = importer(store).dry_run(retyped)
    assert (third.created, third.updated, third.unchanged) == (0, 0, 2), third.messages


@pytest.mark.django_db
def test_commit_after_a_failed_dry_run_writes_nothing():
    job = importer()
    report = job.commit(xlsx([HEADER[:2], ["P1", "张三"], ["P2", ""]]))
    assert not report.committed
    assert report.messages == ["第3行「姓名」：此项必填，不能为空。"]
    assert job.calls == []


def test_masked_values_keep_what_is_stored_and_cannot_create():
    store = {
        ("P1",): Person(code="P1", name="张三", phone=Protected("13812345678", "phone")),
    }
    data = xlsx(
        [
            HEADER[:4],
            ["P1", "张三", None, "138****5678"],
            ["P2", "李四", ID_B[:6] + "********" + ID_B[-4:], None],
        ]
    )
    report = importer(store).dry_run(data)
    assert report.messages == [
        "第3行「身份证号码」：该号码已打码（含*号），新增记录须填写完整号码。"
    ]
    report = importer(store).dry_run(xlsx([HEADER[:4], ["P1", "张三", None, "138****5678"]]))
    assert (report.updated, report.unchanged) == (0, 1)


def test_a_masked_key_cannot_match():
    sheet = excel.Sheet(
        title="人员",
        columns=(
            excel.Column(
                "身份证号码", "id_number", required=True, parse=excel.id_number(), protected="x"
            ),
        ),
        key=("id_number",),
    )

    class ByIdNumber(MemoryImporter):
        pass

    ByIdNumber.sheet = sheet
    report = ByIdNumber({}).dry_run(xlsx([["身份证号码"], ["622923********0026"]]))
    assert report.messages == [
        "第2行「身份证号码」：该号码已打码（含*号），无法用来匹配已有记录，请填写完整号码。"
    ]


def test_issue_list_is_capped_but_counted():
    rows = [HEADER[:2]] + [[f"P{n}", ""] for n in range(30)]

    class Capped(MemoryImporter):
        issue_limit = 10

    report = Capped({}).dry_run(xlsx(rows))
    assert report.issue_count == 30
    assert len(report.issues) == 10


def test_row_limit_is_configurable():
    rows = [HEADER[:2]] + [[f"P{n}", "甲"] for n in range(5)]
    report = importer(limits=Limits(max_rows=4)).dry_run(xlsx(rows))
    assert report.messages == [
        "工作表「人员」的数据区域有6行，超过了单次导入4行的上限。"
        "请删除表格下方多余的空行，或拆分成多个文件分批导入。"
    ]


def test_capability_is_checked_before_reading():
    class NeedsCapability(MemoryImporter):
        capability = "staff.edit"

    with pytest.raises(NotAllowed):
        NeedsCapability({}).dry_run(b"not even read")


def test_comparable():
    assert comparable("") is None
    assert comparable(None) is None
    assert comparable(Protected("13812345678", "phone")) == "13812345678"
    assert comparable(Decimal("1.50")) == comparable(Decimal("1.5"))


# --- writing ----------------------------------------------------------------------------------

DANGEROUS = [
    "=1+2",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "\tplain after a tab",
    '  =HYPERLINK("http://example.invalid","点我")',
    "\ufeff=1",
    "\u200b=cmd|' /C calc'!A0",
    "\u00a0+1",
    "\uff1d1",
]
SAFE = ["张三", "1+1", "a=b", "13812345678", "0930-1234567", "'quoted", ""]


@pytest.mark.parametrize("text", DANGEROUS)
def test_dangerous_text_is_neutralised(text):
    assert is_dangerous(text)
    assert neutralise(text) == "'" + text
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize("text", SAFE)
def test_safe_text_is_left_alone(text):
    assert not is_dangerous(text)
    assert neutralise(text) == text
    assert unneutralise(text) == text


def written(objects: list[Any], *, reveal: bool = False, sheet: excel.Sheet = PEOPLE) -> bytes:
    buffer = io.BytesIO()
    excel.write_workbook(buffer, sheet, objects, reveal=reveal)
    return buffer.getvalue()


def test_formula_injection_is_neutralised_and_round_trips():
    people = [Person(code=f"P{n}", name=text, kind="a") for n, text in enumerate(DANGEROUS + SAFE)]
    data = written(people)
    rows = read_back(data)
    assert rows[0] == HEADER
    names = [row[1] for row in rows[1:]]
    for text, cell in zip(DANGEROUS, names, strict=False):
        assert cell == "'" + text, (text, cell)
        assert cell.startswith("'")
    assert names[len(DANGEROUS) :] == SAFE
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            assert b"<f>" not in archive.read(name), name
    assert inspect(data).formula_cells == set()
    # Read back through the engine, the quote is removed again: an export re-imports unchanged.
    table = excel.read_table(data, PEOPLE, inspect(data), Limits())
    assert [row.cells["name"] for row in table.rows][: len(DANGEROUS)] == [
        text.strip() for text in DANGEROUS
    ]


def test_export_masks_protected_values_unless_revealed():
    person = Person(
        code="P1",
        name="张三",
        id_number=Protected(ID_A, "id_number"),
        phone=Protected("13812345678", "phone"),
        kind="b",
        day=datetime.date(2024, 1, 5),
        count=7,
    )
    masked = read_back(written([person]))
    assert masked[1] == [
        "P1",
        "张三",
        ID_A[:6] + "********" + ID_A[-4:],
        "138****5678",
        "乙类",
        datetime.date(2024, 1, 5),
        7.0,
    ]
    full = read_back(written([person], reveal=True))
    assert full[1][2:4] == [ID_A, "13812345678"]


def test_template_has_headers_formats_and_instructions():
    data = written([])
    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert workbook.sheet_names == ["人员", "填写说明"]
    assert read_back(data) == [HEADER]
    notes = read_back(data, "填写说明")
    assert notes[0][0] == "填写说明"
    listed = {row[0]: row for row in notes if row and row[0] in HEADER}
    assert listed["编号"][1] == "是"
    assert listed["电话"][1] == "否"
    assert "可填写：甲类、乙类" in listed["类别"][2]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
        styles = archive.read("xl/styles.xml")
    assert b'formatCode="@"' in styles or b'numFmtId="49"' in styles  # text format for IDs
    assert b"<dataValidation" in sheet and "甲类,乙类".encode() in sheet
    assert b'<pane ySplit="1"' in sheet


def test_an_export_re_imports_unchanged():
    store = {
        ("P1",): Person(
            code="P1",
            name="=1+2",
            id_number=Protected(ID_A, "id_number"),
            phone=Protected("13812345678", "phone"),
            kind="a",
            day=datetime.date(2024, 1, 5),
            count=3,
        )
    }
    full = written(list(store.values()), reveal=True)
    report = importer(store).dry_run(full)
    assert (report.unchanged, report.updated, report.created) == (1, 0, 0), report.messages
    masked = written(list(store.values()))
    report = importer(store).dry_run(masked)
    assert (report.unchanged, report.updated, report.created) == (1, 0, 0), report.messages


@pytest.mark.django_db
def test_file_response_carries_the_chinese_name():
    response = excel.template_response(PEOPLE)
    assert response["Content-Type"] == excel.XLSX
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E4%BA%BA%E5%91%98%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    assert read_back(content(response)) == [HEADER]
