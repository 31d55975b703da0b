#!/usr/bin/env python
"""Add special families and their care work to a PostgreSQL bench database made by generate.py.

    BENCH_PG_URL='postgres://fpabench:fpabench@localhost/fpa_bench_{scale}'
    .venv/bin/python bench/families_generate.py --scale yongjing --database-url "$BENCH_PG_URL"
    .venv/bin/python bench/families_generate.py --scale national --database-url "$BENCH_PG_URL" \
        --families 1000000 --care-per-family 10

Both scales hold the SAME Yongjing families (YONGJING_FAMILIES, spread over Yongjing's 134 villages
and communities, drawn with a fixed seed), so a Yongjing user's pages compare like with like. The
national scale adds the other families over every other village of the country. Per family: a
mother, a father and a child; two current contact persons (township and village cadre); a family
doctor (9 in 10), a green-channel card (8 in 10) and an insurance policy (6 in 10); an open need
(1 in 10); and `--care-per-family` care records over the last two years.

Rows are written by INSERT ... SELECT over generate_series on the server: the generator does not
go through the services (that is what the import bench measures). The stored values still have
the real forms: the ID and phone columns hold real AES-GCM ciphertexts (a pool of 1,000 valid
synthetic numbers encrypted by ProtectedField, reused), and every blind-index column holds a
distinct 64-hex value, so the unique index on ID numbers has one entry per person as in life.
Then ANALYZE. Also creates `bench_village` (村专干 at 622923100201 大庄村) if missing.
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

YONGJING_FAMILIES = 500
COUNTY_PATH = "/62/6229/622923/"
VILLAGE = "622923100201"  # 大庄村
PASSWORD = "Bench-Passw0rd!"
POOL = 1000


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    import django

    django.setup()


def ciphertext_pool() -> tuple[list[str], list[str]]:
    """POOL encrypted ID numbers and phones, as ProtectedField stores them."""
    from fpa.core.idnumbers import synthesize
    from fpa.families.models import Person

    id_field = Person._meta.get_field("id_number")
    phone_field = Person._meta.get_field("phone")
    ids, phones = [], []
    for i in range(POOL):
        number = synthesize("622923", datetime.date(1960, 1, 1) + datetime.timedelta(i), 2 * i)
        ids.append(id_field.get_db_prep_save(number, connection=None))
        phones.append(phone_field.get_db_prep_save(f"1390931{i:04d}", connection=None))
    return ids, phones


def make_village_user() -> None:
    from fpa.accounts.models import User
    from fpa.accounts.roles import Role
    from fpa.accounts.services import user_create
    from fpa.organizations.models import Association

    if not User.objects.filter(username="bench_village").exists():
        user_create(
            actor=None,
            username="bench_village",
            password=PASSWORD,
            full_name="bench_village",
            home_association=Association.objects.get(code=VILLAGE),
            roles=[Role.VILLAGE_STAFF],
        )


STEPS = {
    # the villages that receive families: Yongjing's first (ordinal 0..), then the others
    "targets": """
        CREATE TEMP TABLE bench_targets AS
        SELECT row_number() OVER (ORDER BY yongjing DESC, md5(code)) - 1 AS n, id, yongjing
        FROM (
            SELECT id, code, path LIKE %(county)s AS yongjing
            FROM organizations_association WHERE kind = 'village' AND valid_to IS NULL
        ) v;
        CREATE INDEX ON bench_targets (n);
        ANALYZE bench_targets;
    """,
    "families": """
        INSERT INTO families_family (created_at, updated_at, kind, status, address,
            registered_on, head_name, head_pinyin, head_initials, one_child_only, later_child,
            notes, version, association_id)
        SELECT now(), now(),
            (ARRAY['bereaved','disabled_child','complication'])[1 + i %% 3], 'active',
            '第' || (1 + i %% 9) || '社', DATE '2020-01-01' + (i %% 1500)::int,
            '王' || (ARRAY['桂兰','秀英','玉梅','淑珍','凤英'])[1 + i %% 5],
            'wang' || (ARRAY['guilan','xiuying','yumei','shuzhen','fengying'])[1 + i %% 5],
            'w' || (ARRAY['gl','xy','ym','sz','fy'])[1 + i %% 5],
            true, false, '', 1, t.id
        FROM generate_series(0::bigint, %(families)s - 1) AS i
        JOIN bench_targets t ON t.n = CASE
            WHEN i < %(yongjing)s THEN i %% %(yongjing_villages)s
            ELSE %(yongjing_villages)s + (i * 7919) %% %(other_villages)s END
        WHERE t.yongjing = (i < %(yongjing)s);
    """,
    "people": """
        INSERT INTO families_person (created_at, updated_at, role, name, id_number,
            id_number_hash, phone, phone_hash, birth_date, sex, marital_status, hukou,
            health_notes, deceased_on, death_date, death_cause, disability_type,
            disability_grade, disability_certificate, confirmed_by, family_id)
        SELECT now(), now(), r.role,
            CASE r.role WHEN 'mother' THEN f.head_name WHEN 'father' THEN '李建国' ELSE '李明' END,
            CASE WHEN r.role <> 'child'
                 THEN (%(ids)s::text[])[1 + (f.id * 3 + r.k) %% %(pool)s] END,
            CASE WHEN r.role <> 'child'
                 THEN encode(sha256(('id:' || f.id || ':' || r.role)::bytea), 'hex') ELSE '' END,
            CASE WHEN r.role = 'mother' THEN (%(phones)s::text[])[1 + f.id %% %(pool)s] END,
            CASE WHEN r.role = 'mother'
                 THEN encode(sha256(('phone:' || f.id)::bytea), 'hex') ELSE '' END,
            DATE '1960-01-01' + (f.id %% 3000)::int,
            CASE r.role WHEN 'father' THEN 'M' ELSE 'F' END,
            '', '', '', NULL,
            CASE WHEN r.role = 'child' AND f.kind = 'bereaved' THEN DATE '2019-03-02' END,
            '', '', CASE WHEN r.role = 'child' AND f.kind = 'disabled_child' THEN 2 END,
            '', '', f.id
        FROM families_family f
        CROSS JOIN (VALUES ('mother', 0), ('father', 1), ('child', 2)) AS r(role, k)
        WHERE f.id > %(after)s;
    """,
    "contacts": """
        INSERT INTO families_contact (created_at, updated_at, name, phone, phone_hash,
            start_date, end_date, user_id, role_id, family_id)
        SELECT now(), now(), c.name, NULL, '', DATE '2024-01-01', NULL, NULL, c.role_id, f.id
        FROM families_family f
        CROSS JOIN (
            SELECT id AS role_id, CASE code WHEN 'township_cadre' THEN '乡镇干部'
                ELSE '村干部' END AS name
            FROM families_contactrole WHERE code IN ('township_cadre', 'village_cadre')
        ) c
        WHERE f.id > %(after)s;
    """,
    "supports": """
        INSERT INTO families_support (created_at, updated_at, kind, provider, reference,
            product, premium, cover_amount, start_date, end_date, family_id)
        SELECT now(), now(), s.kind, s.provider, '', '', NULL, NULL, DATE '2024-01-01', NULL, f.id
        FROM families_family f
        CROSS JOIN (VALUES ('doctor', '乡镇卫生院', 10), ('green_channel', '县人民医院', 8),
                           ('insurance', '人保财险', 6)) AS s(kind, provider, per_ten)
        WHERE f.id > %(after)s AND (f.id %% 10) < s.per_ten;
    """,
    "needs": """
        INSERT INTO families_need (created_at, updated_at, description, due_date, status,
            result, closed_on, family_id, owner_id, raised_in_id)
        SELECT now(), now(), '就医陪护', DATE '2026-12-31', 'open', '', NULL, f.id, NULL, NULL
        FROM families_family f WHERE f.id > %(after)s AND f.id %% 10 = 3;
    """,
    "care": """
        INSERT INTO families_carerecord (created_at, updated_at, occurred_on, services, cares,
            notes, kind_id, recorded_by_id, contact_id, family_id)
        SELECT now(), now(), CURRENT_DATE - ((f.id * 37 + k * 73) %% 730)::int,
            '[]'::jsonb, '[]'::jsonb, '',
            (%(kinds)s::bigint[])[1 + (f.id + k) %% %(kind_count)s], %(user)s, NULL, f.id
        FROM families_family f CROSS JOIN generate_series(1, %(care)s) AS k
        WHERE f.id > %(after)s;
    """,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["yongjing", "national"], required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--families", type=int, default=YONGJING_FAMILIES)
    parser.add_argument("--care-per-family", type=int, default=10)
    args = parser.parse_args()
    url = args.database_url.replace("{scale}", args.scale)
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("PostgreSQL only: --database-url postgres://...")
    families = max(args.families, YONGJING_FAMILIES)
    if args.scale == "yongjing":
        families = YONGJING_FAMILIES
    setup(url)
    make_village_user()

    from django.db import connection, transaction

    from fpa.accounts.models import User
    from fpa.families.models import CareKind, Family

    if Family.objects.exists():
        raise SystemExit("this database has families already; regenerate it with generate.py")
    ids, phones = ciphertext_pool()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE path LIKE %s), count(*) FROM organizations_association"
            " WHERE kind = 'village' AND valid_to IS NULL",
            [COUNTY_PATH + "%"],
        )
        yongjing_villages, villages = cursor.fetchone()
    params = {
        "county": COUNTY_PATH + "%",
        "families": families,
        "yongjing": YONGJING_FAMILIES,
        "yongjing_villages": yongjing_villages,
        "other_villages": max(villages - yongjing_villages, 1),
        "after": 0,
        "ids": ids,
        "phones": phones,
        "pool": POOL,
        "kinds": list(CareKind.objects.order_by("id").values_list("id", flat=True)),
        "kind_count": CareKind.objects.count(),
        "user": User.objects.get(username="bench_county").pk,
        "care": args.care_per_family,
    }
    timings = {}
    for name, sql in STEPS.items():
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        timings[name] = round(time.perf_counter() - started, 1)
        print(f"{name}: {timings[name]} s", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = round(time.perf_counter() - started, 1)
    counts = {}
    with connection.cursor() as cursor:
        for table in ("family", "person", "contact", "support", "need", "carerecord"):
            cursor.execute(f"SELECT count(*) FROM families_{table}")
            counts[table] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM families_family f JOIN organizations_association a"
            " ON a.id = f.association_id WHERE a.path LIKE %s",
            [COUNTY_PATH + "%"],
        )
        counts["yongjing_families"] = cursor.fetchone()[0]
    figures = {"scale": args.scale, "seconds": timings, "rows": counts}
    print(json.dumps(figures, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"families-generate-{args.scale}.json"
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
