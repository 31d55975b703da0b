#!/usr/bin/env python
"""Issue 14 at national scale on PostgreSQL: 5,000,000 migrants, 3,000,000 left-behind people
(三留守) and 2,000,000 insurance enrolments; the township lists and the county coverage page at
national vs Yongjing scale.

    # the source databases: bench/generate.py, then bench/families_generate.py on a copy
    createdb -O fpabench -T fpa_bench_yongjing fpa_issue14_bench_yongjing
    createdb -O fpabench -T fpa_bench_national fpa_issue14_bench_national
    .venv/bin/python bench/families_generate.py --scale yongjing \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_yongjing
    .venv/bin/python bench/families_generate.py --scale national --families 1000000 \
        --care-per-family 3 \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_national
    # this script: migrate, then the three registries
    .venv/bin/python bench/issue14_bench.py generate --scale yongjing \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_yongjing
    .venv/bin/python bench/issue14_bench.py generate --scale national \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_national
    # measure
    .venv/bin/python bench/issue14_bench.py run --n 60 --chunks 6 \
        --database-url 'postgres://fpabench:fpabench@localhost/fpa_issue14_bench_{scale}'

`generate` runs `migrate` (the new apps' tables), then writes, by INSERT ... SELECT on the
server: MIGRANTS_PER_VILLAGE migrants and LEFT_BEHIND_PER_VILLAGE left-behind people for every
current village (5.0 and 3.1 million national; Yongjing's 134 villages and communities hold the
same numbers in both databases, so a Yongjing user's pages compare like with like), and one
enrolment for every mother and father of the special families (2.0 million national), in a policy
year of a product owned by each province. The protected columns hold real AES-GCM ciphertexts
made by each model's own field (a pool of POOL values, reused) and every blind index of an ID
number is distinct, as in life. The indexes are the migrations'; then VACUUM ANALYZE.

`run` times the pages in fresh worker processes, alternating the two scales chunk by chunk
(bench/members_bench.py's runner), writes bench/results/issue14-bench.json and prints a Markdown
table with the query counts, the medians, the national p95 and the ratio.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench import members_bench  # noqa: E402
from bench.generate import GIVEN, SURNAMES  # noqa: E402

MIGRANTS_PER_VILLAGE = 8
LEFT_BEHIND_PER_VILLAGE = 5
POOL = 1000
YEAR = datetime.date.today().year

NAMES = [
    "migrant list (township)",
    "migrant list, inflow (township)",
    "left-behind list (township)",
    "left-behind list, elderly (township)",
    "left-behind list, overdue (township)",
    "coverage page (county)",
    "policy year roster (county)",
    "API migrants (township)",
    "API left-behind (township)",
]


def pages() -> list[tuple[str, str, str]]:
    """The pages, with this database's ids (called in the worker once Django is set up)."""
    from fpa.insurance.models import PolicyYear

    year = PolicyYear.objects.get(product__association__code="62", year=YEAR)
    return [
        ("migrant list (township)", "bench_township", "/migrants/"),
        ("migrant list, inflow (township)", "bench_township", "/migrants/?direction=inflow"),
        ("left-behind list (township)", "bench_township", "/left-behind/"),
        ("left-behind list, elderly (township)", "bench_township", "/left-behind/?kind=elderly"),
        # the stored schedule's condition (fpa.core.care.stored.overdue_q) as the list's filter
        ("left-behind list, overdue (township)", "bench_township", "/left-behind/?overdue=1"),
        ("coverage page (county)", "bench_county", "/families/coverage/"),
        ("policy year roster (county)", "bench_county", f"/insurance/years/{year.pk}/"),
        ("API migrants (township)", "bench_township", "/api/v1/migrants"),
        ("API left-behind (township)", "bench_township", "/api/v1/left-behind/people"),
    ]


# --- generate -----------------------------------------------------------------------------------


def _columns(cursor, table: str) -> list[tuple[str, bool, str]]:  # type: ignore[no-untyped-def]
    cursor.execute(
        "SELECT column_name, is_nullable = 'YES', data_type FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return cursor.fetchall()


def insert_select(cursor, table: str, values: dict[str, str], source: str) -> int:  # type: ignore[no-untyped-def]
    """INSERT INTO `table` SELECT `values` (column -> SQL expression) FROM `source`; any other
    column gets NULL or its type's zero, as a model's blank default would."""
    names, exprs = [], []
    for name, nullable, kind in _columns(cursor, table):
        if name == "id":
            continue
        names.append(name)
        if name in values:
            exprs.append(values[name])
        elif nullable:
            exprs.append("NULL")
        elif kind in ("integer", "bigint", "smallint", "numeric"):
            exprs.append("0")
        elif kind == "boolean":
            exprs.append("false")
        elif kind == "jsonb":
            exprs.append("'[]'::jsonb")
        else:
            exprs.append("''")
    cursor.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} {source}")
    return cursor.rowcount


