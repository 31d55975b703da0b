# Look-alike characters are the point of these inputs; the oracles keep the old % formatting.
# ruff: noqa: RUF001, UP031
"""The fast paths of the import parsers give exactly what the previous implementations gave.

Each previous implementation is kept here, verbatim, as the oracle: the new function must return
the same value, or raise the same exception type with the same message, for hand-picked nasty
inputs (full-width digits, ideographic spaces, zero-width characters, a BOM, tabs, a lowercase x,
15-digit numbers, 29 February, future dates, region 000000) and for thousands of generated ones.
"""

from __future__ import annotations

import datetime
import decimal
import io
import random
import re
import sys
import unicodedata
import zipfile
import zoneinfo

import pytest
import time_machine
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from fpa.core import clock, idnumbers, names, phones
from fpa.core.excel import columns, reader
from fpa.core.excel.columns import KEEP
from fpa.core.excel.importer import comparable
from fpa.core.excel.safety import Limits, UnsafeFile, inspect
from fpa.core.protected import Protected
from fpa.families import excel as families_excel
from fpa.families.models import Family
from tests import test_excel_engine as engine
from tests import test_families_excel as family_rows

# --- the oracles: the implementations before the fast paths --------------------------------------


def old_id_normalize(raw):
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def old_id_parse(raw, *, today=None):
    IdNumberError, gettext = idnumbers.IdNumberError, str
    number = old_id_normalize(raw)
    today = today or timezone.localdate()
    if not number:
        raise IdNumberError(gettext("请填写身份证号码。"))
    if len(number) == 15 and number.isdigit():
        raise IdNumberError(gettext("这是15位旧身份证号码，请填写现行的18位号码。"))
    if len(number) != 18:
        raise IdNumberError(
            gettext("身份证号码应为18位，现为%(length)s位。") % {"length": len(number)}
        )
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise IdNumberError(gettext("身份证号码只能由数字和末位的X组成。"))
    if ric.calc_check_digit(number) != number[17]:
        raise IdNumberError(gettext("身份证号码校验位不正确，请核对。"))
    try:
        birth = ric.get_birth_date(number)
    except (InvalidComponent, ValueError) as exc:
        raise IdNumberError(gettext("身份证号码中的出生日期不存在。")) from exc
    if not idnumbers._known_province(number[:6]):
        raise IdNumberError(gettext("身份证号码的地区码不存在。"))
    if birth > today:
        raise IdNumberError(gettext("身份证号码中的出生日期晚于今天。"))
    if idnumbers._age(birth, today) > idnumbers.MAX_AGE_YEARS:
        raise IdNumberError(
            gettext("身份证号码中的出生日期（%(birth)s）不合理。") % {"birth": f"{birth:%Y-%m-%d}"}
        )
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return idnumbers.IdNumber(value=number, birth_date=birth, sex=sex)


def old_phone_normalize(raw):
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if text.startswith("+86"):
        text = text[3:]
    return "".join(ch for ch in text if ch.isdigit() or ch == "-").strip("-")


def old_phone_parse(raw):
    number = old_phone_normalize(raw)
    if not number:
        raise phones.PhoneError("请填写电话号码。")
    digits = number.replace("-", "")
    if phones.MOBILE.match(digits):
        return digits
    if phones.LANDLINE.match(number) or phones.LANDLINE.match(digits):
        area = phones.area_code_length(digits)
        if 7 <= len(digits) - area <= 8:
            return f"{digits[:area]}-{digits[area:]}"
    raise phones.PhoneError("电话号码格式不正确：手机号为1开头的11位数字，座机为区号加7至8位号码。")


