#!/usr/bin/env python
"""Members at national scale: 10,000,000 members on PostgreSQL, and a township's member list and
counts at national vs Yongjing scale.

    # build (each under the shared lock; the source databases are bench/generate.py's)
    flock /tmp/fpa-heavy.lock .venv/bin/python bench/members_bench.py generate --scale yongjing \
        --clone-from fpa_bench_yongjing --database-url postgres://fpabench:fpabench@127.0.0.1/fpa_members_bench_yongjing
    flock /tmp/fpa-heavy.lock .venv/bin/python bench/members_bench.py generate --scale national \
        --clone-from fpa_bench_national --database-url postgres://fpabench:fpabench@127.0.0.1/fpa_members_bench_national
    # measure
    flock /tmp/fpa-heavy.lock .venv/bin/python bench/members_bench.py run --n 100 --chunks 10 \
        --database-url 'postgres://fpabench:fpabench@127.0.0.1/fpa_members_bench_{scale}'

`generate` copies bench/generate.py's database (the real division tree, staff, the
`bench_township` account) with CREATE DATABASE ... TEMPLATE, runs `migrate` (the member tables),
then writes MEMBERS_PER_VILLAGE members into every village association (16 x 620,573 villages =
9.93 million national; 16 x 134 = 2,144 for Yongjing, so 刘家峡镇 holds the same ~220 members in
both) with COPY, rebuilds the member indexes and constraints after the load, fills the tallies
exactly as `manage.py check_member_tallies --fix` does, and ANALYZEs.

Protected fields: every member's ID number is its own, valid, AES-GCM-encrypted value with its
own blind index (the unique live-membership constraint holds over the 10 million); phone numbers
come from a pool of 5,000 encrypted numbers with their blind indexes, reused (the costly part is
the cipher, and phones are not unique).

`run` signs in `bench_township` (刘家峡镇) and `bench_county` in worker processes with the Django
test Client and times the member pages and API, alternating Yongjing and national chunks. It
writes bench/results/members-bench.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import hmac
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench.generate import GIVEN, SURNAMES  # noqa: E402

MEMBERS_PER_VILLAGE = 16
PHONE_POOL = 5000
CHUNK_ROWS = 200_000
SCALES = ("yongjing", "national")
BIRTH_BASE = datetime.date(1950, 1, 1)
PAGES = [
    ("member list (township)", "bench_township", "/members/"),
    ("member list, name search", "bench_township", "/members/?q=wang"),
    ("counts page (township)", "bench_township", "/members/counts/"),
    ("API members (township)", "bench_township", "/api/v1/members"),
    ("API counts (township)", "bench_township", "/api/v1/members/counts"),
    ("API counts (county)", "bench_county", "/api/v1/members/counts"),
]
STATUSES = ["active"] * 92 + ["lapsed"] * 3 + ["withdrawn"] * 2 + ["deceased"] * 2 + ["pending"]
KINDS = ["individual"] * 50 + ["resident"] * 30 + ["migrant"] * 18 + ["group"] * 2


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


# --- generate -------------------------------------------------------------------------------


def clone(url: str, source: str) -> None:
    import psycopg

    target = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}"')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def member_rows(rng: random.Random, villages: list[tuple[int, str]], today: datetime.date):
    """Yield COPY lines (tab-separated) for every village's members."""
    from fpa.core import crypto, idnumbers
    from fpa.core.names import pinyin_forms

    keyring = crypto.keyring()
    key = keyring.keys[keyring.active]
    prefix = f"v1:{keyring.active}:"
    hash_key = keyring.hash_key
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    cipher = AESGCM(key)
    id_context = b"members.member.id_number"
    phones = []
    for _ in range(PHONE_POOL):
        phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
        phones.append(
            (
                keyring.encrypt(phone, context="members.member.phone"),
                keyring.blind_index(phone, purpose="phone"),
            )
        )
    names = []
    for _ in range(3000):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        names.append((name, *pinyin_forms(name)))
    now = datetime.datetime.now(datetime.UTC).isoformat()
    serial = 0
    per_region: dict[str, int] = {}
    for association_id, code in villages:
        region = code[:6]
        for n in range(1, MEMBERS_PER_VILLAGE + 1):
            serial += 1
            kind = rng.choice(KINDS)
            status = rng.choice(STATUSES)
            name, pinyin, initials = rng.choice(names)
            applied = today - datetime.timedelta(days=rng.randint(30, 3000))
            phone, phone_hash = phones[serial % PHONE_POOL]
            if kind == "group":
                sex = birth = id_cipher = id_hash = ""
                contact = name
                name = name + "合作社"
            else:
                # unique per row: a counter per region spread over (birth date, sequence)
                count = per_region[region] = per_region.get(region, -1) + 1
                birth_date = BIRTH_BASE + datetime.timedelta(days=count % 20_000)
                number = idnumbers.synthesize(region, birth_date, count // 20_000)
                sex = "M" if int(number[16]) % 2 else "F"
                birth = birth_date.isoformat()
                nonce = os.urandom(12)
                sealed = cipher.encrypt(nonce, number.encode(), id_context)
                id_cipher = prefix + base64.b64encode(nonce + sealed).decode()
                id_hash = hmac.new(
                    hash_key, b"id_number\x00" + number.encode(), hashlib.sha256
                ).hexdigest()
                contact = ""
            active = status not in ("pending",)
            card = f"{code}-{n:05d}" if active else "\\N"
            approved = (applied + datetime.timedelta(days=20)).isoformat() if active else "\\N"
            yield (
                "\t".join(
                    (
                        now,
                        now,
                        str(association_id),
                        kind,
                        status,
                        name,
                        pinyin,
                        initials,
                        contact,
                        sex,
                        birth or "\\N",
                        id_cipher or "\\N",
                        id_hash,
                        phone,
                        phone_hash,
                        "",
                        "",
                        "",
                        card,
                        applied.isoformat(),
                        approved,
                        "",
                        "1",
                    )
                )
                + "\n"
            )


COLUMNS = (
    "created_at, updated_at, association_id, kind, status, name, name_pinyin, name_initials, "
    "contact_name, sex, birth_date, id_number, id_number_hash, phone, phone_hash, address, "
    "political_status, serves, card_number, applied_on, approved_on, rejection_reason, version"
)


def drop_secondary(cursor, table: str = "members_member") -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """Drop a table's constraints (but the primary key) and indexes before a bulk load; return
    the SQL that recreates them."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype <> 'p'",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [table, table],
    )
    indexes = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    return (
        [definition for _, definition in indexes],
        [f'ALTER TABLE {table} ADD CONSTRAINT "{n}" {d}' for n, d in constraints],
    )


def generate(args: argparse.Namespace) -> None:
    report: dict[str, object] = {"scale": args.scale, "date": datetime.datetime.now().isoformat()}
    started = time.perf_counter()
    if args.clone_from:
        clone(args.database_url, args.clone_from)
        report["clone_s"] = round(time.perf_counter() - started, 1)
        print(f"cloned {args.clone_from} in {report['clone_s']}s", flush=True)
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    report["migrate_s"] = round(time.perf_counter() - started, 1)
    setup(args.database_url)
    from django.db import connection, transaction

    from fpa.members import tallies
    from fpa.organizations.models import Association

    villages = list(
        Association.objects.filter(kind="village", valid_to__isnull=True)
        .order_by("path")
        .values_list("id", "code")
    )
    report["villages"] = len(villages)
    connection.ensure_connection()
    raw = connection.connection  # the psycopg connection, in autocommit mode
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE members_member, members_membertally, members_cardsequence CASCADE")
        recreate_indexes, recreate_constraints = drop_secondary(cursor)
    started = time.perf_counter()
    rng = random.Random(args.seed)
    rows = member_rows(rng, villages, datetime.date(2026, 11, 1))
    written = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY members_member ({COLUMNS}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for line in rows:
            buffer.write(line)
            written += 1
            if written % CHUNK_ROWS == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
                print(f"  {written:,} rows, {time.perf_counter() - started:.0f}s", flush=True)
        copy.write(buffer.getvalue())
    raw.commit()
    report["members"] = written
    report["copy_s"] = round(time.perf_counter() - started, 1)
    print(f"COPY {written:,} members in {report['copy_s']}s", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in [*recreate_indexes, *recreate_constraints]:
            cursor.execute(statement)
        # card sequences: the last number issued per village
        cursor.execute(
            "INSERT INTO members_cardsequence (association_id, last_number) "
            "SELECT association_id, count(*) FROM members_member "
            "WHERE card_number IS NOT NULL GROUP BY association_id"
        )
    report["indexes_s"] = round(time.perf_counter() - started, 1)
    print(f"indexes and constraints in {report['indexes_s']}s", flush=True)
    started = time.perf_counter()
    report["tally_rows"] = tallies.recount()
    report["tallies_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE members_member")
        cursor.execute("VACUUM ANALYZE members_membertally")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('members_member'))")
        report["member_table_size"] = cursor.fetchone()[0]
    report["analyze_s"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"members-generate-{args.scale}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


# --- run ------------------------------------------------------------------------------------


def worker(args: argparse.Namespace, pages: Any = None, tables: str = '"members_') -> None:
    """Time `pages` ((name, user, url) triples, or a function of no argument returning them,
    called once Django is set up) in this process; print the samples as JSON."""
    setup(args.database_url)
    if callable(pages):
        pages = pages()
    pages = pages or PAGES
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.run_bench import QueryTimer, explain
    from fpa.accounts.middleware import LOGIN_AT
    from fpa.accounts.models import User

    clients = {}
    for username in {user for _, user, _ in pages}:
        client = Client()
        client.force_login(User.objects.get(username=username))
        session = client.session
        session[LOGIN_AT] = time.time()
        session.save()
        clients[username] = client

    def get(user: str, url: str) -> bytes:
        response = clients[user].get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        return response.content

    out: dict[str, dict] = {}
    for name, user, url in pages:
        for _ in range(args.warmup):
            get(user, url)
        timer = QueryTimer()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timer):
            body = get(user, url)
        out[name] = {"url": url, "bytes": len(body), "queries": len(captured), "samples_ms": []}
        if args.explain:
            out[name]["plans"] = [
                {
                    "ms": q["ms"],
                    "sql": q["sql"][:300],
                    "plan": explain(connection, q["sql"], q["params"]),
                }
                for q in timer.queries
                if q["sql"].startswith("SELECT") and tables in q["sql"]
            ]
    for _ in range(args.n):
        for name, user, url in pages:
            started = time.perf_counter()
            get(user, url)
            out[name]["samples_ms"].append(round((time.perf_counter() - started) * 1000, 3))
    print(json.dumps(out, ensure_ascii=False))


def run(
    args: argparse.Namespace,
    script: str = __file__,
    out_name: str = "members-bench.json",
    names: list[str] | None = None,
) -> None:
    """Run `script worker` in fresh processes, alternating the scales chunk by chunk; write
    bench/results/`out_name` and print the table of the pages `names` (default: PAGES)."""
    results: dict[str, dict[str, dict]] = {scale: {} for scale in SCALES}
    per_chunk = max(1, args.n // args.chunks)
    for chunk in range(args.chunks):
        for scale in SCALES if chunk % 2 == 0 else reversed(SCALES):
            url = args.database_url.replace("{scale}", scale)
            cmd = [
                sys.executable,
                script,
                "worker",
                "--database-url",
                url,
                "--n",
                str(per_chunk),
                "--warmup",
                str(args.warmup),
            ]
            if args.explain and chunk == 0:
                cmd.append("--explain")
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(proc.stderr[-3000:])
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            for name, page in data.items():
                into = results[scale].setdefault(name, {**page, "samples_ms": []})
                into["samples_ms"] += page["samples_ms"]
                if "plans" in page:
                    into["plans"] = page["plans"]
        print(f"chunk {chunk + 1}/{args.chunks}", flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / out_name).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(table(results, names))
    if args.explain:
        for name, page in results["national"].items():
            for plan in page.get("plans", []):
                print(f"\n### {name} ({plan['ms']} ms)\n{plan['sql']}\n{plan['plan']}")


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def table(results: dict[str, dict[str, dict]], names: list[str] | None = None) -> str:
    lines = [
        "| page | queries (Y / N) | Yongjing median ms | national median ms | national p95 ms"
        " | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for name in names or [name for name, _, _ in PAGES]:
        y, n = results["yongjing"][name], results["national"][name]
        ym, nm = statistics.median(y["samples_ms"]), statistics.median(n["samples_ms"])
        lines.append(
            f"| {name} | {y['queries']} / {n['queries']} | {ym:.1f} | {nm:.1f} | "
            f"{_p95(n['samples_ms']):.1f} | {nm / ym:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--scale", choices=SCALES, required=True)
    g.add_argument("--database-url", required=True)
    g.add_argument("--clone-from", default="")
    g.add_argument("--seed", type=int, default=2023)
    r = sub.add_parser("run")
    r.add_argument("--database-url", required=True, help="with {scale}")
    r.add_argument("--n", type=int, default=100)
    r.add_argument("--chunks", type=int, default=10)
    r.add_argument("--warmup", type=int, default=3)
    r.add_argument("--explain", action="store_true")
    w = sub.add_parser("worker")
    w.add_argument("--database-url", required=True)
    w.add_argument("--n", type=int, default=10)
    w.add_argument("--warmup", type=int, default=3)
    w.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    {"generate": generate, "run": run, "worker": worker}[args.command](args)


if __name__ == "__main__":
    main()
