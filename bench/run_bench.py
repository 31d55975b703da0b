#!/usr/bin/env python
"""Latency of a township user's pages on the Yongjing-only tree and on the national tree.

    .venv/bin/python bench/run_bench.py                       # SQLite files in bench/results/
    .venv/bin/python bench/run_bench.py \
        --pg 'postgres://fpabench:fpabench@localhost/fpa_bench_{scale}'   # and PostgreSQL
    make bench                                                # the first form (plus $BENCH_PG_URL)

For every database (SQLite, PostgreSQL if given) and both scales, worker processes sign in as
`bench_township` (乡镇专干 at 622923100 刘家峡镇, made by bench/generate.py) with the Django test
Client -- the full middleware stack, sessions, templates; no network -- and request each page
WARMUP times, then rounds of all pages, interleaved. The rounds are split into CHUNKS worker runs
that alternate between the Yongjing and the national database, so that a change in the load of
the machine hits both scales alike. It reports the median and p95 latency per page, and the number
of SQL queries of one request (CaptureQueriesContext), which must not depend on the size of the
tree. The table compares national with Yongjing (ratio of medians); a ratio near 1 means scope
filtering does not grow with the tree. `--explain` prints the plans of every query of each page
that reads the organizations tables, on the national database (EXPLAIN (ANALYZE, BUFFERS) on
PostgreSQL, EXPLAIN QUERY PLAN on SQLite; SELECTs only).

Raw figures go to bench/results/bench-<vendor>.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SCALES = ("yongjing", "national")
PAGE_SETS = {
    "org": [
        ("association list", "/org/list/"),
        ("tree", "/org/"),
        ("detail 622923100", "/org/a/622923100/"),
        ("staff list", "/org/staff/"),
        ("API associations", "/api/v1/associations"),
    ],
    # Special families (bench/families_generate.py); {family} is the user's first family.
    "families": [
        ("family list", "/families/"),
        ("family list p2", "/families/?after={cursor}"),
        ("family page", "/families/{family}/"),
        ("coverage", "/families/coverage/"),
        ("overdue", "/families/overdue/"),
        ("API families", "/api/v1/families"),
    ],
}
RATIO_ALERT = 1.5


# --- worker: one database, one process ------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fpa.accounts.middleware import LOGIN_AT
    from fpa.accounts.models import User

    user = User.objects.get(username=args.user)
    client = Client()
    client.force_login(user)
    session = client.session
    session[LOGIN_AT] = time.time()
    session.save()

    def get(url: str) -> int:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        return len(response.content)

    pages = PAGE_SETS[args.pages]
    if args.pages == "families":
        from fpa.core.pagination import keyset_page
        from fpa.families.models import Family

        visible = Family.objects.visible_to(user).order_by("id")
        first_page = keyset_page(visible, key="id", size=50)
        values = {"family": visible.values_list("id", flat=True).first(), "cursor": ""}
        values["cursor"] = first_page.next_cursor or ""
        pages = [(name, url.format(**values)) for name, url in pages]
    out: dict[str, dict] = {}
    for name, url in pages:
        for _ in range(args.warmup):
            get(url)
        timer = QueryTimer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            size = get(url)
        # The count is CaptureQueriesContext's (as assertNumQueries counts, BEGIN/COMMIT
        # included); the times are the wrapper's, to the microsecond (the context's are in ms).
        out[name] = {
            "url": url,
            "bytes": size,
            "queries": len(captured),
            "sql": [q["sql"][:160] for q in captured],
            "timed": timer.queries,
        }
    for name in out:
        out[name]["samples_ms"] = []
    for _ in range(args.n):
        for name, url in pages:
            started = time.perf_counter()
            get(url)
            out[name]["samples_ms"].append(round((time.perf_counter() - started) * 1000, 3))
    if args.explain:
        for page in out.values():
            page["plans"] = [
                {**q, "plan": explain(connection, q["sql"], q["params"])}
                for q in page["timed"]
                if q["sql"].startswith("SELECT")
                and ('"organizations_' in q["sql"] or '"families_' in q["sql"])
            ]
    print(json.dumps({"vendor": connection.vendor, "pages": out}, ensure_ascii=False))


class QueryTimer:
    """connection.execute_wrapper: the time of each query, in milliseconds."""

    def __init__(self) -> None:
        self.queries: list[dict] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - started) * 1000
            self.queries.append({"ms": round(ms, 3), "sql": sql, "params": _plain(params)})


def _plain(params):  # type: ignore[no-untyped-def]
    """Query parameters as JSON can carry them (dates and the like as strings)."""
    if params is None:
        return None
    return [p if isinstance(p, int | float | str | None) else str(p) for p in params]


def explain(connection, sql: str, params: list | None) -> str:  # type: ignore[no-untyped-def]
    """The plan of a SELECT (EXPLAIN ANALYZE runs the statement: never pass it a write)."""
    postgres = connection.vendor == "postgresql"
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if postgres else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    if postgres:
        return "\n".join(r[0] for r in rows)
    return "\n".join(f"{r[0]}|{r[1]}| {r[-1]}" for r in rows)


# --- driver ---------------------------------------------------------------------------------


def run_worker(url: str, n: int, args: argparse.Namespace, explain_plans: bool) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        "--database-url",
        url,
        "--n",
        str(n),
        "--warmup",
        str(args.warmup),
        "--user",
        args.user,
        "--pages",
        args.pages,
    ]
    if explain_plans:
        cmd.append("--explain")
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker failed for {url}:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_vendor(urls: dict[str, str], args: argparse.Namespace) -> dict[str, dict]:
    """CHUNKS worker runs per scale, alternating scales; samples merged per page."""
    chunks = max(1, min(args.chunks, args.n))
    sizes = [args.n // chunks + (1 if i < args.n % chunks else 0) for i in range(chunks)]
    results: dict[str, dict] = {}
    for i, n in enumerate(sizes):
        order = SCALES if i % 2 == 0 else tuple(reversed(SCALES))
        for scale in order:
            last = i == len(sizes) - 1
            run = run_worker(urls[scale], n, args, explain_plans=args.explain and last)
            if scale not in results:
                results[scale] = run
                continue
            for name, page in run["pages"].items():
                merged = results[scale]["pages"][name]
                merged["samples_ms"] += page["samples_ms"]
                if page["queries"] != merged["queries"]:
                    merged.setdefault("query_counts_seen", []).append(page["queries"])
                if "plans" in page:
                    merged["plans"] = page["plans"]
    for run in results.values():
        for page in run["pages"].values():
            ordered = sorted(page["samples_ms"])
            page.update(
                median_ms=round(statistics.median(ordered), 2),
                p95_ms=round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 2),
                min_ms=round(ordered[0], 2),
                n=len(ordered),
            )
    return results


def targets(args: argparse.Namespace) -> list[tuple[str, dict[str, str]]]:
    found = []
    if not args.no_sqlite:
        files = {s: RESULTS / f"{s}.sqlite3" for s in SCALES}
        missing = [str(p) for p in files.values() if not p.exists()]
        if missing:
            print(f"SQLite skipped, no {', '.join(missing)}: run bench/generate.py first")
        else:
            found.append(("sqlite", {s: f"sqlite:///{p}" for s, p in files.items()}))
    if args.pg:
        found.append(("postgresql", {s: args.pg.replace("{scale}", s) for s in SCALES}))
    return found


def load_figures(vendor: str) -> str:
    lines = []
    for scale in SCALES:
        path = RESULTS / f"generate-{vendor}-{scale}.json"
        if path.exists():
            g = json.loads(path.read_text())
            load = g.get("load_divisions", {})
            counts = g.get("counts", {})
            lines.append(
                f"  load_divisions {scale}: {load.get('wall_s')} s wall, "
                f"{load.get('cpu_s')} s CPU, peak RSS {load.get('peak_rss_mib')} MiB "
                f"({counts.get('association')} associations, {counts.get('staff')} staff, "
                f"database {g.get('db_mib')} MiB)"
            )
    return "\n".join(lines)


def table(vendor: str, results: dict[str, dict]) -> str:
    head = (
        f"{'page':<20} {'Yongjing med (p95) ms':>22} {'national med (p95) ms':>22} "
        f"{'ratio':>6} {'queries Y/N':>12}"
    )
    lines = [f"== {vendor} ==", head, "-" * len(head)]
    for name in results["yongjing"]["pages"]:
        y, n = results["yongjing"]["pages"][name], results["national"]["pages"][name]
        ratio = n["median_ms"] / y["median_ms"]
        flag = ""
        if ratio > RATIO_ALERT:
            flag += "  <-- grows with the tree"
        if y["queries"] != n["queries"] or "query_counts_seen" in y or "query_counts_seen" in n:
            flag += "  <-- query count differs"
        lines.append(
            f"{name:<20} {y['median_ms']:>9.2f} ({y['p95_ms']:>8.2f}) "
            f"{n['median_ms']:>9.2f} ({n['p95_ms']:>8.2f}) {ratio:>6.2f} "
            f"{y['queries']:>5} / {n['queries']:<4}{flag}"
        )
    figures = load_figures(vendor)
    return "\n".join(lines + ([figures] if figures else []))


def plans(vendor: str, results: dict[str, dict]) -> str:
    out = []
    for name in results["national"]["pages"]:
        for q in results["national"]["pages"][name].get("plans", []):
            out.append(f"\n-- {vendor} national, {name}: {q['ms']} ms\n{q['sql']}\n{q['params']}")
            out.append(q["plan"])
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50, help="timed requests per page and scale")
    parser.add_argument("--chunks", type=int, default=5, help="worker runs per scale, alternated")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page and run")
    parser.add_argument("--user", default="bench_township")
    parser.add_argument("--pages", choices=sorted(PAGE_SETS), default="org")
    parser.add_argument(
        "--pg",
        default=os.environ.get("BENCH_PG_URL"),
        help="PostgreSQL URL with '{scale}' for the database name (default: $BENCH_PG_URL)",
    )
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--explain", action="store_true", help="plans of the organizations queries")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    found = targets(args)
    if not found:
        raise SystemExit("nothing to bench: generate the SQLite files or pass --pg")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for vendor, urls in found:
        print(
            f"[{vendor}] {args.n} rounds of {len(PAGE_SETS[args.pages])} pages per scale, "
            f"in {args.chunks} alternating runs; load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        results = bench_vendor(urls, args)
        results["meta"] = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S"),
            "n": args.n,
            "chunks": args.chunks,
            "warmup": args.warmup,
            "user": args.user,
            "loadavg_after": os.getloadavg(),
        }
        (RESULTS / f"bench-{vendor}-{args.pages}-{args.user}.json").write_text(
            json.dumps(results, ensure_ascii=False, indent=2)
        )
        print(table(vendor, results), flush=True)
        if args.explain:
            print(plans(vendor, results))
        print(flush=True)


if __name__ == "__main__":
    main()