def old_text(*, max_length=None, min_length=0, name=False):
    """Not the implementation before the fast path: the rule of `fpa.core.text` written plainly,
    character by character (control, format and surrogate characters refused; names NFKC;
    whitespace runs collapsed), with the column's length checks."""

    def parse(value):
        if name:
            value = unicodedata.normalize("NFKC", value)
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in value):
            raise ValueError("refused")
        value = " ".join(value.split())
        if max_length is not None and len(value) > max_length:
            raise ValueError(
                "不能超过%(limit)s个字符（现为%(length)s个）。"
                % {"limit": max_length, "length": len(value)}
            )
        if len(value) < min_length:
            raise ValueError("至少应有%(limit)s个字符。" % {"limit": min_length})
        return value

    return parse


def old_code(*, max_length=32):
    def parse(value):
        value = "".join(columns._nfkc(value).split()).upper()
        if not re.fullmatch(r"[0-9A-Z\-]+", value):
            raise ValueError("编码只能包含数字、字母和“-”。")
        if len(value) > max_length:
            raise ValueError("编码不能超过%(limit)s位。" % {"limit": max_length})
        return value

    return parse


def old_date(*, earliest=datetime.date(1900, 1, 1), latest=None):
    def parse(value):
        value = re.sub(r"\s+", " ", columns._nfkc(value))
        match = next(
            (
                found
                for candidate in (value, value.replace(" ", ""))
                for pattern in columns._DATE_PATTERNS
                if (found := pattern.match(candidate))
            ),
            None,
        )
        if match is None:
            raise ValueError("日期格式不正确，请按“2024-01-31”的格式填写。")
        year, month, day = (int(part) for part in match.groups())
        try:
            result = datetime.date(year, month, day)
        except ValueError as exc:
            raise ValueError(
                "日期不存在：%(year)s年%(month)s月%(day)s日。"
                % {"year": year, "month": month, "day": day}
            ) from exc
        upper = latest or datetime.date(2100, 12, 31)
        if not earliest <= result <= upper:
            raise ValueError(
                "日期应在%(earliest)s至%(latest)s之间。"
                % {"earliest": earliest.isoformat(), "latest": upper.isoformat()}
            )
        return result

    return parse


def old_past_date():
    parse = old_date()

    def inner(value):
        result = parse(value)
        if result > timezone.localdate():
            raise ValueError(families_excel.NOT_FUTURE)
        return result

    return inner


def old_pinyin_forms(name):
    syllables = lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    full = "".join(syllables).lower()
    initials = "".join(s[0] for s in syllables if s).lower()
    return full[:200], initials[:64]


def outcome(function, *args, **kwargs):
    """The value, or the exception's type and message: what a caller can observe."""
    try:
        return ("value", function(*args, **kwargs))
    except Exception as exc:  # any difference counts, whatever it is
        return ("error", type(exc), str(exc))


def same(new, old, *args, **kwargs):
    assert outcome(new, *args, **kwargs) == outcome(old, *args, **kwargs), args


# --- generated inputs -----------------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\t",
    "\u3000",  # ideographic space
    "\u200b",  # zero-width space (Cf)
    "\ufeff",  # byte order mark (Cf)
    "\u00a0",  # no-break space
    "\u2028",  # line separator
    "\r\n",
    "-",
    "－",  # full-width hyphen-minus
    "x",
    "X",
    "ｘ",
    "*",
    "+86",
    "١٢٣",  # Arabic-Indic digits: isdigit, not folded by NFKC
    "፩",  # Ethiopic digit one: isdigit but not a decimal digit
    "²",
    "①",
    "𝟙",
    "é",
    "e\u0301",
    "\x00",
    "\x1f",
    "\x7f",
]

# Characters the generated strings are built from: digits in several scripts, spaces of every
# kind, separators, format characters, letters and CJK.
PIECES = st.sampled_from(
    [
        *"0123456789xX-/. 年月日",
        *[
            "０",
            "１",
            "９",
            "\u3000",
            "\u200b",
            "\ufeff",
            "\t",
            "\n",
            "\u00a0",
            "：",
            "１２",
            "\x85",
        ],
        *["١", "፩", "²", "①", "𝟘", "𝟡", "ｘ", "Ｘ", "－", "—", "·", "张", "重", "*", "+86"],
    ]
)
TEXTS = st.one_of(
    st.text(max_size=30),
    st.lists(PIECES, max_size=24).map("".join),
)