def _pool(cursor, table: str, model, fields: list[str]) -> None:  # type: ignore[no-untyped-def]
    """A temporary table `table`(i, <fields>) of POOL ciphertexts made by `model`'s own fields."""
    from fpa.core.idnumbers import synthesize

    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    columns = ", ".join(f"{f} text" for f in fields)
    cursor.execute(f"CREATE TEMP TABLE {table} (i integer primary key, {columns})")
    rows = []
    for i in range(POOL):
        plain = {
            "name": SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)],
            "id_number": synthesize(
                "622923", datetime.date(1950, 1, 1) + datetime.timedelta(days=13 * i), 2 * i + 1
            ),
            "phone": f"1390931{i:04d}",
            "guardian_name": SURNAMES[(i + 3) % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
        }
        rows.append(
            [i]
            + [model._meta.get_field(f).get_db_prep_save(plain[f], connection=None) for f in fields]
        )
    marks = ", ".join(["%s"] * (len(fields) + 1))
    cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def generate(args: argparse.Namespace) -> None:
    report: dict[str, object] = {"scale": args.scale, "date": datetime.datetime.now().isoformat()}
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
    members_bench.setup(args.database_url)
    from django.db import connection, transaction

    from fpa.accounts.models import User
    from fpa.insurance.models import Enrolment, PolicyYear, Product
    from fpa.leftbehind.models import LeftBehindPerson
    from fpa.migrants.models import Migrant
    from fpa.organizations.models import Association

    county = User.objects.get(username="bench_county")
    now = "now()"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE insurance_claimdocument, insurance_claim, insurance_enrolment, "
            "insurance_policyyear, insurance_product, migrants_migrant, "
            "leftbehind_leftbehindperson CASCADE"
        )
        # Products and policy years: one per province.
        provinces = list(Association.objects.filter(kind="province", valid_to__isnull=True))
        years = {}
        for province in provinces:
            product = Product.objects.create(
                association=province,
                insurer="中国人寿",
                name="计划生育家庭意外伤害保险",
                kind=Product.Kind.ACCIDENT,
                premium="60.00",
                min_age=18,
                max_age=80,
                created_by=county,
            )
            years[province.code] = PolicyYear.objects.create(
                product=product,
                year=YEAR,
                starts_on=datetime.date(YEAR, 1, 1),
                ends_on=datetime.date(YEAR, 12, 31),
                policy_number=f"BENCH{province.code}{YEAR}",
                premium="60.00",
                fund_share="60.00",
                created_by=county,
            )
        cursor.execute("DROP TABLE IF EXISTS bench_years")
        cursor.execute("CREATE TEMP TABLE bench_years (code text primary key, year_id integer)")
        cursor.executemany(
            "INSERT INTO bench_years VALUES (%s, %s)", [(c, y.pk) for c, y in years.items()]
        )
        _pool(cursor, "pool_enr", Enrolment, ["name", "id_number"])
        _pool(cursor, "pool_mig", Migrant, ["name", "id_number", "phone"])
        _pool(cursor, "pool_lb", LeftBehindPerson, ["name", "id_number", "phone", "guardian_name"])

        started = time.perf_counter()
        report["enrolments"] = insert_select(
            cursor,
            "insurance_enrolment",
            {
                "created_at": now,
                "updated_at": now,
                "policy_year_id": "y.year_id",
                "association_id": "f.association_id",
                "source": "'person'",
                "subject_key": "'person:' || p.id",
                "person_id": "p.id",
                "family_id": "f.id",
                "name": "pool.name",
                "id_number": "pool.id_number",
                "id_number_hash": "md5('enr' || p.id) || md5('x' || p.id)",
                "birth_date": "p.birth_date",
                "sex": "coalesce(p.sex, '')",
                "status": "'enrolled'",
                "covered_from": f"'{YEAR}-01-01'",
                "covered_to": f"'{YEAR}-12-31'",
                "enrolled_on": f"'{YEAR}-01-01'",
                "by_rule": "true",
                "enrolled_by_id": str(county.pk),
                "version": "1",
            },
            "FROM families_person p JOIN families_family f ON f.id = p.family_id "
            "JOIN organizations_association a ON a.id = f.association_id "
            "JOIN bench_years y ON y.code = split_part(a.path, '/', 2) "
            "JOIN pool_enr pool ON pool.i = p.id % " + str(POOL) + " "
            "WHERE p.role IN ('mother', 'father') AND f.status = 'active'",
        )
        report["enrolments_s"] = round(time.perf_counter() - started, 1)
        print(f"enrolments: {report['enrolments']:,}", flush=True)

        villages = (
            "FROM organizations_association v CROSS JOIN generate_series(1, {n}) AS k "
            "JOIN {pool} pool ON pool.i = (v.id * {n} + k) % " + str(POOL) + " "
            "WHERE v.kind = 'village' AND v.valid_to IS NULL"
        )
        started = time.perf_counter()
        report["migrants"] = insert_select(
            cursor,
            "migrants_migrant",
            {
                "created_at": now,
                "updated_at": now,
                "association_id": "v.id",
                "direction": "CASE WHEN k % 3 = 0 THEN 'outflow' ELSE 'inflow' END",
                "name": "pool.name",
                "id_number": "pool.id_number",
                "id_number_hash": "md5('mig' || v.id || '-' || k) || md5('y' || v.id || '-' || k)",
                "sex": "CASE WHEN k % 2 = 0 THEN 'F' ELSE 'M' END",
                "birth_date": "date '1970-01-01' + ((v.id + k) % 12000)::int",
                "phone": "pool.phone",
                "phone_hash": "md5('ph' || (v.id + k) % 1000) || md5('q' || (v.id + k) % 1000)",
                "origin_code": "'622923'",
                "destination_code": "substr(v.code, 1, 6)",
                "workplace": "'本地企业'",
                "arrived_on": f"date '{YEAR - 3}-01-01' + ((v.id * 7 + k * 31) % 1000)::int",
                "status": "CASE WHEN k = 8 THEN 'left' ELSE 'active' END",
                "registered_on": f"date '{YEAR - 3}-01-01' + ((v.id * 7 + k * 31) % 1000)::int",
                "created_by_id": str(county.pk),
                "version": "1",
            },
            villages.format(n=MIGRANTS_PER_VILLAGE, pool="pool_mig"),
        )
        report["migrants_s"] = round(time.perf_counter() - started, 1)
        print(f"migrants: {report['migrants']:,}", flush=True)
        started = time.perf_counter()
        report["left_behind"] = insert_select(
            cursor,
            "leftbehind_leftbehindperson",
            {
                "created_at": now,
                "updated_at": now,
                "association_id": "v.id",
                "kind": "(ARRAY['elderly', 'elderly', 'child', 'woman', 'elderly'])[k]",
                "name": "pool.name",
                "id_number": "pool.id_number",
                "id_number_hash": "md5('lb' || v.id || '-' || k) || md5('z' || v.id || '-' || k)",
                "birth_date": "CASE WHEN k = 3 THEN date '2015-01-01' + ((v.id + k) % 3000)::int "
                "ELSE date '1945-01-01' + ((v.id + k) % 9000)::int END",
                "sex": "CASE WHEN k IN (4, 2) THEN 'F' ELSE 'M' END",
                "phone": "pool.phone",
                "phone_hash": "md5('lp' || (v.id + k) % 1000) || md5('r' || (v.id + k) % 1000)",
                "guardian_name": "pool.guardian_name",
                "guardian_relation": "'子女'",
                "absent_workplace": "'外省务工'",
                "risk": "(ARRAY['low', 'low', 'medium', 'low', 'high'])[k]",
                "status": "'active'",
                "registered_on": f"date '{YEAR - 2}-01-01' + ((v.id * 11 + k) % 700)::int",
                "version": "1",
            },
            villages.format(n=LEFT_BEHIND_PER_VILLAGE, pool="pool_lb"),
        )
        report["left_behind_s"] = round(time.perf_counter() - started, 1)
        print(f"left-behind: {report['left_behind']:,}", flush=True)
    started = time.perf_counter()
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        for table in ("insurance_enrolment", "migrants_migrant", "leftbehind_leftbehindperson"):
            cursor.execute(f"VACUUM ANALYZE {table}")
            cursor.execute(f"SELECT pg_size_pretty(pg_total_relation_size('{table}'))")
            report[f"{table}_size"] = cursor.fetchone()[0]
    report["analyze_s"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"issue14-generate-{args.scale}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2)
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))


# --- run ----------------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    members_bench.worker(args, pages=pages, tables='"')


def run(args: argparse.Namespace) -> None:
    members_bench.run(args, script=__file__, out_name="issue14-bench.json", names=NAMES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--scale", choices=members_bench.SCALES, required=True)
    g.add_argument("--database-url", required=True)
    r = sub.add_parser("run")
    r.add_argument("--database-url", required=True, help="with {scale}")
    r.add_argument("--n", type=int, default=60)
    r.add_argument("--chunks", type=int, default=6)
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
