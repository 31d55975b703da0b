#!/usr/bin/env python
"""Activities at national scale: 2,000,000 activities and 20,000,000 phone sign-ins on
PostgreSQL; a township's activity list, an activity page, the county's campaign page and the
figures at national vs Yongjing scale, and a province's yearly figures.

    # build (the source databases are bench/generate.py's)
    .venv/bin/python bench/activities_bench.py generate --scale yongjing \
        --clone-from fpa_bench_yongjing --database-url postgres://fpabench:fpabench@127.0.0.1/fpa_activities_bench_yongjing
    .venv/bin/python bench/activities_bench.py generate --scale national \
        --clone-from fpa_bench_national --database-url postgres://fpabench:fpabench@127.0.0.1/fpa_activities_bench_national
    # measure
    .venv/bin/python bench/activities_bench.py run --n 100 --chunks 10 \
        --database-url 'postgres://fpabench:fpabench@127.0.0.1/fpa_activities_bench_{scale}'

`generate` copies bench/generate.py's database (CREATE DATABASE ... TEMPLATE), runs `migrate`,
adds a province account (`bench_province`, 县级管理员 role at 62 甘肃省), a 5·29 campaign for every
county with a target of one activity for each of its townships, ACTIVITIES_PER_VILLAGE activities
for every village and ACTIVITIES_PER_TOWNSHIP for every township (2.02 million national; 刘家峡镇
holds the same 46 in both databases), all in the current year, ~70 % held or summarised with
participants by group, a quarter of them in May naming their county's campaign; then
SIGNINS_PER_HELD phone sign-ins for every held activity (19.8 million national), each phone an
AES-GCM ciphertext from a pool of 5,000 with its blind index. Rows go in by COPY with the
secondary indexes dropped and rebuilt after; the tallies are filled by SQL aggregates (what the
services would have kept) and, at Yongjing scale, checked against the records
(`tallies.differences()` must be empty); then VACUUM ANALYZE.

`run` times the pages in worker processes with the Django test Client, alternating Yongjing and
national chunks (bench/members_bench.py's runner), writes bench/results/activities-bench.json and
prints a Markdown table; `figures` also times a province's yearly figures (selector and API).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench import members_bench  # noqa: E402
from bench.generate import GIVEN, PASSWORD, SURNAMES  # noqa: E402

ACTIVITIES_PER_VILLAGE = 3
ACTIVITIES_PER_TOWNSHIP = 4
SIGNINS_PER_HELD = 14
PHONE_POOL = 5000
CHUNK_ROWS = 200_000
YEAR = datetime.date.today().year
STATUSES = ["held"] * 50 + ["summarised"] * 20 + ["planned"] * 20 + ["approved"] * 5
STATUSES += ["cancelled"] * 5
SETTINGS = ["school", "enterprise", "community", "family", "online", "other"]
GROUPS = [
    "members",
    "volunteers",
    "youth",
    "childbearing",
    "special_families",
    "migrants",
    "left_behind",
    "others",
]
HEALTH = ["consultations", "checks", "referrals"]
TITLES = ["政策宣传进村入户", "青春健康讲座", "优生优育知识培训", "健康家庭讲座", "暖心家园慰问"]


def pages() -> list[tuple[str, str, str]]:
    """The pages, with the ids of this database (called in the worker once Django is set up)."""
    from fpa.activities.models import Activity, Campaign

    township = "/62/6229/622923/622923100/"
    activity = (
        Activity.objects.filter(association__path__startswith=township, status="held")
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    campaign = Campaign.objects.filter(association__code="622923").values_list("id", flat=True)[0]
    return [
        ("activity list (township)", "bench_township", "/activities/"),
        (
            "activity list, held this year",
            "bench_township",
            f"/activities/?status=done&year={YEAR}",
        ),
        ("activity page", "bench_township", f"/activities/{activity}/"),
        ("campaign page (county)", "bench_county", f"/activities/campaigns/{campaign}/"),
        ("figures page (county)", "bench_county", f"/activities/figures/?year={YEAR}"),
        ("API activities (township)", "bench_township", "/api/v1/activities"),
        (
            "API figures (province)",
            "bench_province",
            f"/api/v1/activities/figures?association=62&year={YEAR}",
        ),
    ]


NAMES = [
    "activity list (township)",
    "activity list, held this year",
    "activity page",
    "campaign page (county)",
    "figures page (county)",
    "API activities (township)",
    "API figures (province)",
]


# --- generate -----------------------------------------------------------------------------------


def _columns(cursor, table: str) -> list[tuple[str, bool, str]]:
    cursor.execute(
        "SELECT column_name, is_nullable = 'YES', data_type FROM information_schema.columns "
        "WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return cursor.fetchall()


def _line(columns: list[tuple[str, bool, str]], values: dict[str, object]) -> str:
    """A COPY line with `values`, and for any other column NULL or its type's zero."""
    out = []
    for name, nullable, kind in columns:
        if name in values:
            value = values[name]
            out.append("\\N" if value is None else str(value))
        elif nullable:
            out.append("\\N")
        elif kind in ("integer", "bigint", "smallint", "numeric"):
            out.append("0")
        elif kind == "boolean":
            out.append("f")
        else:
            out.append("")
    return "\t".join(out) + "\n"


