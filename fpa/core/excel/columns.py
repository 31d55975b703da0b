"""What a module declares once about a spreadsheet: its columns and its natural key.

A `Column` names the Chinese header, the field it fills, whether it is required, the parser that
turns the cell text into a value (raising ValueError with a Chinese message), how the value is
exported, whether it is protected (masked on export), and its width. A `Sheet` is the list of
columns with the natural key that makes a re-import idempotent.

Parsers receive the cell text already converted from whatever Excel stored (see
`fpa.core.excel.reader.cell_text`) and stripped; they never see an empty cell. Each normalises what
people really type (full-width digits, spaces, 2024/1/5) before validating.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext

from fpa.core import idnumbers, phones
from fpa.core.masking import MASKERS, mask_name
from fpa.core.protected import Protected
from fpa.core.text import clean_name, clean_text

TEXT = "text"
DATE = "date"
NUMBER = "number"
KINDS = (TEXT, DATE, NUMBER)


class _Keep:
    """A masked protected value in an upload (138****5678): keep what is stored."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()


def _generic_mask(value: str) -> str:
    if len(value) <= 2:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask(kind: str, value: str) -> str:
    """The masked form of a protected value of `kind` (id_number, phone, name, or anything)."""
    if not value:
        return ""
    if kind == "name":
        return mask_name(value)
    return MASKERS.get(kind, _generic_mask)(value)


@dataclass(frozen=True)
class Column:
    header: str  # the Chinese column header, exactly as in the template
    field: str  # the key in the row's values, usually the model field name
    required: bool = False
    parse: Callable[[str], Any] | None = None  # cell text -> value; ValueError("中文说明")
    export: Callable[[Any], Any] | None = None  # object -> value written on export
    protected: str = ""  # "id_number", "phone", "name" or another kind: masked unless revealed
    width: float = 14
    kind: str = TEXT  # TEXT, DATE or NUMBER: the cell format of the template
    hint: str = ""  # one line for the instructions sheet
    example: str = ""
    aliases: tuple[str, ...] = ()  # other headers accepted on import (身份证号 for 身份证号码)
    empty: Any = None  # the value of an empty optional cell

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")

    def parse_text(self, text: str) -> Any:
        return self.parse(text) if self.parse is not None else text

    def value_of(self, obj: Any) -> Any:
        """The value exported for `obj` (a choice column shows its label)."""
        if self.export is not None:
            return self.export(obj)
        value = getattr(obj, self.field)
        display = getattr(self.parse, "display", None)
        if display is not None and value not in (None, ""):
            return display(value)
        return value

    def show(self, value: Any, *, reveal: bool = False) -> str:
        """A value as a person reads it in a preview: labels for codes, masked when protected."""
        if value is None or value is KEEP:
            return ""
        if isinstance(value, Protected):
            return value.reveal_unchecked() if reveal else value.masked
        display = getattr(self.parse, "display", None)
        if display is not None and isinstance(value, str):
            value = display(value)
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, models.Model):
            return str(getattr(value, "code", None) or value)
        text = str(value)
        if self.protected and not reveal:
            return mask(self.protected, text)
        return text


