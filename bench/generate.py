#!/usr/bin/env python
"""Build a bench database: the real division file, synthetic staff, two signed-in personas.

    .venv/bin/python bench/generate.py --scale yongjing
    .venv/bin/python bench/generate.py --scale national \
        --database-url postgres://fpabench:fpabench@localhost/fpa_bench_national

Steps, each timed:

1. reset the database (SQLite: delete the file; PostgreSQL: drop and recreate schema public);
2. `manage.py migrate`;
3. `manage.py load_divisions <file>` -- the real command, as an operator runs it, under
   `/usr/bin/time -v` for its wall time and peak resident memory;
4. staff: STAFF_PER_ASSOCIATION current staff members per territorial association (a president
   and a full-time officer), plus one former officer (left_on set) for every tenth association.
   They are bulk-inserted, but through the model fields: the ID and phone numbers are valid
   (checksum, region, date) and go through ProtectedField/BlindIndexField, so the stored values
   are ciphertexts and the blind-index columns are filled (checked at the end);
5. two accounts through fpa.accounts.services.user_create: `bench_township` (乡镇专干 at
   622923100 刘家峡镇) and `bench_county` (县级管理员 at 622923 永靖县);
6. PostgreSQL only: VACUUM ANALYZE, the state autovacuum reaches a minute after a bulk load
   (SQLite is left as Django leaves it: no ANALYZE, no sqlite_stat1).

The figures go to bench/results/generate-<vendor>-<scale>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FILES = {  # the division files the project carries (fpa/organizations/data/SOURCE.md)
    "yongjing": ROOT / "fpa" / "organizations" / "data" / "yongjing-divisions-2023.csv",
    "national": ROOT / "fpa" / "organizations" / "data" / "china-divisions-2023.csv.gz",
}
PYTHON = sys.executable
STAFF_PER_ASSOCIATION = 2
BATCH = 5000
PASSWORD = "Bench-Passw0rd!"
TOWNSHIP = "622923100"  # 刘家峡镇
COUNTY = "622923"  # 永靖县

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建文辉力斌宇浩凯鹏飞鑫波宁俊峰海燕晓雪梅琳丹慧"  # noqa: E501


def database_url(args_url: str | None, scale: str) -> str:
    url = args_url or os.environ.get("DATABASE_URL") or f"sqlite:///{RESULTS / scale}.sqlite3"
    return url.replace("{scale}", scale)


def vendor_of(url: str) -> str:
    return "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def child_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = url
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env["PYTHONPATH"] = str(ROOT)
    return env


def reset(url: str) -> None:
    if vendor_of(url) == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def run_timed(cmd: list[str], env: dict[str, str]) -> dict[str, object]:
    """Run under /usr/bin/time -v; wall seconds, peak RSS (MiB) and the command's output."""
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], env=env, cwd=ROOT, capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"failed: {' '.join(cmd)}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    elapsed = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", proc.stderr)
    user = re.search(r"User time \(seconds\): ([\d.]+)", proc.stderr)
    system = re.search(r"System time \(seconds\): ([\d.]+)", proc.stderr)
    return {
        "wall_s": round(wall, 2),
        # CPU seconds: less sensitive than wall time to other work on the machine.
        "cpu_s": round(float(user.group(1)) + float(system.group(1)), 2)
        if user and system
        else None,
        "time_elapsed": elapsed.group(1) if elapsed else None,
        "peak_rss_mib": round(int(rss.group(1)) / 1024, 1) if rss else None,
        "output": proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else [],
    }


# --- in-process part (after django.setup) ---------------------------------------------------