def synthetic(region: str, birth: datetime.date, sequence: int) -> str:
    return idnumbers.synthesize(region, birth, sequence)


def id_variants(number: str) -> list[str]:
    """What people type for a number: lowercase x, full width, spaces, hyphens, a zero-width."""
    full_width = "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in number)
    return [
        number,
        number.lower(),
        full_width,
        f" {number[:6]} {number[6:14]} {number[14:]} ",
        f"{number[:6]}-{number[6:14]}-{number[14:]}",
        f"{number[:6]}\u3000{number[6:]}",
        f"{number[:9]}\u200b{number[9:]}",
        "\ufeff" + number,
        number + "\t",
        number[:17],
        number[:15],
        number[:14] + number[15:],
        number + "0",
        number[:17] + ("0" if number[17] != "0" else "1"),
    ]


def id_samples(today: datetime.date) -> list[str]:
    rng = random.Random(11643)
    regions = ["622923", "110101", "000000", "990000", "710000", "622900", "820000", "123456"]
    births = [
        today,
        today - datetime.timedelta(days=1),
        today + datetime.timedelta(days=1),
        today.replace(year=today.year - 120),
        today.replace(year=today.year - 121),
        today.replace(year=today.year - 120) - datetime.timedelta(days=1),
        today.replace(year=today.year - 120) + datetime.timedelta(days=1),
        datetime.date(2000, 2, 29),
        datetime.date(1904, 2, 29),
        datetime.date(1900, 1, 1),
        datetime.date(1980, 12, 31),
    ]
    numbers = [synthetic(r, b, s) for r in regions for b in births for s in (1, 2, 999)]
    for _ in range(1500):
        birth = datetime.date(1880, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 160))
        numbers.append(synthetic(rng.choice(regions), birth, rng.randrange(1000)))
    # Dates that do not exist, behind a correct check character.
    for body in (
        "62292319990229001",
        "62292320230230001",
        "62292320231301001",
        "62292320230000001",
    ):
        numbers.append(body + idnumbers.check_character(body))
    return numbers + [v for n in numbers[:300] for v in id_variants(n)] + NASTY


# --- ID numbers -----------------------------------------------------------------------------------


def test_id_parse_is_unchanged_on_hand_picked_and_synthetic_numbers():
    today = timezone.localdate()
    samples = id_samples(today)
    for raw in samples:
        same(idnumbers.parse, old_id_parse, raw)
        same(idnumbers.parse, old_id_parse, raw, today=today)
        same(idnumbers.parse, old_id_parse, raw, today=datetime.date(2000, 2, 29))
    assert len(samples) > 5000


@given(TEXTS)
@settings(max_examples=2000, deadline=None)
def test_id_parse_is_unchanged_on_generated_text(raw):
    same(idnumbers.normalize, old_id_normalize, raw)
    same(idnumbers.parse, old_id_parse, raw)


@given(
    st.text(alphabet=st.sampled_from(list("0123456789Xx ０１２３４５６７８９\u3000-")), max_size=22)
)
@settings(max_examples=2000, deadline=None)
def test_id_parse_is_unchanged_on_digit_soup(raw):
    same(idnumbers.parse, old_id_parse, raw)


def test_non_decimal_digits_fail_as_before():
    """Ethiopic digits pass isdigit() but not int(): the error is whatever it was."""
    raw = "፩" * 17 + "1"
    assert outcome(idnumbers.parse, raw) == outcome(old_id_parse, raw)
    assert outcome(idnumbers.parse, raw)[0] == "error"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
@settings(max_examples=2000, deadline=None)
def test_check_character_is_iso_7064(first17):
    assert idnumbers.check_character(first17) == ric.calc_check_digit(first17 + "0")


