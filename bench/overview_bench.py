#!/usr/bin/env python
"""The overview page (驾驶舱, /overview/) as county staff's home page: how long it takes at
Yongjing scale (the demo data) and, when its schema is current, on the national bench database.

    # Yongjing: a SQLite file with the Yongjing tree and the demo data (~1 min)
    .venv/bin/python bench/overview_bench.py generate
    # measure (median and p95 over --n requests after --warmup, in a fresh process per database)
    .venv/bin/python bench/overview_bench.py run --n 50
    # national: the issue-14 bench database (read only: never migrated or written here); skipped
    # with the reason when it is unreachable or its migrations are behind the code's
    .venv/bin/python bench/overview_bench.py run --n 30 \
        --national postgres://fpabench:fpabench@127.0.0.1:5432/fpa_issue14_bench_national

Results: bench/results/overview-bench.json and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
YONGJING_DB = RESULTS / "overview-yongjing.sqlite3"
NATIONAL = "postgres://fpabench:fpabench@127.0.0.1:5432/fpa_issue14_bench_national"
DIVISIONS = ROOT / "fpa" / "organizations" / "data" / "yongjing-divisions-2023.csv"
sys.path.insert(0, str(ROOT))

# (name, username, url) per database: the demo accounts, or the bench's generated accounts.
PAGES = {
    "yongjing": [
        ("overview (county)", "demo-county", "/overview/"),
        ("overview (township)", "demo-township", "/overview/"),
        ("home page (county)", "demo-county", "/"),
    ],
    "national": [
        ("overview (county)", "bench_county", "/overview/"),
        ("overview (township)", "bench_township", "/overview/"),
        ("home page (county)", "bench_county", "/"),
    ],
}


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


# --- generate -----------------------------------------------------------------------------------


def generate(args: argparse.Namespace) -> None:
    """A fresh SQLite file: migrate, the Yongjing tree, the demo accounts and records."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    YONGJING_DB.unlink(missing_ok=True)
    _setup(f"sqlite:///{YONGJING_DB}")
    from django.conf import settings
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_divisions", str(DIVISIONS), verbosity=0)
    settings.FPA_ALLOW_DEMO = True  # the demo seeder refuses production settings otherwise
    call_command("seed_demo", verbosity=0)
    print(f"{YONGJING_DB}: {time.perf_counter() - started:.1f} s")


# --- run ----------------------------------------------------------------------------------------


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def _pending_migrations() -> list[str]:
    """Migrations of the code not applied to this database (read only: nothing is applied)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _backwards in plan]


def worker(args: argparse.Namespace) -> None:
    """Time the pages of `args.scale` on `args.database_url` in this process; print JSON."""
    try:
        _setup(args.database_url)
        pending = _pending_migrations()
    except Exception as exc:  # an unreachable database: reported, not raised
        print(json.dumps({"skipped": f"database not usable: {exc.__class__.__name__}: {exc}"}))
        return
    if pending:
        print(
            json.dumps({"skipped": f"schema not current ({len(pending)} pending: {pending[:3]})"})
        )
        return
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fpa.accounts.middleware import LOGIN_AT
    from fpa.accounts.models import User

    out: dict[str, Any] = {}
    for name, username, url in PAGES[args.scale]:
        user = User.objects.filter(username=username).first()
        if user is None:
            out[name] = {"skipped": f"no account {username}"}
            continue
        client = Client()
        client.force_login(user)
        session = client.session
        session[LOGIN_AT] = time.time()
        session.save()
        for _ in range(args.warmup):
            client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        queries = len(captured)  # now: the next request's request_started resets the log
        if response.status_code != 200:
            out[name] = {"skipped": f"HTTP {response.status_code}"}
            continue
        samples = []
        for _ in range(args.n):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        out[name] = {
            "url": url,
            "queries": queries,
            "median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(_p95(samples), 2),
            "n": len(samples),
        }
    print(json.dumps(out, ensure_ascii=False))


def _measure(scale: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "worker", "--scale", scale, "--database-url", url]
    cmd += ["--n", str(args.n), "--warmup", str(args.warmup)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0 or not proc.stdout.strip():
        return {"skipped": proc.stderr.strip()[-500:] or "no output"}
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def run(args: argparse.Namespace) -> None:
    results: dict[str, Any] = {}
    if YONGJING_DB.exists():
        results["yongjing"] = _measure("yongjing", f"sqlite:///{YONGJING_DB}", args)
    else:
        results["yongjing"] = {"skipped": "run `bench/overview_bench.py generate` first"}
    if args.national:
        results["national"] = _measure("national", args.national, args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "overview-bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(table(results))


def table(results: dict[str, Any]) -> str:
    lines = ["| database | page | queries | median ms | p95 ms |", "|---|---|---|---|---|"]
    for scale, pages in results.items():
        if "skipped" in pages:
            lines.append(f"| {scale} | skipped: {pages['skipped']} | | | |")
            continue
        for name, page in pages.items():
            if "skipped" in page:
                lines.append(f"| {scale} | {name}: skipped ({page['skipped']}) | | | |")
            else:
                lines.append(
                    f"| {scale} | {name} | {page['queries']} | {page['median_ms']:.1f} | "
                    f"{page['p95_ms']:.1f} |"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("generate")
    r = sub.add_parser("run")
    r.add_argument("--n", type=int, default=50)
    r.add_argument("--warmup", type=int, default=3)
    r.add_argument("--national", default=NATIONAL, help="'' to skip the national database")
    w = sub.add_parser("worker")
    w.add_argument("--scale", choices=sorted(PAGES), required=True)
    w.add_argument("--database-url", required=True)
    w.add_argument("--n", type=int, default=50)
    w.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    {"generate": generate, "run": run, "worker": worker}[args.command](args)


if __name__ == "__main__":
    main()
