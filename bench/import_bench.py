#!/usr/bin/env python
"""Import speed and memory: the families import against merely reading the file with calamine.

    .venv/bin/python bench/generate.py --scale yongjing     # once: bench/results/yongjing.sqlite3
    .venv/bin/python bench/import_bench.py --rows 10000 50000 100000
    .venv/bin/python bench/import_bench.py --rows 100000 \
        --database-url postgres://fpabench:fpabench@localhost/fpa_bench_yongjing

For each size N a workbook of N new special families (mother and child, valid synthetic ID numbers
and phones, spread over Yongjing's villages) is written with XlsxWriter, then three runs, each a
separate process under `/usr/bin/time -v` (wall time, peak resident memory):

- `read`:   python-calamine opens the file and walks every cell of every row (the reference);
- `dry`:    `FamilyImporter(actor=bench_county).dry_run(file)` (checks, preview, nothing written);
- `commit`: `FamilyImporter(actor=bench_county).commit(file)`: files checked, every row parsed and
            validated, families, people and audit rows written in one transaction. SQLite: into a
            fresh copy of bench/results/yongjing.sqlite3. PostgreSQL: the families written by the
            run are deleted afterwards (audit rows stay: they cannot be deleted).
- `floor`:  the same commit, but each batch of rows is fully prepared (encrypted, JSON-encoded)
            before it goes to the database, and only the database's part is timed: what writing
            these rows costs with no Python work at all, the floor under any import.

Figures go to bench/results/import-<vendor>.json and are summarised on stdout.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建文辉力斌宇浩凯鹏飞鑫波宁俊峰海燕"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def village_codes() -> list[str]:
    import csv

    path = ROOT / "fpa" / "organizations" / "data" / "yongjing-divisions-2023.csv"
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return [row[0] for row in rows[1:] if len(row[0]) == 12 and row[0].startswith("622923")]


def make_file(n: int, path: Path, seed: int) -> None:
    """N rows of new families; numbers unique across sizes thanks to the seed's year band."""
    import xlsxwriter

    from fpa.core.idnumbers import synthesize
    from fpa.families.excel import FAMILY_SHEET

    rng = random.Random(seed)
    villages = village_codes()
    headers = [c.header for c in FAMILY_SHEET.columns]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(FAMILY_SHEET.title)
    sheet.write_row(0, 0, headers)
    start = datetime.date(1950 + seed * 2, 1, 1)
    for i in range(n):
        day = start + datetime.timedelta(days=i // 400)
        mother_id = synthesize("622923", day, 2 * (i % 400) + 100)
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        values = {
            "association": villages[i % len(villages)],
            "kind": "失独家庭",
            "mother_name": name,
            "mother_id_number": mother_id,
            "mother_phone": f"139{seed:02d}{i:06d}",
            "child_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "child_death_date": "2019-03-02",
            "address": f"第{i % 9 + 1}社",
            "registered_on": "2024-05-01",
        }
        sheet.write_row(i + 1, 0, [values.get(c.field, "") for c in FAMILY_SHEET.columns])
    book.close()


def run_read(path: Path) -> dict:
    import python_calamine

    started = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    cells = rows = 0
    for row in book.get_sheet_by_index(0).iter_rows():
        rows += 1
        cells += sum(1 for value in row if value != "")
    return {"rows": rows - 1, "cells": cells, "seconds": time.perf_counter() - started}


def run_import(path: Path, url: str, commit: bool, floor: bool = False) -> dict:
    setup_django(url)
    from fpa.accounts.models import User
    from fpa.families.excel import FamilyImporter
    from fpa.families.models import Family

    actor = User.objects.get(username="bench_county")
    before = Family.objects.order_by("-id").values_list("id", flat=True).first() or 0
    importer = FamilyImporter(actor=actor)
    by_table: dict[str, float] = {}
    if floor:
        from fpa.core import bulk

        real_write = bulk._write

        def timed_write(table: str, columns: list[str], rows: object) -> None:
            prepared = list(rows)  # type: ignore[call-overload]
            began = time.perf_counter()
            real_write(table, columns, prepared)
            by_table[table] = by_table.get(table, 0.0) + time.perf_counter() - began

        bulk._write = timed_write
    started = time.perf_counter()
    report = importer.commit(path.read_bytes()) if commit else importer.dry_run(path.read_bytes())
    seconds = time.perf_counter() - started
    result = {
        "database_seconds": sum(by_table.values()),
        "database_seconds_by_table": {table: round(t, 2) for table, t in by_table.items()},
        "rows": report.rows,
        "created": report.created,
        "issues": report.issue_count,
        "first_issues": report.messages[:3],
        "committed": report.committed,
        "seconds": seconds,
    }
    if commit and url.startswith("postgres"):
        from django.db import connection

        with connection.cursor() as cursor:  # leave the bench database as it was
            for table in ("families_person", "families_family"):
                column = "family_id" if table == "families_person" else "id"
                cursor.execute(f"DELETE FROM {table} WHERE {column} > %s", [before])
    return result


def timed(args: list[str]) -> dict:
    """Run this script in a child process under /usr/bin/time -v."""
    out = subprocess.run(
        ["/usr/bin/time", "-v", sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    result = json.loads(out.stdout.strip().splitlines()[-1])
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", out.stderr)
    result["peak_rss_mib"] = round(int(rss.group(1)) / 1024, 1) if rss else None
    parts = [float(p) for p in wall.group(1).split(":")] if wall else []
    result["process_wall_s"] = round(sum(p * 60**i for i, p in enumerate(reversed(parts))), 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[10000, 50000, 100000])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--child", choices=["read", "dry", "commit", "floor"])
    parser.add_argument("--file")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        path = Path(args.file)
        result = (
            run_read(path)
            if args.child == "read"
            else run_import(path, args.url, args.child != "dry", floor=args.child == "floor")
        )
        print(json.dumps(result, ensure_ascii=False))
        return

    RESULTS.mkdir(exist_ok=True)
    source = RESULTS / "yongjing.sqlite3"
    vendor = "postgresql" if args.database_url.startswith("postgres") else "sqlite"
    figures = []
    for seed, n in enumerate(args.rows, start=1):
        path = RESULTS / f"families-{n}.xlsx"
        setup_django(args.database_url or f"sqlite:///{source}")
        make_file(n, path, seed)
        row = {"rows": n, "file_mib": round(path.stat().st_size / 2**20, 2)}
        row["read"] = timed(["--child", "read", "--file", str(path)])
        for mode in ("dry", "commit", "floor"):
            url = args.database_url
            if not url:
                target = RESULTS / f"import-{n}.sqlite3"
                shutil.copyfile(source, target)
                url = f"sqlite:///{target}"
            row[mode] = timed(["--child", mode, "--file", str(path), "--url", url])
        row["floor"]["seconds"] = row["floor"]["database_seconds"]
        for mode in ("dry", "commit", "floor"):
            row[f"{mode}_over_read"] = round(row[mode]["seconds"] / row["read"]["seconds"], 2)
        figures.append(row)
        print(
            f"{n:>7} rows  file {row['file_mib']} MiB  "
            f"read {row['read']['seconds']:.2f} s / {row['read']['peak_rss_mib']} MiB  "
            f"dry {row['dry']['seconds']:.2f} s / {row['dry']['peak_rss_mib']} MiB  "
            f"commit {row['commit']['seconds']:.2f} s / {row['commit']['peak_rss_mib']} MiB "
            f"(created {row['commit']['created']}, issues {row['commit']['issues']} "
            f"{row['commit']['first_issues']})  "
            f"commit/read {row['commit_over_read']}x  "
            f"database floor {row['floor']['seconds']:.2f} s ({row['floor_over_read']}x read) "
            f"{row['floor']['database_seconds_by_table']}",
            flush=True,
        )
    out = RESULTS / f"import-{vendor}.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
