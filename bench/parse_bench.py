#!/usr/bin/env python
"""The read side of the families import, stage by stage, against the calamine read it sits on.

    .venv/bin/python bench/generate.py --scale yongjing    # once: bench/results/yongjing.sqlite3
    .venv/bin/python bench/import_bench.py --rows 10000    # once: results/families-10000.xlsx
    .venv/bin/python bench/parse_bench.py bench/results/families-10000.xlsx --repeat 5

Runs in-process on a copy of the Yongjing database (nothing is written: the plan only reads), as
`bench_county`, each stage `--repeat` times, and prints the best time of each, in total and per
row, unprofiled:

- `inspect`:    `safety.inspect` (the ZIP, the package parts, the worksheet scan);
- `read_table`: python-calamine opening the workbook and the sheet, and the header;
- `rows`:       iterating `table.rows` (cell text for every mapped cell);
- `parse`:      `Importer._parse` of every row (the column parsers);
- `plan`:       `Importer._plan` batch by batch (scope, keys, stored rows, cross-field rules);
- `dry_run`:    `FamilyImporter.dry_run` end to end (all of the above and the report);
- `calamine`:   python-calamine alone walking every row (the floor the issue measures against).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--database", type=Path, default=ROOT / "bench/results/yongjing.sqlite3")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "bench.sqlite3"
        shutil.copy(args.database, copy)
        os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        import django

        django.setup()
        best, rows = run(args.file.read_bytes(), args.repeat)
    print(f"{rows:,} rows, best of {args.repeat}")
    for name, seconds in best.items():
        print(f"  {name:<11} {seconds:7.3f} s  {seconds / rows * 1e6:7.1f} µs/row")


def run(data: bytes, repeat: int) -> tuple[dict[str, float], int]:
    import python_calamine
    from django.contrib.auth import get_user_model

    from fpa.core.excel.reader import read_table
    from fpa.core.excel.safety import inspect as safety_inspect
    from fpa.families.excel import FamilyImporter

    actor = get_user_model().objects.get(username="bench_county")

    def inspect(data: bytes, sheet_name: str, limits: Any) -> Any:
        return safety_inspect(data, sheet_name=sheet_name, limits=limits)

    best: dict[str, float] = {}

    def stage(name: str, work: Callable[..., Any], *args: Any) -> Any:
        start = time.perf_counter()
        result = work(*args)
        best[name] = min(best.get(name, float("inf")), time.perf_counter() - start)
        return result

    def calamine() -> None:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for _ in workbook.get_sheet_by_index(0).iter_rows():
            pass

    raws: list[Any] = []
    for _ in range(repeat):
        importer = FamilyImporter(actor=actor)
        sheet, limits = importer.sheet, importer.limits
        inspection = stage("inspect", inspect, data, sheet.title, limits)
        table = stage("read_table", read_table, data, sheet, inspection, limits)
        raws = stage("rows", list, table.rows)
        parsed = stage("parse", parse, importer, raws, table.present)
        stage("plan", plan, importer, parsed)
        stage("dry_run", FamilyImporter(actor=actor).dry_run, data)
        stage("calamine", calamine)
    return best, len(raws)


def parse(importer: Any, raws: list[Any], present: list[Any]) -> list[Any]:
    return [importer._parse(raw, present) for raw in raws]


def plan(importer: Any, rows: list[Any]) -> None:
    seen: dict[Any, int] = {}
    for start in range(0, len(rows), importer.batch_size):
        importer._plan(rows[start : start + importer.batch_size], seen)


if __name__ == "__main__":
    main()