def _copy(raw, table: str, columns, lines, started: float) -> int:
    names = ", ".join(c[0] for c in columns)
    written = 0
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for line in lines:
            buffer.write(line)
            written += 1
            if written % CHUNK_ROWS == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
                print(
                    f"  {table}: {written:,} rows, {time.perf_counter() - started:.0f}s", flush=True
                )
        copy.write(buffer.getvalue())
    raw.commit()
    return written


def generate(args: argparse.Namespace) -> None:
    report: dict[str, object] = {"scale": args.scale, "date": datetime.datetime.now().isoformat()}
    started = time.perf_counter()
    if args.clone_from:
        members_bench.clone(args.database_url, args.clone_from)
        report["clone_s"] = round(time.perf_counter() - started, 1)
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
    from django.db import connection
    from django.utils import timezone

    from fpa.accounts.models import User
    from fpa.accounts.roles import Role
    from fpa.accounts.services import user_create
    from fpa.activities import tallies
    from fpa.activities.models import Campaign, CampaignTarget, Category, Theme
    from fpa.core import crypto
    from fpa.core.models import ConsentText
    from fpa.organizations.models import Association

    rng = random.Random(args.seed)
    if not User.objects.filter(username="bench_province").exists():
        user_create(
            actor=None,
            username="bench_province",
            password=PASSWORD,
            full_name="bench_province",
            home_association=Association.objects.get(code="62"),
            roles=[Role.COUNTY_ADMIN],
        )
    author = User.objects.get(username="bench_county").pk
    consent = ConsentText.objects.filter(purpose="activity_signin").order_by("-version").first()
    if consent is None:
        consent = ConsentText.objects.create(
            purpose="activity_signin", version=1, body="（基准测试）", effective_from="2026-01-01"
        )
    categories = list(Category.objects.values_list("id", flat=True))
    themes = list(Theme.objects.values_list("id", flat=True))
    may29 = Theme.objects.get(code="may29").pk
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE activities_signin, activities_mediareport, activities_activity_experts, "
            "activities_activity_co_organisers, activities_activity, activities_campaigntarget, "
            "activities_campaign, activities_tally CASCADE"
        )
    # campaigns: one per county, one target per township
    started = time.perf_counter()
    counties = dict(
        Association.objects.filter(kind="county", valid_to__isnull=True).values_list("id", "code")
    )
    Campaign.objects.bulk_create(
        [
            Campaign(
                association_id=pk,
                title=f"{YEAR}年5·29会员活动日",
                theme_id=may29,
                starts_on=datetime.date(YEAR, 5, 1),
                ends_on=datetime.date(YEAR, 6, 15),
                description="每个乡镇至少开展一次活动，每个村开展宣传。",
                created_by_id=author,
            )
            for pk in counties
        ],
        batch_size=2000,
    )
    campaign_of = {code: pk for pk, code in Campaign.objects.values_list("id", "association__code")}
    townships = list(
        Association.objects.filter(kind="township", valid_to__isnull=True).values_list(
            "id", "path", "parent__code"
        )
    )
    CampaignTarget.objects.bulk_create(
        [
            CampaignTarget(campaign_id=campaign_of[parent], association_id=pk, activities=1)
            for pk, _path, parent in townships
            if parent in campaign_of
        ],
        batch_size=5000,
    )
    report["campaigns"] = len(campaign_of)
    report["campaigns_s"] = round(time.perf_counter() - started, 1)
    holders = [(pk, path, ACTIVITIES_PER_TOWNSHIP) for pk, path, _parent in townships]
    holders += [
        (pk, path, ACTIVITIES_PER_VILLAGE)
        for pk, path in Association.objects.filter(kind="village", valid_to__isnull=True)
        .order_by("path")
        .values_list("id", "path")
    ]
    connection.ensure_connection()
    raw = connection.connection
    with connection.cursor() as cursor:
        activity_columns = _columns(cursor, "activities_activity")
        signin_columns = _columns(cursor, "activities_signin")
        recreate_a = members_bench.drop_secondary(cursor, "activities_activity")
        recreate_s = members_bench.drop_secondary(cursor, "activities_signin")
    raw.commit()
    now = timezone.now().isoformat()
    held_ids: list[int] = []
    tz = datetime.timezone(datetime.timedelta(hours=8))

    def activity_lines():
        pk = 0
        for association_id, path, count in holders:
            county = path.strip("/").split("/")[2] if path.count("/") > 4 else ""
            for _n in range(count):
                pk += 1
                day = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randint(0, 330))
                start = datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=tz)
                status = rng.choice(STATUSES)
                done = status in ("held", "summarised")
                if done:
                    held_ids.append(pk)
                values: dict[str, object] = {
                    "id": pk,
                    "created_at": now,
                    "updated_at": now,
                    "title": rng.choice(TITLES),
                    "setting": rng.choice(SETTINGS),
                    "starts_at": start.isoformat(),
                    "ends_at": (start + datetime.timedelta(hours=2)).isoformat(),
                    "place": "村委会",
                    "status": status,
                    "cost": "0",
                    "association_id": association_id,
                    "category_id": rng.choice(categories),
                    "theme_id": rng.choice(themes) if rng.random() < 0.7 else None,
                    "campaign_id": campaign_of.get(county) if day.month == 5 else None,
                    "created_by_id": author,
                    "version": 1,
                    "highlight": "t" if done and rng.random() < 0.03 else "f",
                    "signins_count": SIGNINS_PER_HELD if done else 0,
                }
                if done:
                    for group in GROUPS:
                        values[group] = rng.randint(0, 12)
                    values["materials"] = rng.randint(0, 200)
                    for name in HEALTH:
                        values[name] = rng.randint(0, 5)
                yield _line(activity_columns, values)

    started = time.perf_counter()
    report["activities"] = _copy(
        raw, "activities_activity", activity_columns, activity_lines(), started
    )
    report["activities_copy_s"] = round(time.perf_counter() - started, 1)
    keyring = crypto.keyring()
    phones = []
    for _ in range(PHONE_POOL):
        phone = f"13{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
        phones.append(
            (
                keyring.encrypt(phone, context="activities.signin.phone"),
                keyring.blind_index(phone, purpose="phone"),
            )
        )
    names = [
        rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        for _ in range(3000)
    ]

    def signin_lines():
        pk = 0
        for activity_id in held_ids:
            for k in range(SIGNINS_PER_HELD):
                pk += 1
                phone, digest = phones[(activity_id * SIGNINS_PER_HELD + k) % PHONE_POOL]
                yield _line(
                    signin_columns,
                    {
                        "id": pk,
                        "activity_id": activity_id,
                        "name": names[pk % len(names)],
                        "phone": phone,
                        "phone_hash": digest,
                        "member_id": None,
                        "consent_id": consent.pk,
                        "created_at": now,
                    },
                )

    started = time.perf_counter()
    report["signins"] = _copy(raw, "activities_signin", signin_columns, signin_lines(), started)
    report["signins_copy_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("activities_activity", "activities_signin"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
        for statement in [*recreate_a[0], *recreate_a[1], *recreate_s[0], *recreate_s[1]]:
            cursor.execute(statement)
    report["indexes_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    fill_tallies()
    report["tallies_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    fill_subtree()
    report["subtree_tallies_s"] = round(time.perf_counter() - started, 1)
    if args.scale == "yongjing":
        report["tally_differences"] = len(tallies.differences())
        assert report["tally_differences"] == 0, "the SQL tallies disagree with the records"
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in ("activities_activity", "activities_signin", "activities_tally"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('activities_signin'))")
        report["signin_table_size"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM activities_tally")
        report["tally_rows"] = cursor.fetchone()[0]
    report["analyze_s"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"activities-generate-{args.scale}.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2)
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))


def fill_tallies() -> None:
    """The tallies the services would have kept, by SQL aggregates over the loaded records (the
    key of `fpa.activities.tallies.of_activity`; year in Asia/Shanghai, as TIME_ZONE)."""
    from django.db import connection

    year = "extract(year from a.starts_at at time zone 'Asia/Shanghai')::int"
    done = "a.status IN ('held', 'summarised')"
    people = " + ".join(f"a.{g}" for g in GROUPS)
    selects = [
        ("'activities'", "c.code", "count(*)"),
        ("'people'", "c.code", f"sum({people})"),
        ("'materials'", "c.code", "sum(a.materials)"),
        ("'highlights'", "c.code", "sum(CASE WHEN a.highlight THEN 1 ELSE 0 END)"),
        *[(f"'{h}'", "c.code", f"sum(a.{h})") for h in HEALTH],
        ("'theme_activities'", "t.code", "count(*)"),
        ("'theme_people'", "t.code", f"sum({people})"),
        ("'setting_activities'", "a.setting", "count(*)"),
        *[("'group_people'", f"'{g}'", f"sum(a.{g})") for g in GROUPS],
    ]
    with connection.cursor() as cursor:
        for figure, dimension, value in selects:
            join = "JOIN activities_theme t ON t.id = a.theme_id" if "t.code" in dimension else ""
            cursor.execute(
                "INSERT INTO activities_tally (association_id, year, figure, dimension, value) "
                f"SELECT a.association_id, {year}, {figure}, {dimension}, {value} "
                f"FROM activities_activity a JOIN activities_category c ON c.id = a.category_id "
                f"{join} WHERE {done} GROUP BY 1, 2, 4 "
                f"HAVING {value} <> 0"
            )


def fill_subtree() -> None:
    """The subtree totals of every county, prefecture and province from the own tallies (what
    `fpa.activities.tallies.move` keeps beside them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE activities_subtreetally")
        cursor.execute(
            "INSERT INTO activities_subtreetally (association_id, year, figure, dimension, value) "
            "SELECT anc.id, t.year, t.figure, t.dimension, sum(t.value) "
            "FROM activities_tally t "
            "JOIN organizations_association a ON a.id = t.association_id "
            "JOIN organizations_association anc ON anc.code IN ("
            "  split_part(a.path, '/', 2), split_part(a.path, '/', 3), split_part(a.path, '/', 4)"
            ") AND anc.kind IN ('county', 'prefecture', 'province') "
            "GROUP BY 1, 2, 3, 4"
        )
        cursor.execute("VACUUM ANALYZE activities_subtreetally")


def subtree(args: argparse.Namespace) -> None:
    """Migrate an already generated database and fill its subtree totals."""
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    members_bench.setup(args.database_url)
    started = time.perf_counter()
    fill_subtree()
    print(f"subtree tallies in {time.perf_counter() - started:.1f}s")


# --- run ----------------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    members_bench.worker(args, pages=pages, tables='"activities_')


def run(args: argparse.Namespace) -> None:
    members_bench.run(args, script=__file__, out_name="activities-bench.json", names=NAMES)


def province(args: argparse.Namespace) -> None:
    """A province's yearly figures through the selector, in process: median and p95 of n."""
    members_bench.setup(args.database_url)
    from fpa.accounts.models import User
    from fpa.activities import selectors
    from fpa.organizations.models import Association

    user = User.objects.get(username="bench_province")
    gansu = Association.objects.get(code="62")
    samples = []
    for _ in range(args.n):
        started = time.perf_counter()
        figures = selectors.figures(user=user, association=gansu, year=YEAR)
        samples.append((time.perf_counter() - started) * 1000)
    print(
        json.dumps(
            {
                "activities": figures.get("activities"),
                "people": figures.get("people"),
                "median_ms": round(statistics.median(samples), 1),
                "p95_ms": round(sorted(samples)[int(0.95 * len(samples)) - 1], 1),
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("--scale", choices=members_bench.SCALES, required=True)
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
    t = sub.add_parser("subtree")
    t.add_argument("--database-url", required=True)
    p = sub.add_parser("province")
    p.add_argument("--database-url", required=True)
    p.add_argument("--n", type=int, default=50)
    args = parser.parse_args()
    commands = {
        "generate": generate,
        "run": run,
        "worker": worker,
        "province": province,
        "subtree": subtree,
    }
    commands[args.command](args)


if __name__ == "__main__":
    main()