def test_space_split_is_isspace():
    """normalize drops spaces with str.split(): the same characters as str.isspace()."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert ch.isspace() == (f"a{ch}b".split() == ["a", "b"]), hex(code)


# --- the cheap today ------------------------------------------------------------------------------

INSTANTS = [
    datetime.datetime(2024, 2, 28, 23, 59, 59, tzinfo=datetime.UTC),
    datetime.datetime(2024, 2, 29, 0, 0, 0, tzinfo=datetime.UTC),
    datetime.datetime(2024, 12, 31, 10, 0, 1, tzinfo=datetime.UTC),
    datetime.datetime(2024, 12, 31, 23, 30, tzinfo=datetime.UTC),
    datetime.datetime(2025, 1, 1, 11, 59, tzinfo=datetime.UTC),
]
ZONES = ["Asia/Shanghai", "Pacific/Kiritimati", "Etc/GMT+12", "Pacific/Pago_Pago", "UTC"]


@pytest.mark.parametrize("instant", INSTANTS)
@pytest.mark.parametrize("zone", ZONES)
def test_today_bounds_hold_in_every_time_zone(instant, zone):
    with time_machine.travel(instant, tick=False), timezone.override(zoneinfo.ZoneInfo(zone)):
        earliest, latest = clock.today_bounds()
        local = timezone.localdate()
        assert earliest <= local <= latest
        assert earliest <= timezone.localdate() <= latest
        assert (latest - earliest).days == 2


@pytest.mark.parametrize("instant", INSTANTS)
@pytest.mark.parametrize("zone", ZONES)
def test_past_date_and_birth_dates_near_today_are_unchanged(instant, zone):
    parse, oracle = families_excel.past_date(), old_past_date()
    with time_machine.travel(instant, tick=False), timezone.override(zoneinfo.ZoneInfo(zone)):
        today = timezone.localdate()
        for offset in range(-3, 4):
            day = today + datetime.timedelta(days=offset)
            for text in (day.isoformat(), f"{day:%Y/%m/%d}", f"{day:%Y年%m月%d日}"):
                same(parse, oracle, text)
            for region, sequence in (("622923", 1), ("000000", 2)):
                same(idnumbers.parse, old_id_parse, synthetic(region, day, sequence))
            old = day.replace(year=day.year - 120) if (day.month, day.day) != (2, 29) else day
            same(idnumbers.parse, old_id_parse, synthetic("622923", old, 3))


@given(TEXTS)
@settings(max_examples=1000, deadline=None)
def test_past_date_is_unchanged_on_generated_text(raw):
    same(families_excel.past_date(), old_past_date(), raw)


# --- phones ---------------------------------------------------------------------------------------

PHONES = [
    "13901000000",
    "１３９０１０００００００",
    "139 0100 0000",
    "+8613901000000",
    "+86 139-0100-0000",
    "0931-1234567",
    "09311234567",
    "010-12345678",
    "02012345678",
    "1390100000",
    "139010000001",
    "12345678901",
    "\ufeff13901000000",
    "13901000000\u200b",
    "١٣٩٠١٠٠٠٠٠٠",
    "-13901000000-",
    "0",
    "00000000000",
]


@pytest.mark.parametrize("raw", PHONES + NASTY)
def test_phone_is_unchanged_on_hand_picked_numbers(raw):
    same(phones.normalize, old_phone_normalize, raw)
    same(phones.parse, old_phone_parse, raw)


@given(st.one_of(TEXTS, st.text(alphabet="0123456789", max_size=14)))
@settings(max_examples=2000, deadline=None)
def test_phone_normalize_is_unchanged_on_generated_text(raw):
    same(phones.normalize, old_phone_normalize, raw)
    same(phones.parse, old_phone_parse, raw)


# --- text, code, date -----------------------------------------------------------------------------

TEXT_SAMPLES = [
    "张三",
    " 张三 ",
    "张\u200b三",
    "\ufeff张三",
    "张\t三",
    "张\n三",
    "\u3000张三\u3000",
    "张\u00a0三",
    "第1社",
    "a" * 51,
    "\u200b",
    "\x00",
    "e\u0301",
    "\u2028",
    "\ud800",  # a lone surrogate (category Cs): not printable
    "\ue000",  # private use (Co)
    "\u0378",  # unassigned (Cn)
]


def test_printable_means_no_control_or_format_character():
    """The fast path of `text` rests on this: isprintable() rules out categories Cc and Cf."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if ch.isprintable():
            assert unicodedata.category(ch) not in ("Cc", "Cf"), hex(code)


