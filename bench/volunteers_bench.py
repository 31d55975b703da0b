#!/usr/bin/env python
"""Volunteers at national scale on PostgreSQL: 1,000,000 volunteers across the national tree.

    # build both databases (each: create, migrate, copy the tree, COPY the volunteers)
    flock /tmp/fpa-heavy.lock .venv/bin/python bench/volunteers_bench.py generate
    # measure (alternating Yongjing and national worker processes)
    flock /tmp/fpa-heavy.lock .venv/bin/python bench/volunteers_bench.py run --n 100 --chunks 5

Databases: `fpa_volunteers_bench_yongjing` and `fpa_volunteers_bench_national`, created with the
CI role (`--admin-url`). The association tree is copied (COPY) from the bench databases that
`bench/generate.py` built (`--tree-url`, default `fpa_bench_{scale}`): the same 154 or 665,276
associations as the other benches.

Volunteers are written with COPY, through the real field encryption: the ID number and phone
columns hold AES-GCM ciphertexts made with `fpa.core.crypto` for their column, and the blind
indexes are the keyed hashes, exactly as `ProtectedField`/`BlindIndexField` store them.
Yongjing gets the same rows at both scales (20 a village, 10 a township, from a fixed seed: the
heaviest county of the country, ~10x the national mean); the national database adds the rest of
the million over the other villages and townships at random. 90 % are active; each has one or two
skills and some availability. In Yongjing only, through the real services: a special family in
大庄村 with a need (the one matched), services with assignments (the load of some volunteers), and
the personas `bench_township` (刘家峡镇) and `bench_county` (永靖县).

Measured (figures to bench/results/volunteers-*.json; the table goes to RESULTS.md):
- the matching suggestions for the need: the selector alone, and the API request, as the county
  administrator (the widest candidate set: the whole county);
- the matching page and the township's volunteer list (page and API) as the township officer,
  at Yongjing and national scale (ratio national / Yongjing).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import PYTHON, RESULTS, child_env, make_users  # noqa: E402

SCALES = ("yongjing", "national")
ADMIN_URL = "postgres://fpa_ci:fpa_ci@127.0.0.1:5432/postgres"
TARGET_URL = "postgres://fpa_ci:fpa_ci@127.0.0.1:5432/fpa_volunteers_bench_{scale}"
TREE_URL = "postgres://fpabench:fpabench@127.0.0.1:5432/fpa_bench_{scale}"
TOTAL = 1_000_000
YONGJING = "/62/6229/622923/"
DAZHUANG = "622923100201"
ASSOCIATION_COLUMNS = (
    "id, created_at, updated_at, code, name, division_name, kind, path, depth, name_pinyin, "
    "name_initials, valid_from, valid_to, address, version, parent_id, successor_id"
)
VOLUNTEER_COLUMNS = (
    "id",
    "created_at",
    "updated_at",
    "association_id",
    "name",
    "id_number",
    "id_number_hash",
    "phone",
    "phone_hash",
    "birth_date",
    "sex",
    "address",
    "occupation",
    "on_weekdays",
    "on_weekends",
    "in_evenings",
    "status",
    "consent_id",
    "applied_on",
    "guardian_name",
    "guardian_relation",
    "guardian_phone_hash",
    "vetting_notes",
    "version",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红建文辉力斌宇浩凯鹏飞鑫波宁"


# --- generate -------------------------------------------------------------------------------------


def create_database(admin_url: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def copy_tree(source: str, target: str) -> int:
    import psycopg

    with psycopg.connect(source) as src, psycopg.connect(target) as dst:
        dst.execute("DELETE FROM organizations_association")
        with (
            src.cursor().copy(
                f"COPY (SELECT {ASSOCIATION_COLUMNS} FROM organizations_association ORDER BY id) "
                "TO STDOUT"
            ) as out,
            dst.cursor().copy(
                f"COPY organizations_association ({ASSOCIATION_COLUMNS}) FROM STDIN"
            ) as into,
        ):
            for block in out:
                into.write(block)
        dst.execute(
            "SELECT setval(pg_get_serial_sequence('organizations_association', 'id'), "
            "(SELECT max(id) FROM organizations_association))"
        )
        count = dst.execute("SELECT count(*) FROM organizations_association").fetchone()[0]
        dst.commit()
    return int(count)


def generate_in_process(scale: str, seed: int) -> dict[str, object]:
    """After django.setup(): volunteers by COPY, then the Yongjing objects through services."""
    from django.db import connection
    from django.utils import timezone

    from fpa.core import crypto
    from fpa.core.idnumbers import synthesize
    from fpa.organizations.models import Association
    from fpa.volunteers.models import ConsentText, Skill

    keyring = crypto.keyring()
    consent = ConsentText.objects.get(version=1).pk
    skills = list(Skill.objects.values_list("pk", flat=True))
    places = list(
        Association.objects.filter(kind__in=["village", "township"])
        .order_by("id")
        .values_list("id", "path", "kind")
    )
    local = [p for p in places if p[1].startswith(YONGJING)]
    others = [p for p in places if not p[1].startswith(YONGJING)]
    now = timezone.now()
    today = timezone.localdate()
    birth_base = datetime.date(1955, 1, 1)

    def rows(assignments: list[int], rng: random.Random, start: int):  # type: ignore[no-untyped-def]
        for offset, association_id in enumerate(assignments):
            pk = start + offset
            birth = birth_base + datetime.timedelta(days=(pk // 900) % 18000)
            number = synthesize("622923", birth, pk % 900)
            phone = f"13{rng.randrange(10**9):09d}"
            status = (
                "active" if rng.random() < 0.9 else rng.choice(["applied", "suspended", "left"])
            )
            yield (
                pk,
                now,
                now,
                association_id,
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                keyring.encrypt(number, context="volunteers.volunteer.id_number"),
                keyring.blind_index(number, purpose="id_number"),
                keyring.encrypt(phone, context="volunteers.volunteer.phone"),
                keyring.blind_index(phone, purpose="phone"),
                birth,
                "M" if (pk % 900) % 2 else "F",
                "",
                "",
                rng.random() < 0.5,
                rng.random() < 0.6,
                rng.random() < 0.3,
                status,
                consent,
                today,
                "",
                "",
                "",
                "",
                1,
            )

    local_rng = random.Random(seed)
    yongjing_ids = [pid for pid, _, kind in local for _ in range(20 if kind == "village" else 10)]
    assignments = [yongjing_ids]
    if scale == "national":
        rest_rng = random.Random(seed + 1)
        other_ids = [p[0] for p in others]
        assignments.append([rest_rng.choice(other_ids) for _ in range(TOTAL - len(yongjing_ids))])
    started = time.perf_counter()
    columns = ", ".join(VOLUNTEER_COLUMNS)
    pk = 1
    skill_rng = random.Random(seed + 2)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        for index, batch in enumerate(assignments):
            rng = local_rng if index == 0 else random.Random(seed + 3)
            with cursor.copy(f"COPY volunteers_volunteer ({columns}) FROM STDIN") as copy:
                for row in rows(batch, rng, pk):
                    copy.write_row(row)
            with cursor.copy(
                "COPY volunteers_volunteer_skills (volunteer_id, skill_id) FROM STDIN"
            ) as copy:
                for volunteer in range(pk, pk + len(batch)):
                    for skill in skill_rng.sample(skills, 1 + skill_rng.randrange(2)):
                        copy.write_row((volunteer, skill))
            pk += len(batch)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('volunteers_volunteer', 'id'), %s)", (pk - 1,)
        )
    copy_s = round(time.perf_counter() - started, 1)
    made = yongjing_objects(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM volunteers_volunteer")
        volunteers = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM volunteers_volunteer_skills")
        skill_rows = cursor.fetchone()[0]
    return {
        "volunteers": volunteers,
        "yongjing_volunteers": len(yongjing_ids),
        "skill_rows": skill_rows,
        "copy_s": copy_s,
        **made,
    }


def yongjing_objects(seed: int) -> dict[str, object]:
    """Personas, a family with a need in 大庄村, services with assignments: all via services."""
    from django.utils import timezone

    from fpa.accounts.models import User
    from fpa.core.idnumbers import synthesize
    from fpa.families import services as family_services
    from fpa.families.models import Family
    from fpa.organizations.models import Association
    from fpa.volunteers import services
    from fpa.volunteers.models import Volunteer

    users = make_users()
    county = User.objects.get(username="bench_county")
    dazhuang = Association.objects.get(code=DAZHUANG)
    family = family_services.family_register(
        actor=county,
        association=dazhuang,
        kind=Family.Kind.BEREAVED,
        people=[
            {
                "role": "mother",
                "name": "测试母亲",
                "id_number": synthesize("622923", datetime.date(1958, 3, 3), 998),
            }
        ],
    )
    need = family_services.need_raise(actor=county, family=family, description="希望有人陪伴就医")
    today = timezone.localdate()
    rng = random.Random(seed)
    township = Association.objects.get(code="622923100")
    candidates = list(
        Volunteer.objects.filter(status="active", association__path__startswith=township.path)
        .select_related("association")
        .order_by("id")[:400]
    )
    assignments = 0
    for index in range(10):
        service = services.service_create(
            actor=county,
            association=township,
            title=f"陪伴服务{index}",
            date=today + datetime.timedelta(days=1 + index),
            hours="3",
        )
        for volunteer in rng.sample(candidates, 15):
            services.assignment_create(actor=county, service=service, volunteer=volunteer)
            assignments += 1
    return {"users": users, "need_id": need.pk, "assignments": assignments}


def generate(args: argparse.Namespace) -> None:
    for scale in args.scales:
        url = args.target_url.replace("{scale}", scale)
        report: dict[str, object] = {"scale": scale, "date": time.strftime("%Y-%m-%d %H:%M")}
        print(f"[{scale}] create {url.rsplit('/', 1)[1]}", flush=True)
        create_database(args.admin_url, url)
        env = child_env(url)
        started = time.perf_counter()
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True
        )
        report["migrate_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        report["associations"] = copy_tree(args.tree_url.replace("{scale}", scale), url)
        report["tree_copy_s"] = round(time.perf_counter() - started, 1)
        print(f"[{scale}] tree {report['associations']} in {report['tree_copy_s']}s", flush=True)
        proc = subprocess.run(
            [PYTHON, __file__, "_generate", "--scale", scale, "--seed", str(args.seed)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        report.update(json.loads(proc.stdout.strip().splitlines()[-1]))
        import psycopg

        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
            size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        report["vacuum_analyze_s"] = round(time.perf_counter() - started, 1)
        report["database_mib"] = round(size / 2**20)
        RESULTS.mkdir(exist_ok=True)
        out = RESULTS / f"volunteers-generate-{scale}.json"
        out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
        print(json.dumps(report, ensure_ascii=False), flush=True)


# --- measure --------------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from fpa.accounts.middleware import LOGIN_AT
    from fpa.accounts.models import User
    from fpa.families.models import Need
    from fpa.volunteers import selectors
    from fpa.volunteers.models import Skill

    def client_for(username: str) -> tuple[Client, object]:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        session = client.session
        session[LOGIN_AT] = time.time()
        session.save()
        return client, user

    county_client, county = client_for("bench_county")
    township_client, _ = client_for("bench_township")
    need = Need.objects.select_related("family__association").get(description="希望有人陪伴就医")
    place = need.family.association
    skills = list(Skill.objects.filter(code="counselling"))
    query = f"need={need.pk}&skills=counselling&when=weekends"

    def suggest() -> int:
        return len(
            selectors.suggestions(user=county, place=place, skills=skills, when=["weekends"])
        )

    def get(client: Client, url: str):  # type: ignore[no-untyped-def]
        def call() -> int:
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            return len(response.content)

        return call

    cases = {
        "suggestions (selector, county)": suggest,
        "suggestions API (county)": get(county_client, f"/api/v1/volunteers/suggestions?{query}"),
        "match page (township)": get(township_client, f"/volunteers/match/?{query}"),
        "volunteer list page (township)": get(township_client, "/volunteers/"),
        "volunteer list API (township)": get(township_client, "/api/v1/volunteers"),
    }
    out: dict[str, dict] = {}
    for name, call in cases.items():
        for _ in range(args.warmup):
            call()
        with CaptureQueriesContext(connection) as captured:
            call()
        out[name] = {"queries": len(captured), "samples_ms": []}
    for _ in range(args.n):
        for name, call in cases.items():
            started = time.perf_counter()
            call()
            out[name]["samples_ms"].append((time.perf_counter() - started) * 1000)
    if args.explain:
        with CaptureQueriesContext(connection) as captured:
            suggest()
        ranking = next(q["sql"] for q in captured if "place_rank" in q["sql"] or "CASE" in q["sql"])
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + ranking)
            out["plan"] = {"sql": ranking, "plan": [r[0] for r in cursor.fetchall()]}
        out["candidates"] = (
            selectors.Volunteer.objects.visible_to(county)
            .filter(status="active", association__path__startswith="/62/6229/622923/")
            .count()
        )
    print(json.dumps(out, ensure_ascii=False))


def run(args: argparse.Namespace) -> None:
    samples: dict[str, dict[str, list[float]]] = {s: {} for s in SCALES}
    queries: dict[str, dict[str, int]] = {s: {} for s in SCALES}
    extra: dict[str, object] = {}
    for chunk in range(args.chunks):
        for scale in SCALES if chunk % 2 == 0 else reversed(SCALES):
            env = child_env(args.target_url.replace("{scale}", scale))
            cmd = [PYTHON, __file__, "_worker", "--n", str(args.n // args.chunks)]
            if chunk == 0 and scale == "national":
                cmd.append("--explain")
            proc = subprocess.run(
                cmd, env=env, cwd=ROOT, check=True, capture_output=True, text=True
            )
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            for key in ("plan", "candidates"):
                if key in data:
                    extra[key] = data.pop(key)
            for name, figures in data.items():
                samples[scale].setdefault(name, []).extend(figures["samples_ms"])
                queries[scale][name] = figures["queries"]
    lines = [
        "| measured (ms) | Yongjing median (p95) | national median (p95) | ratio | queries Y / N |",
        "|---|---:|---:|---:|---:|",
    ]
    report: dict[str, object] = {"n": args.n, "chunks": args.chunks, "cases": {}, **extra}
    for name in samples["yongjing"]:
        figures = {}
        for scale in SCALES:
            values = sorted(samples[scale][name])
            figures[scale] = (
                statistics.median(values),
                values[min(len(values) - 1, int(len(values) * 0.95))],
            )
        ratio = figures["national"][0] / figures["yongjing"][0]
        report["cases"][name] = {  # type: ignore[index]
            "yongjing": figures["yongjing"],
            "national": figures["national"],
            "ratio": ratio,
            "queries": [queries["yongjing"][name], queries["national"][name]],
        }
        lines.append(
            f"| {name} | {figures['yongjing'][0]:.1f} ({figures['yongjing'][1]:.1f}) | "
            f"{figures['national'][0]:.1f} ({figures['national'][1]:.1f}) | {ratio:.2f} | "
            f"{queries['yongjing'][name]} / {queries['national'][name]} |"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "volunteers-run.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print("\n".join(lines))
    if "plan" in extra:
        print("\nnational candidates (active, Yongjing county):", extra.get("candidates"))
        print("\n".join(extra["plan"]["plan"]))  # type: ignore[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target-url", default=TARGET_URL)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--admin-url", default=ADMIN_URL)
    gen.add_argument("--tree-url", default=TREE_URL)
    gen.add_argument("--scales", nargs="+", choices=SCALES, default=list(SCALES))
    gen.add_argument("--seed", type=int, default=2023)
    measure = sub.add_parser("run")
    measure.add_argument("--n", type=int, default=100)
    measure.add_argument("--chunks", type=int, default=4)
    inner = sub.add_parser("_generate")
    inner.add_argument("--scale", choices=SCALES, required=True)
    inner.add_argument("--seed", type=int, default=2023)
    work = sub.add_parser("_worker")
    work.add_argument("--n", type=int, default=25)
    work.add_argument("--warmup", type=int, default=3)
    work.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args)
    elif args.command == "run":
        run(args)
    elif args.command == "_generate":
        import django

        django.setup()
        print(
            json.dumps(generate_in_process(args.scale, args.seed), ensure_ascii=False, default=str)
        )
    else:
        worker(args)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    main()