def normalise_header(text: str) -> str:
    """Headers compare without spaces, width differences or a required-marker asterisk."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(ch for ch in text if not ch.isspace()).strip("*")


@dataclass(frozen=True)
class Sheet:
    title: str  # the worksheet name and the start of the file name
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # fields of the natural key: one row per key, re-imports idempotent
    notes: tuple[str, ...] = ()  # lines at the top of the instructions sheet
    related: tuple[str, ...] = ()  # select_related for the export query
    by_header: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.title) > 31 or any(ch in self.title for ch in "[]:*?/\\"):
            raise ValueError(f"{self.title!r} cannot name a worksheet")
        fields = [c.field for c in self.columns]
        if len(set(fields)) != len(fields):
            raise ValueError("two columns fill the same field")
        for name in self.key:
            column = self.column(name)
            if not column.required:
                raise ValueError(f"key column {column.header} must be required")
        lookup: dict[str, Column] = {}
        for column in self.columns:
            for header in (column.header, *column.aliases):
                normal = normalise_header(header)
                if normal in lookup:
                    raise ValueError(f"header {header} is declared twice")
                lookup[normal] = column
        object.__setattr__(self, "by_header", lookup)

    def column(self, field_name: str) -> Column:
        for column in self.columns:
            if column.field == field_name:
                return column
        raise KeyError(field_name)

    def header_of(self, field_name: str | None) -> str | None:
        if not field_name:
            return None
        try:
            return self.column(field_name).header
        except KeyError:
            return None

    def match(self, header: str) -> Column | None:
        return self.by_header.get(normalise_header(header))

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


# --- parsers ----------------------------------------------------------------------------------


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def text(
    *,
    max_length: int | None = None,
    min_length: int = 0,
    name: bool = False,
    multiline: bool = False,
) -> Callable[[str], str]:
    """Free text, or a name with `name=True`, through the one normaliser (`fpa.core.text`):
    trimmed, runs of spaces collapsed, names NFKC-folded; control, bidirectional-override,
    zero-width and other invisible format characters refused with a message naming them."""
    clean = clean_name if name else functools.partial(clean_text, multiline=multiline)

    def parse(value: str) -> str:
        value = clean(value)  # TextError is a ValueError with the message
        if max_length is not None and len(value) > max_length:
            raise ValueError(
                gettext("不能超过%(limit)s个字符（现为%(length)s个）。")
                % {"limit": max_length, "length": len(value)}
            )
        if len(value) < min_length:
            raise ValueError(gettext("至少应有%(limit)s个字符。") % {"limit": min_length})
        return value

    return parse


_CODE = re.compile(r"[0-9A-Z\-]+")


def code(*, max_length: int = 32) -> Callable[[str], str]:
    """An identifier typed by people: full-width characters folded, letters upper-cased."""

    def parse(value: str) -> str:
        value = "".join(_nfkc(value).split()).upper()
        if not _CODE.fullmatch(value):
            raise ValueError(gettext("编码只能包含数字、字母和“-”。"))
        if len(value) > max_length:
            raise ValueError(gettext("编码不能超过%(limit)s位。") % {"limit": max_length})
        return value

    return parse


class Choice:
    """A choice column: the cell holds the Chinese label (or the code); the value is the code."""

    def __init__(self, choices: Iterable[tuple[Any, Any]]) -> None:
        # The labels are what the file holds: always the Chinese source strings, whatever the
        # language of the request that first imports the module.
        with translation.override(None):
            self.pairs = [(str(value), str(label)) for value, label in choices]
        self.by_label = {_nfkc(label): value for value, label in self.pairs}
        self.by_code = {value.lower(): value for value, _ in self.pairs}
        self.labels = [label for _, label in self.pairs]

    def __call__(self, value: str) -> str:
        value = _nfkc(value)
        found = self.by_label.get(value) or self.by_code.get(value.lower())
        if found is None:
            raise ValueError(
                gettext("无法识别“%(value)s”，可填写：%(labels)s。")
                % {"value": value, "labels": "、".join(self.labels)}
            )
        return found

    def display(self, value: Any) -> str:
        return dict(self.pairs).get(str(value), str(value))


def choice(choices: Iterable[tuple[Any, Any]]) -> Choice:
    return Choice(choices)


YES = {"是", "Y", "YES", "TRUE", "1", "√", "✓", "对"}
NO = {"否", "N", "NO", "FALSE", "0", "\u00d7", "✗", "不是"}


class Boolean:
    def __call__(self, value: str) -> bool:
        value = _nfkc(value).upper()
        if value in YES:
            return True
        if value in NO:
            return False
        raise ValueError(gettext("请填写“是”或“否”。"))

    def display(self, value: Any) -> str:
        return "是" if value else "否"


def boolean() -> Boolean:
    return Boolean()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


# 2024-01-31 as Excel dates and most typed dates read: the first of `_DATE_PATTERNS` matches it
# unchanged (ASCII, no space), with the same groups, so the normalisation can be skipped.
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


_SPACES = re.compile(r"\s+")


def _match_date(value: str) -> re.Match[str] | None:
    value = _SPACES.sub(" ", _nfkc(value))
    for candidate in (value, value.replace(" ", "")):
        for pattern in _DATE_PATTERNS:
            if found := pattern.match(candidate):
                return found
    return None


def date(
    *, earliest: datetime.date = datetime.date(1900, 1, 1), latest: datetime.date | None = None
) -> Callable[[str], datetime.date]:
    """A calendar date: 2024-01-31, 2024/1/31, 2024.1.31, 2024年1月31日 or 20240131."""

    def parse(value: str) -> datetime.date:
        match = _ISO_DATE.fullmatch(value) or _match_date(value)
        if match is None:
            raise ValueError(gettext("日期格式不正确，请按“2024-01-31”的格式填写。"))
        year, month, day = (int(part) for part in match.groups())
        try:
            result = datetime.date(year, month, day)
        except ValueError as exc:
            raise ValueError(
                gettext("日期不存在：%(year)s年%(month)s月%(day)s日。")
                % {"year": year, "month": month, "day": day}
            ) from exc
        upper = latest or datetime.date(2100, 12, 31)
        if not earliest <= result <= upper:
            raise ValueError(
                gettext("日期应在%(earliest)s至%(latest)s之间。")
                % {"earliest": earliest.isoformat(), "latest": upper.isoformat()}
            )
        return result

    # Cached by text (the result depends on nothing else; refusals are not cached, their message
    # is in the request's language): the dates of a file repeat, a registration day on every row.
    return functools.lru_cache(maxsize=4096)(parse)


def decimal_number(
    *, places: int = 2, minimum: Any = None, maximum: Any = None
) -> Callable[[str], decimal.Decimal]:
    def parse(value: str) -> decimal.Decimal:
        value = _nfkc(value).replace(",", "").replace("，", "")
        try:
            number = decimal.Decimal(value)
        except decimal.InvalidOperation as exc:
            raise ValueError(gettext("应填写数字。")) from exc
        if not number.is_finite():
            raise ValueError(gettext("应填写数字。"))
        if -int(number.as_tuple().exponent) > places and number != number.quantize(
            decimal.Decimal(1).scaleb(-places)
        ):
            raise ValueError(gettext("最多保留%(places)s位小数。") % {"places": places})
        _check_range(number, minimum, maximum)
        return number.quantize(decimal.Decimal(1).scaleb(-places))

    return parse


def integer(*, minimum: int | None = None, maximum: int | None = None) -> Callable[[str], int]:
    def parse(value: str) -> int:
        value = _nfkc(value).replace(",", "")
        if not re.fullmatch(r"[-+]?\d+", value):
            raise ValueError(gettext("应填写整数。"))
        number = int(value)
        _check_range(number, minimum, maximum)
        return number

    return parse


def _check_range(number: Any, minimum: Any, maximum: Any) -> None:
    if minimum is not None and maximum is not None and not minimum <= number <= maximum:
        raise ValueError(
            gettext("应在%(minimum)s到%(maximum)s之间。") % {"minimum": minimum, "maximum": maximum}
        )
    if minimum is not None and number < minimum:
        raise ValueError(gettext("不能小于%(minimum)s。") % {"minimum": minimum})
    if maximum is not None and number > maximum:
        raise ValueError(gettext("不能大于%(maximum)s。") % {"maximum": maximum})


def id_number() -> Callable[[str], str]:
    """A resident ID number, normalised (full-width digits, a lowercase x) and fully checked."""

    def parse(value: str) -> str:
        return idnumbers.parse(value).value  # IdNumberError is a ValueError with the message

    return parse


def phone() -> Callable[[str], str]:
    def parse(value: str) -> str:
        return phones.parse(value)

    return parse