def make_staff(rng: random.Random) -> dict[str, int]:
    from django.db import transaction

    from fpa.core import idnumbers, phones
    from fpa.core.names import pinyin_forms
    from fpa.core.protected import Protected
    from fpa.organizations.models import Association, StaffMember

    names: dict[str, tuple[str, str]] = {}
    bad_regions: set[str] = set()

    def id_number(code: str, birth: datetime.date, n: int) -> idnumbers.IdNumber:
        """A valid number from the association's county; python-stdnum's region table refuses
        codes newer than the birth year, and raises KeyError for some development-zone codes
        (e.g. 130171): those people get a Yongjing number instead."""
        county = code[:6].ljust(6, "0")
        if county not in bad_regions:
            try:
                return idnumbers.parse(idnumbers.synthesize(county, birth, n % 1000))
            except (idnumbers.IdNumberError, KeyError) as exc:
                if isinstance(exc, KeyError):
                    bad_regions.add(county)
        return idnumbers.parse(idnumbers.synthesize(COUNTY, birth, n % 1000))

    def person(association_id: int, code: str, n: int, **fields: object) -> StaffMember:
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        if name not in names:
            names[name] = pinyin_forms(name)
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randrange(40 * 365))
        parsed = id_number(code, birth, n)
        phone = phones.parse(f"1{rng.choice('3456789')}{n:09d}")
        return StaffMember(
            association_id=association_id,
            name=name,
            name_pinyin=names[name][0],
            name_initials=names[name][1],
            sex=parsed.sex,
            birth_date=parsed.birth_date,
            id_number=Protected(parsed.value, "id_number"),
            phone=Protected(phone, "phone"),
            term_start=datetime.date(2023, 1, 1),
            **fields,
        )

    counts = {"current": 0, "former": 0}
    n = 0
    pending: list[StaffMember] = []

    def flush() -> None:
        with transaction.atomic():
            StaffMember.objects.bulk_create(pending, batch_size=1000)
        pending.clear()

    # Read all first: an open read cursor would keep SQLite from checkpointing its WAL.
    associations = list(
        Association.objects.filter(kind__in=Association.TERRITORIAL)
        .order_by("id")
        .values_list("id", "code")
    )
    for association_id, code in associations:
        posts = [("president", "part_time", False), ("officer", "full_time", True)]
        for post, employment, presides in posts[:STAFF_PER_ASSOCIATION]:
            n += 1
            pending.append(
                person(
                    association_id,
                    code,
                    n,
                    post=post,
                    employment=employment,
                    presides_daily_work=presides,
                )
            )
            counts["current"] += 1
        if association_id % 10 == 0:
            n += 1
            pending.append(
                person(
                    association_id,
                    code,
                    n,
                    post="officer",
                    employment="full_time",
                    left_on=datetime.date(2024, 6, 30),
                )
            )
            counts["former"] += 1
        if len(pending) >= BATCH:
            flush()
            if n % 100_000 < BATCH:
                print(f"  {n} staff", flush=True)
    if pending:
        flush()
    return counts


def check_staff() -> dict[str, object]:
    """Every stored value is a ciphertext that opens, and its blind index matches."""
    from fpa.core.protected import blind_index
    from fpa.organizations.models import StaffMember

    empty_hashes = StaffMember.objects.filter(id_number_hash="").count()
    empty_hashes += StaffMember.objects.filter(phone_hash="").count()
    from django.db import connection
    from django.db.models import Max

    top = StaffMember.objects.aggregate(m=Max("id"))["m"] or 0
    rng = random.Random(7)
    sample = list(StaffMember.objects.filter(pk__in=[rng.randint(1, top) for _ in range(50)]))
    with connection.cursor() as cursor:  # the column as stored, not through the field
        cursor.execute(f"SELECT id_number FROM {StaffMember._meta.db_table} LIMIT 1")
        raw = cursor.fetchone()[0]
    ok = all(
        s.id_number_hash == blind_index("id_number", s.id_number.reveal_unchecked())
        and s.phone_hash == blind_index("phone", s.phone.reveal_unchecked())
        for s in sample
    )
    if empty_hashes or not ok or not sample or not str(raw).startswith("v1:"):
        raise SystemExit(
            f"protected fields not filled: {empty_hashes} empty hashes, sample ok={ok}"
        )
    return {
        "empty_hashes": empty_hashes,
        "sample_ok": ok,
        "sampled": len(sample),
        "stored_form": str(raw)[:12] + "…",
    }