def text_outcome(parse, raw):
    """The value, or ("refused", None) for a character refusal, or the length message."""
    try:
        return parse(raw)
    except ValueError as exc:
        message = str(exc)
        return ("length", message) if "字符" in message and "个" in message else ("refused", None)


@pytest.mark.parametrize("raw", TEXT_SAMPLES + NASTY)
def test_text_follows_the_rule_on_hand_picked_text(raw):
    for limits in ({}, {"max_length": 50, "min_length": 1}, {"max_length": 2}):
        for name in (False, True):
            new, old = columns.text(**limits, name=name), old_text(**limits, name=name)
            assert text_outcome(new, raw) == text_outcome(old, raw), (raw, limits, name)


@given(TEXTS)
@settings(max_examples=2000, deadline=None)
def test_text_and_code_follow_the_rule_on_generated_text(raw):
    for name in (False, True):
        new = columns.text(max_length=50, min_length=1, name=name)
        old = old_text(max_length=50, min_length=1, name=name)
        assert text_outcome(new, raw) == text_outcome(old, raw), (raw, name)
    same(columns.code(), old_code(), raw)


DATES = [
    "2024-01-31",
    "2024-02-29",
    "2023-02-29",
    "2024-1-5",
    "2024/01/31",
    "2024.1.31",
    "2024年1月31日",
    "2024年1月31",
    "20240131",
    "2024-01-31 00:00:00",
    "2024-01-31T00:00",
    "2024-01-31 12:00:00",
    "２０２４－０１－３１",
    "2024 - 01 - 31",
    "2024-01-31\n",
    "\u30002024-01-31",
    "1899-12-31",
    "2101-01-01",
    "0000-00-00",
    "١٢٣٤-٠١-٠١",
    "2024-13-01",
    "2024-00-10",
    "31/01/2024",
]


@pytest.mark.parametrize("raw", DATES + NASTY)
def test_date_is_unchanged_on_hand_picked_dates(raw):
    same(columns.date(), old_date(), raw)
    bounded = {"earliest": datetime.date(2000, 1, 1), "latest": datetime.date(2024, 12, 31)}
    same(columns.date(**bounded), old_date(**bounded), raw)
    same(families_excel.past_date(), old_past_date(), raw)


@given(
    st.dates(),
    st.sampled_from(["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M"]),
)
@settings(max_examples=1000, deadline=None)
def test_date_is_unchanged_on_generated_dates(day, layout):
    raw = f"{day.year:04d}" + day.strftime(layout.removeprefix("%Y"))
    same(columns.date(), old_date(), raw)
    same(families_excel.past_date(), old_past_date(), raw)


CODES = ["622923100201", "６２２９２３", "ab-12", "a b", "A_B", "", "中文", "x" * 33, "12\u200b3"]


@pytest.mark.parametrize("raw", CODES + NASTY)
def test_code_is_unchanged_on_hand_picked_codes(raw):
    same(columns.code(), old_code(), raw)


# --- pinyin ---------------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
POLYPHONIC = "单曾解仇朴查区乐盖缪尉长重朝会行乐都大传调种率"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅鑫鹏飞辉建国庆家峡永靖"


