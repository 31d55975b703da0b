#!/usr/bin/env python
"""Issue 15 at national scale on PostgreSQL: a province's annual report derived county by county
as a background job, and the report pages and the overview (驾驶舱) at national vs Yongjing scale.

The databases are issue14_bench.py's (bench/generate.py's tree, families_generate.py's special
families, issue14_bench.py's migrants, left-behind people and enrolments):

    # once per database: migrate (the reports' and notifications' tables), add the province
    # account and the township's draft report of last month
    .venv/bin/python bench/reports_bench.py prepare \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_national
    # the job: 导出实时数据 of 甘肃省 (62) for the annual work report, posted through the real
    # view as bench_province, then `manage.py run_worker --batch` under /usr/bin/time -v
    .venv/bin/python bench/reports_bench.py job --code 62 --kind annual_work \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_national
    # the pages, alternating the scales in fresh worker processes (members_bench's runner)
    .venv/bin/python bench/reports_bench.py run --n 30 --chunks 6 \
        --database-url 'postgres://fpabench:fpabench@localhost/fpa_issue14_bench_{scale}'

Results: bench/results/reports-bench.json, reports-job-<code>.json and Markdown on stdout.
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

NAMES = [
    "report page (township)",
    "own reports (township)",
    "below (county)",
    "overview (county)",
    "overview (township)",
    "home page (county)",
]


def _setup(url: str) -> None:
    members_bench.setup(url)


def _report_pk() -> int:
    from fpa.reports.models import Report

    return Report.objects.get(
        association__code="622923100", kind="monthly_special", period=_last_month()
    ).pk


def _last_month() -> str:
    from django.utils import timezone

    from fpa.reports.fields import MONTH, last_complete

    return last_complete(MONTH, timezone.localdate()).key


def pages() -> list[tuple[str, str, str]]:
    return [
        ("report page (township)", "bench_township", f"/reports/{_report_pk()}/"),
        ("own reports (township)", "bench_township", "/reports/"),
        ("below (county)", "bench_county", "/reports/below/?kind=monthly_special"),
        ("overview (county)", "bench_county", "/overview/"),
        ("overview (township)", "bench_township", "/overview/"),
        ("home page (county)", "bench_county", "/"),
    ]


# --- prepare --------------------------------------------------------------------------------------


def prepare(args: argparse.Namespace) -> None:
    """Migrate, add bench_province (a county-level administrator's role at 甘肃省) and open the
    township's monthly report of last month through the service (idempotent)."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        },
        check=True,
    )
    _setup(args.database_url)
    from fpa.accounts.models import User
    from fpa.accounts.roles import Role
    from fpa.accounts.services import user_create
    from fpa.organizations.models import Association
    from fpa.reports import selectors, services
    from fpa.reports.kinds import MONTHLY_SPECIAL

    if not User.objects.filter(username="bench_province").exists():
        user_create(
            actor=None,
            username="bench_province",
            password="Bench-Passw0rd!",
            full_name="bench_province",
            home_association=Association.objects.get(code="62"),
            roles=[Role.COUNTY_ADMIN],
        )
        print("bench_province created")
    township = User.objects.get(username="bench_township")
    area = Association.objects.get(code="622923100")
    period = selectors.period_of(MONTHLY_SPECIAL, _last_month())
    report = services.report_open(
        actor=township, association=area, kind=MONTHLY_SPECIAL, period=period
    )
    print(f"report {report.pk} ({report.status}) of {area.name} for {period.key}")


# --- job --------------------------------------------------------------------------------------


def job(args: argparse.Namespace) -> None:
    """Post 导出实时数据 as bench_province, run the queue with the real worker command under
    /usr/bin/time -v, and read the job row."""
    _setup(args.database_url)
    from django.test import Client

    from fpa.accounts.middleware import LOGIN_AT
    from fpa.accounts.models import User
    from fpa.core.models import Job
    from fpa.reports import selectors

    user = User.objects.get(username=args.username)
    client = Client()
    client.force_login(user)
    session = client.session
    session[LOGIN_AT] = time.time()
    session.save()
    kind = selectors.kind_get(args.kind)
    assert kind is not None, args.kind
    period = args.period or selectors.period_of(kind, None).key
    response = client.post(
        "/reports/below/live/", {"kind": args.kind, "period": period, "code": args.code}
    )
    if response.status_code != 302 or not response["Location"].startswith("/jobs/"):
        raise SystemExit(f"not enqueued: HTTP {response.status_code} {response.get('Location')}")
    pk = int(response["Location"].split("/")[2])
    proc = subprocess.run(
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            "manage.py",
            "run_worker",
            "--batch",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": args.database_url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
        },
        capture_output=True,
        text=True,
    )
    wanted = ("Elapsed (wall", "Maximum resident", "User time", "System time")
    timing = dict(
        line.strip().rsplit(": ", 1)
        for line in proc.stderr.splitlines()
        if line.strip().startswith(wanted) and ": " in line
    )
    done = Job.objects.get(pk=pk)
    seconds = (
        (done.finished_at - done.started_at).total_seconds()
        if done.finished_at and done.started_at
        else None
    )
    out = {
        "database": args.database_url.rsplit("/", 1)[1],
        "code": args.code,
        "kind": args.kind,
        "period": period,
        "job": pk,
        "status": done.status,
        "units": done.total,
        "job_seconds": seconds,
        "worker": timing,
        "at": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    if done.status != "done":
        out["error"] = done.error
        out["stderr"] = proc.stderr[-2000:]
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"reports-job-{out['database']}-{args.code}-{args.kind}.json"
    (RESULTS / name).write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps(out, ensure_ascii=False, indent=1))


# --- run --------------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> None:
    members_bench.worker(args, pages=pages, tables='"')


def run(args: argparse.Namespace) -> None:
    members_bench.run(args, script=__file__, out_name="reports-bench.json", names=NAMES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--database-url", required=True)
    j = sub.add_parser("job")
    j.add_argument("--database-url", required=True)
    j.add_argument("--code", default="62")
    j.add_argument("--kind", default="annual_work")
    j.add_argument("--period", default="", help="default: the kind's last complete period")
    j.add_argument("--username", default="bench_province")
    r = sub.add_parser("run")
    r.add_argument("--database-url", required=True, help="with {scale}")
    r.add_argument("--n", type=int, default=30)
    r.add_argument("--chunks", type=int, default=6)
    r.add_argument("--warmup", type=int, default=3)
    r.add_argument("--explain", action="store_true")
    w = sub.add_parser("worker")
    w.add_argument("--database-url", required=True)
    w.add_argument("--n", type=int, default=10)
    w.add_argument("--warmup", type=int, default=3)
    w.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    {"prepare": prepare, "job": job, "run": run, "worker": worker}[args.command](args)


if __name__ == "__main__":
    main()
