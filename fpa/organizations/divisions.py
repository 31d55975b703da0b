"""Reading division files (code,name,level,parent_code). Pure: no ORM.

The files are the national statistical division codes: province 2 digits, prefecture 4, county 6,
township 9, village 12. Rows are read as a stream and checked one by one; a file with any bad row
is refused whole, with the row numbers, before anything is written.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LEVELS = ("province", "prefecture", "county", "township", "village")
CODE_LENGTH = {"province": 2, "prefecture": 4, "county": 6, "township": 9, "village": 12}
CODE = re.compile(r"^[0-9]+$")  # ASCII only: \d would also take full-width and other digits
SUFFIX = "计生协"
MAX_NAME = 100 - len(SUFFIX)  # the association's name (division name + suffix) fits in 100
MAX_ERRORS = 50

# The division files the project carries (see data/SOURCE.md), by the name a command takes.
DATA_DIR = Path(__file__).resolve().parent / "data"
DATASETS = {
    "yongjing": DATA_DIR / "yongjing-divisions-2023.csv",  # 永靖县, 154 units
    "national": DATA_DIR / "china-divisions-2023.csv.gz",  # the whole country, 665,276 units
}
YONGJING_FILE = DATASETS["yongjing"]
NATIONAL_FILE = DATASETS["national"]


@dataclass(frozen=True)
class DivisionRow:
    code: str
    name: str
    level: str
    parent_code: str


class DivisionFileError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def open_text(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def read_rows(stream: io.TextIOBase) -> Iterator[tuple[int, DivisionRow | str]]:
    """Yield (line number, row) or (line number, error message)."""
    reader = csv.DictReader(stream)
    missing = {"code", "name", "level", "parent_code"} - set(reader.fieldnames or [])
    if missing:
        yield 1, f"缺少列：{', '.join(sorted(missing))}"
        return
    for record in reader:
        yield reader.line_num, _check(record)  # the file's own line, blank lines included


def _check(record: dict[str, str]) -> DivisionRow | str:
    code = (record.get("code") or "").strip()
    name = (record.get("name") or "").strip()
    level = (record.get("level") or "").strip()
    parent = (record.get("parent_code") or "").strip()
    if level not in CODE_LENGTH:
        return f"层级“{level}”不是 {'/'.join(LEVELS)} 之一"
    if not CODE.match(code) or len(code) != CODE_LENGTH[level]:
        return f"编码“{code}”不是{CODE_LENGTH[level]}位数字"
    if not name or len(name) > MAX_NAME:
        return f"名称为空或超过{MAX_NAME}个字符"
    if level != "province" and not code.startswith(parent):
        return f"编码“{code}”不在上级“{parent}”之下"
    if level != "province" and len(parent) != CODE_LENGTH[LEVELS[LEVELS.index(level) - 1]]:
        return f"上级编码“{parent}”层级不对"
    return DivisionRow(code=code, name=name, level=level, parent_code=parent)


def read_file(path: Path) -> list[DivisionRow]:
    """All rows in parent-before-child order, or DivisionFileError listing the bad lines."""
    rows: list[DivisionRow] = []
    errors: list[str] = []
    seen: set[str] = set()
    with open_text(path) as stream:
        for line, row in read_rows(stream):
            if isinstance(row, str):
                errors.append(f"第{line}行：{row}")
            elif row.code in seen:
                errors.append(f"第{line}行：编码“{row.code}”重复")
            else:
                seen.add(row.code)
                rows.append(row)
            if len(errors) >= MAX_ERRORS:
                break
    if errors:
        raise DivisionFileError(errors)
    rows.sort(key=lambda r: (LEVELS.index(r.level), r.code))
    return rows


def association_name(division_name: str, level: str) -> str:
    return f"{division_name}{SUFFIX}"