def pinyin_names() -> list[str]:
    rng = random.Random(2023)
    phrases = [p for p in PHRASES_DICT if 2 <= len(p) <= 4]
    chars = SURNAMES + POLYPHONIC + GIVEN
    out = ["", "·", "A", "12", "刘家峡", "重庆", "长孙无忌", "欧阳·娜娜", "Anna张", "张3", "〇"]
    for _ in range(4000):
        name = "".join(rng.choice(chars) for _ in range(rng.randint(1, 4)))
        kind = rng.randrange(6)
        if kind == 0:  # a phrase inside the name
            name = name[:1] + rng.choice(phrases) + name[1:]
        elif kind == 1:  # latin letters, digits, a middle dot
            name = name + rng.choice(["A", "b", "3", "·", " ", "·阿依"])
        elif kind == 2:
            name = rng.choice(POLYPHONIC) + name
        out.append(name)
    out += [rng.choice(phrases) for _ in range(500)]
    return out


def test_pinyin_forms_are_unchanged():
    samples = pinyin_names()
    names.pinyin_forms.cache_clear()
    for name in samples:
        assert names.pinyin_forms(name) == old_pinyin_forms(name), name
        assert names._syllables(name) == lazy_pinyin(name, style=Style.NORMAL, errors="ignore")
    # Both paths were taken: names with a phrase and names read character by character.
    assert any(names._has_phrase(n) for n in samples)
    assert any(not names._has_phrase(n) and n for n in samples)


@given(
    st.text(alphabet=st.sampled_from(list(SURNAMES + POLYPHONIC + GIVEN + "·aZ9 -")), max_size=8)
)
@settings(max_examples=2000, deadline=None)
def test_pinyin_forms_are_unchanged_on_generated_names(name):
    assert names._syllables(name) == lazy_pinyin(name, style=Style.NORMAL, errors="ignore")


@given(st.text(max_size=10))
@settings(max_examples=1000, deadline=None)
def test_pinyin_forms_are_unchanged_on_any_text(name):
    assert names._syllables(name) == lazy_pinyin(name, style=Style.NORMAL, errors="ignore")


# --- reading rows -----------------------------------------------------------------------------


def old_data_rows(rows, number, first_column, mapping, inspection, limits):
    count = 0
    for values in rows:
        number += 1
        cells = {}
        blank = True
        for offset, column in mapping:
            position = (number - 1, first_column + offset)
            value = values[offset] if offset < len(values) else None
            if position in inspection.formula_cells:
                cells[column.field] = reader.CellError(reader.FORMULA)
            elif position in inspection.error_cells:
                cells[column.field] = reader.CellError(reader.ERROR_VALUE)
            else:
                try:
                    cells[column.field] = reader.cell_text(value, column.kind)
                except reader.CellError as exc:
                    cells[column.field] = exc
            if cells[column.field] != "":
                blank = False
        if blank:
            continue
        count += 1
        if count > limits.max_rows:
            raise UnsafeFile(f"数据超过{limits.max_rows}行，请拆分成多个文件分批导入。")
        yield reader.RawRow(number=number, cells=cells)


