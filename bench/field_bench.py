#!/usr/bin/env python
"""Issue 17's server side at national scale on PostgreSQL: a contact person's field work
download and the sync of 100 visits recorded offline (`/api/v1/field/`).

The database is issue14_bench.py's (bench/generate.py's national tree with families_generate.py's
1,000,000 special families, or the Yongjing one):

    # once: migrate, then a contact person `bench_field` (a volunteer account of 大庄村) who
    # looks after 50 active families of 刘家峡镇, assigned through the services as bench_township
    .venv/bin/python bench/field_bench.py prepare \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_national
    # the download and the sync, in process (Django test client with a bearer token)
    .venv/bin/python bench/field_bench.py run --n 30 \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_national

`run` registers a phone, then times `GET /api/v1/field/work` (median, p95, queries, the body's
bytes plain and gzipped: the bytes a phone on a slow line receives), and `POST /api/v1/field/sync`
with 100 visits (each run new keys, in a transaction rolled back after, so the database stays as
prepared) and the same 100 sent again (a retry after a lost answer: nothing applied, the stored
answers returned). Figures to bench/results/field-<db>.json and Markdown on stdout.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench import members_bench  # noqa: E402

DAZHUANG = "622923100201"
FAMILIES = 50
VISITS = 100


def _setup(url: str) -> None:
    members_bench.setup(url)


def _migrate(url: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        check=True,
    )


def prepare(args: argparse.Namespace) -> None:
    _migrate(args.database_url)
    _setup(args.database_url)
    from django.db import transaction
    from django.utils import timezone

    from fpa.accounts.models import User
    from fpa.accounts.roles import Role
    from fpa.accounts.services import user_create
    from fpa.families import services as family_services
    from fpa.families.models import Contact, ContactRole, Family
    from fpa.organizations.models import Association

    township = User.objects.get(username="bench_township")
    village = Association.objects.get(code=DAZHUANG)
    with transaction.atomic():
        field = User.objects.filter(username="bench_field").first()
        if field is None:
            field = user_create(
                actor=None,
                username="bench_field",
                password="Bench-Passw0rd!",
                full_name="外勤联系人",
                home_association=village,
                roles=[Role.VOLUNTEER],
            )
        have = Contact.objects.filter(user=field, end_date__isnull=True).count()
        role = ContactRole.objects.get(code="member_or_volunteer")
        families = list(
            Family.objects.active()
            .filter(association__path__startswith=village.parent.path)
            .exclude(contacts__user=field)
            .order_by("pk")[: max(0, FAMILIES - have)]
        )
        for family in families:
            family_services.contact_assign(
                actor=township,
                family=family,
                role=role,
                name="",
                user=field,
                start_date=timezone.localdate() - datetime.timedelta(days=30),
            )
    total = Contact.objects.filter(user=field, end_date__isnull=True).count()
    print(json.dumps({"contact_person": "bench_field", "families": total}))


def _visits(work: dict[str, Any], keys: list[str]) -> list[dict[str, Any]]:
    families = work["families"]
    today = datetime.date.today().isoformat()
    made = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)).isoformat()
    return [
        {
            "type": "care",
            "key": key,
            "made_at": made,
            "family": families[n % len(families)]["id"],
            "base_version": families[n % len(families)]["version"],
            "kind": "routine_visit",
            "occurred_on": today,
            "services": ["visit"],
            "cares": ["visiting"],
            "notes": "入户走访，了解近况。",
        }
        for n, key in enumerate(keys)
    ]


def _stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "min_ms": round(ordered[0], 1),
    }


def run(args: argparse.Namespace) -> None:
    _setup(args.database_url)
    from django.db import connection, transaction
    from django.test import Client

    from fpa.accounts.models import User
    from fpa.accounts.services import token_issue
    from fpa.field import services

    user = User.objects.get(username="bench_field")
    _, token = token_issue(user=user, name="field bench")
    client = Client(headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
    device = services.device_register(actor=user, label="bench", session_key=None).device
    headers = {"HTTP_X_FPA_DEVICE": str(device.pk)}
    load_before = os.getloadavg()

    for _ in range(args.warmup):
        assert client.get("/api/v1/field/work", **headers).status_code == 200
    downloads = []
    for _ in range(args.n):
        started = time.perf_counter()
        response = client.get("/api/v1/field/work", **headers)
        downloads.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    sent = response.content  # as the phone receives it (gzip)
    assert response["Content-Encoding"] == "gzip"
    body = gzip.decompress(sent)
    work = json.loads(body)
    statements: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):  # survives the request's reset of the query log
        client.get("/api/v1/field/work", **headers)
    sync_statements: list[str] = []

    syncs, retries = [], []
    for _ in range(args.n):
        keys = [str(uuid.uuid4()) for _ in range(VISITS)]
        payload = {"changes": _visits(work, keys)}
        with transaction.atomic():
            started = time.perf_counter()
            if not sync_statements:
                with connection.execute_wrapper(
                    lambda execute, sql, params, many, context: (
                        sync_statements.append(sql) or execute(sql, params, many, context)
                    )
                ):
                    response = client.post(
                        "/api/v1/field/sync", payload, "application/json", **headers
                    )
            else:
                response = client.post("/api/v1/field/sync", payload, "application/json", **headers)
            syncs.append((time.perf_counter() - started) * 1000)
            answers = response.json()["answers"]
            assert [a["outcome"] for a in answers] == ["applied"] * VISITS, answers[:3]
            started = time.perf_counter()
            again = client.post("/api/v1/field/sync", payload, "application/json", **headers)
            retries.append((time.perf_counter() - started) * 1000)
            assert all(a["repeated"] for a in again.json()["answers"])
            transaction.set_rollback(True)
    services.device_end(actor=user, device=device)

    out = {
        "database": args.database_url.rsplit("/", 1)[1],
        "families": len(work["families"]),
        "download": {
            **_stats(downloads),
            "queries": len(statements),
            "bytes": len(body),
            "sent_bytes": len(sent),
        },
        "sync_100_visits": {**_stats(syncs), "queries": len(sync_statements)},
        "retry_100_visits": _stats(retries),
        "n": args.n,
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"field-{out['database']}.json").write_text(json.dumps(out, indent=1))
    print(json.dumps(out, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--database-url", required=True)
    r = sub.add_parser("run")
    r.add_argument("--database-url", required=True)
    r.add_argument("--n", type=int, default=30)
    r.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    {"prepare": prepare, "run": run}[args.command](args)


if __name__ == "__main__":
    main()
