"""Where a migrant came from or went to: a division code anywhere in China, at county level or
below (6, 9 or 12 digits), checked against the national division file the project carries
(`fpa.organizations.divisions.NATIONAL_FILE`, 665,276 units).

Only the units down to county level are indexed (31 provinces, 342 prefectures, 2,978 counties:
a few hundred kilobytes), read once per process on first use and kept: a request never reads the
file. A township or village code is accepted when its county is known (the file's 660,000
townships and villages are not held in memory); its name shown is the county's, with the code.
Pure: no ORM.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext

from fpa.organizations import divisions

CODE = re.compile(r"[0-9]{6}([0-9]{3}([0-9]{3})?)?")  # ASCII digits only
INDEXED = ("province", "prefecture", "county")


class PlaceError(ValueError):
    """A code that is not a known place; the message (Chinese) is shown to users."""

    def __init__(self, message: str, *, code: str = "division") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Place:
    code: str
    county_code: str
    name: str  # province, prefecture and county names, e.g. 甘肃省临夏回族自治州永靖县

    @property
    def province_code(self) -> str:
        return self.code[:2]


@functools.cache
def county_index(path: Path | None = None) -> dict[str, str]:
    """code -> name of every province, prefecture and county of the national file."""
    index: dict[str, str] = {}
    with divisions.open_text(path or divisions.NATIONAL_FILE) as stream:
        for line in stream:
            parts = line.rstrip("\r\n").split(",")
            if len(parts) >= 3 and parts[2] in INDEXED:
                index[parts[0]] = parts[1]
    return index


def provinces() -> list[tuple[str, str]]:
    """(code, name) of the 31 provinces, by code: the list's origin filter offers them."""
    return sorted((c, n) for c, n in county_index().items() if len(c) == 2)


def _full_name(county: str, index: dict[str, str]) -> str:
    names = [index.get(county[:2], ""), index.get(county[:4], ""), index[county]]
    # Municipalities repeat themselves (北京市 / 市辖区): show each name once.
    shown: list[str] = []
    for name in names:
        if name and name not in shown and name != "市辖区":
            shown.append(name)
    return "".join(shown)


def place(raw: str) -> Place:
    """The place of a division code as typed (full-width digits folded), or PlaceError."""
    code = "".join((raw or "").split())
    code = code.translate({0xFF10 + i: ord("0") + i for i in range(10)})
    if not CODE.fullmatch(code):
        raise PlaceError(gettext("区划代码应为6位（县级）、9位（乡镇）或12位（村）数字。"))
    index = county_index()
    county = code[:6]
    if county not in index:
        raise PlaceError(
            gettext("区划代码“%(code)s”不是已知的县级行政区（以2023年全国区划为准）。")
            % {"code": code},
            code="unknown_division",
        )
    return Place(code=code, county_code=county, name=_full_name(county, index))


def name_of(code: str) -> str:
    """The shown name of a stored code ("" for none; the code itself if no longer known)."""
    if not code:
        return ""
    try:
        return place(code).name
    except PlaceError:
        return code