def with_error_cell(data: bytes, ref: str) -> bytes:
    """The workbook with the cell `ref` (a shared string) turned into an error value."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    changed = re.sub(rb'<c r="' + ref.encode() + rb'"[^>]*>.*?</c>', b"", sheet)
    changed = re.sub(
        rb'(<row r="' + ref[1:].encode() + rb'"[^>]*>)',
        rb'\1<c r="' + ref.encode() + rb'" t="e"><v>#N/A</v></c>',
        changed,
    )
    assert changed != sheet
    parts["xl/worksheets/sheet1.xml"] = changed
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in parts.items():
            archive.writestr(name, body)
    return out.getvalue()


def observed(rows):
    return [
        (
            raw.number,
            {name: (type(cell).__name__, str(cell)) for name, cell in raw.cells.items()},
        )
        for raw in rows
    ]


READER_ROWS = [
    engine.HEADER,
    ["P1", "张三", engine.ID_A, "13901000000", "甲类", datetime.date(2024, 1, 5), 3],
    ["P2", "  李四  ", "'=1+1", "'abc", "'", "2024-01-05", 3.5],
    [None, None, None, None, None, None, None],
    ["   ", "\u3000", None, "", None, None, None],
    ["P3", engine.Formula("=1+1", 2), 10**15, 10**14, True, datetime.datetime(2024, 1, 5, 8, 30)],
    ["P4"],
    ["P5", "王五", None, None, False, datetime.datetime(2024, 1, 5), 0.1 + 0.2],
    [None, None, None, None, None, None, engine.Formula("=A1", "x")],
    ["P6", "赵六", "=SUM(A1)", "@x", "+1", "-1", -7],
]


@pytest.mark.parametrize("error_ref", [None, "B2", "G6"])
def test_rows_read_as_before(monkeypatch, error_ref):
    data = engine.xlsx(READER_ROWS)
    if error_ref:
        data = with_error_cell(data, error_ref)
    limits = Limits()
    inspection = inspect(data, sheet_name="人员", limits=limits)
    assert inspection.formula_cells
    new = observed(reader.read_table(data, engine.PEOPLE, inspection, limits).rows)
    monkeypatch.setattr(reader, "_data_rows", old_data_rows)
    old = observed(reader.read_table(data, engine.PEOPLE, inspection, limits).rows)
    assert new == old
    assert len(new) == 7
    shown = [cell for _, cells in new for cell in cells.values()]
    assert ("CellError", reader.FORMULA) in shown
    assert (("CellError", reader.ERROR_VALUE) in shown) == bool(error_ref)


# --- the family import's plan ------------------------------------------------------------------


def test_family_import_looks_each_association_up_once(township, monkeypatch):
    """Codes are looked up for the first batch that holds them, found or not; every row still
    gets its own verdict."""
    monkeypatch.setattr(families_excel.FamilyImporter, "batch_size", 4)
    codes = [family_rows.DAZHUANG, family_rows.HONGLIU, "622923999999"] * 4  # three batches
    data = family_rows.workbook(
        *(
            family_rows.line(
                code,
                mother_name=f"王{i}兰",
                mother_id_number=family_rows.new_id(datetime.date(1969, 1, 1 + i)),
                child_name="李明",
                child_death_date="2019-03-02",
            )
            for i, code in enumerate(codes)
        )
    )
    with CaptureQueriesContext(connection) as queries:
        report = families_excel.FamilyImporter(actor=township).dry_run(data)
    lookups = [q["sql"] for q in queries.captured_queries if '"code" IN' in q["sql"]]
    assert len(lookups) == 1, lookups
    assert report.created == 8
    assert report.messages == [
        f"第{n}行「协会编码」：{family_rows.OUT_OF_SCOPE}" for n in (4, 7, 10, 13)
    ]


# --- comparable -------------------------------------------------------------------------------


def old_comparable(value):
    if value is None or value == "":
        return None
    if isinstance(value, Protected):
        return value.reveal_unchecked()
    if isinstance(value, models.Model):
        return (value._meta.label_lower, value.pk)
    if isinstance(value, decimal.Decimal):
        return value.normalize()
    if isinstance(value, datetime.datetime):
        return value.replace(microsecond=0)
    return value


class Text(str):
    """A str subclass (a TextChoices member is one)."""


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "张三",
        " ",
        Text(""),
        Text("a"),
        Family.Kind.BEREAVED,
        0,
        False,
        True,
        decimal.Decimal("1.50"),
        datetime.date(2024, 2, 29),
        datetime.datetime(2024, 1, 5, 8, 30, 1, 999),
        Protected("13901000000", "phone"),
        Protected("", "phone"),
        KEEP,
        gettext_lazy("是"),
    ],
)
def test_comparable_is_unchanged(value):
    new, old = comparable(value), old_comparable(value)
    assert (type(new), new) == (type(old), old)