def make_users() -> list[str]:
    from fpa.accounts.roles import Role
    from fpa.accounts.services import user_create
    from fpa.organizations.models import Association

    made = []
    for username, code, role in (
        ("bench_township", TOWNSHIP, Role.TOWNSHIP_STAFF),
        ("bench_county", COUNTY, Role.COUNTY_ADMIN),
    ):
        user_create(
            actor=None,
            username=username,
            password=PASSWORD,
            full_name=username,
            home_association=Association.objects.get(code=code),
            roles=[role],
        )
        made.append(f"{username}@{code}:{role}")
    return made


def table_counts() -> dict[str, int]:
    from django.db.models import Count

    from fpa.organizations.models import Association, AssociationChange, StaffMember

    by_kind = dict(
        Association.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
    )
    return {
        **{f"association_{k}": v for k, v in sorted(by_kind.items())},
        "association": Association.objects.count(),
        "association_change": AssociationChange.objects.count(),
        "staff": StaffMember.objects.count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=sorted(FILES), required=True)
    parser.add_argument(
        "--database-url",
        help="SQLite or PostgreSQL URL; '{scale}' is replaced by the scale. "
        "Default: $DATABASE_URL, else sqlite:///bench/results/<scale>.sqlite3",
    )
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument(
        "--skip-load",
        action="store_true",
        help="keep the database and its loaded tree (and the load figures of the last run); "
        "only add the staff and the accounts",
    )
    args = parser.parse_args()

    url = database_url(args.database_url, args.scale)
    vendor = vendor_of(url)
    env = child_env(url)
    report: dict[str, object] = {
        "scale": args.scale,
        "vendor": vendor,
        "file": str(FILES[args.scale]),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    out = RESULTS / f"generate-{vendor}-{args.scale}.json"
    if args.skip_load:
        previous = json.loads(out.read_text()) if out.exists() else {}
        for key in ("migrate_s", "load_divisions"):
            if key in previous:
                report[key] = previous[key]
    else:
        print(f"[{vendor}/{args.scale}] reset {url.split('@')[-1]}", flush=True)
        reset(url)
        started = time.perf_counter()
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True
        )
        report["migrate_s"] = round(time.perf_counter() - started, 2)
        print(f"[{vendor}/{args.scale}] migrate {report['migrate_s']}s", flush=True)

        load = run_timed([PYTHON, "manage.py", "load_divisions", str(FILES[args.scale])], env)
        report["load_divisions"] = load
        print(
            f"[{vendor}/{args.scale}] load_divisions {load['wall_s']}s wall, {load['cpu_s']}s CPU, "
            f"peak RSS {load['peak_rss_mib']} MiB: {load['output']}",
            flush=True,
        )
        RESULTS.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2))

    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from fpa.organizations.models import StaffMember

    if StaffMember.objects.exists():
        raise SystemExit("this database already has staff: generate it again without --skip-load")
    started = time.perf_counter()
    report["staff"] = make_staff(random.Random(args.seed))
    report["staff_s"] = round(time.perf_counter() - started, 2)
    report["staff_check"] = check_staff()
    print(f"[{vendor}/{args.scale}] staff {report['staff']} in {report['staff_s']}s", flush=True)
    report["users"] = make_users()
    if vendor == "postgresql":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        report["vacuum_analyze_s"] = round(time.perf_counter() - started, 2)
    report["counts"] = table_counts()
    if vendor == "sqlite":
        db = Path(url.removeprefix("sqlite:///"))
        report["db_mib"] = round(db.stat().st_size / 2**20, 1)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            report["db_mib"] = round(cursor.fetchone()[0] / 2**20, 1)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
