#!/usr/bin/env python
"""Issue 16 at province scale on PostgreSQL: every county of a province with its reform task book
and its key-work assessment; a province's computed indicators frozen as background jobs; and the
township's task list and score sheet at national vs Yongjing scale.

The databases are issue14_bench.py's (bench/generate.py's tree, families_generate.py's special
families, issue14_bench.py's migrants, left-behind people and enrolments):

    # once per database: migrate (fpa.tasks, fpa.assessment, fpa.cadres), then for every county
    # of the province, through the services, as an account of that county: the plan's 21
    # measures, a task book of 200 tasks (20 handed down to every township), progress reports
    # and completions, a published scheme of 40 indicators (10 computed) and a round at county
    # scoring with its cut-off yesterday
    .venv/bin/python bench/reform_bench.py prepare --code 62 \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_national
    .venv/bin/python bench/reform_bench.py prepare --code 622923 \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_yongjing
    # the job: every county's round of the province frozen through round_freeze_start (one
    # `assessment.freeze` job per county), then `manage.py run_worker --batch` under
    # /usr/bin/time -v; per-county times from the job rows
    .venv/bin/python bench/reform_bench.py job --code 62 \
        --database-url postgres://fpabench:fpabench@localhost/fpa_issue14_bench_national
    # the pages, alternating the scales in fresh worker processes (members_bench's runner)
    .venv/bin/python bench/reform_bench.py run --n 30 --chunks 6 \
        --database-url 'postgres://fpabench:fpabench@localhost/fpa_issue14_bench_{scale}'

Everything is made through the services (scoped, audited), as the pages would make it. A county
already holding this year's scheme is skipped, so `prepare` can be run again after a stop; each
county is one transaction. Results: bench/results/reform-prepare-<db>-<code>.json,
reform-job-<db>-<code>.json, reform-bench.json, and Markdown on stdout.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))

from bench import members_bench  # noqa: E402

PASSWORD = "Bench-Passw0rd!"
YONGJING = "622923"
LIUJIAXIA = "622923100"
TASKS = 200
DELEGATED = 20
INDICATORS = 40
NAMES = [
    "task list (township)",
    "score sheet (township)",
    "round page (county)",
    "task list (county)",
    "score sheet, live values (township)",
]


def _setup(url: str) -> None:
    members_bench.setup(url)


def _migrate(url: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        check=True,
    )
    return round(time.perf_counter() - started, 1)


def _today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def _day(offset: int) -> datetime.date:
    return _today() + datetime.timedelta(days=offset)


def counties_of(code: str) -> list[Any]:
    """The current county associations at or under `code`, by code."""
    from fpa.organizations.models import Association

    root = Association.objects.get(code=code)
    rows = Association.objects.current().filter(kind=Association.Kind.COUNTY)
    if root.kind == Association.Kind.COUNTY:
        return [root]
    return list(rows.filter(path__startswith=root.path).order_by("code"))


def county_username(county: Any) -> str:
    """bench_county (generate.py's account) for 永靖县, bench_county_<code> elsewhere."""
    return "bench_county" if county.code == YONGJING else f"bench_county_{county.code}"


def _account(username: str, home: Any, role: str) -> Any:
    from fpa.accounts.models import User
    from fpa.accounts.services import user_create

    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        full_name=username,
        home_association=home,
        roles=[role],
    )


# --- prepare --------------------------------------------------------------------------------------

# The status pattern of task i (i % 10): (start offset, deadline offset, progress reported,
# completed by the county). Dates are relative to today, so the statuses hold whenever the bench
# is prepared: not started, on track, due within 7 days, overdue, waiting for acceptance.
PATTERNS = (
    (10, 120, None, False),  # not started
    (-60, 60, 40, False),  # on track (handed down when i < 100)
    (-30, 90, 20, False),  # on track
    (-60, 5, 70, False),  # due within 7 days
    (-150, -10, 60, False),  # overdue (handed down when i < 100)
    (-120, -20, None, False),  # overdue, never reported
    (-90, 20, 100, True),  # marked complete, waiting for acceptance
    (-20, 45, None, False),  # started, no report yet (not started)
    (-45, 30, 50, False),  # on track
    (-100, 3, 90, False),  # due within 7 days
)
HANDED_DOWN = (1, 4)  # patterns handed down to every township, for i < 100: 20 tasks


def _indicator_rows() -> list[dict[str, Any]]:
    """40 indicators, 100 points: 10 computed (each registered key twice, with two targets) at
    4 points, 30 scored at 2 points."""
    from fpa.assessment.models import Indicator
    from fpa.assessment.registry import registered_indicators

    keys = sorted(registered_indicators())
    rows = []
    computed = [(key, item) for key in keys for item in (0, 1)][:10]
    while len(computed) < 10:  # fewer than 5 keys registered: repeat them
        computed.append(computed[len(computed) % len(keys)])
    for number, (key, variant) in enumerate(computed, start=1):
        declared = registered_indicators()[key]
        target = declared.default_target if variant == 0 else declared.default_target / 2
        rows.append(
            {
                "area": "平台数据",
                "name": f"{number:02d} {declared.name}" + ("（基本）" if variant else ""),
                "weight": Decimal(4),
                "kind": Indicator.Kind.COMPUTED,
                "computed_key": key,
                "target": target,
                "rule": "达到目标值得满分，低于目标值按比例得分。",
                "evidence": "平台数据自动计算",
            }
        )
    areas = ("组织建设", "家庭关怀", "活动与服务", "改革推进", "宣传教育", "信息报送")
    for number in range(11, INDICATORS + 1):
        rows.append(
            {
                "area": areas[number % len(areas)],
                "name": f"{number:02d} 重点工作评分指标{number}",
                "weight": Decimal(2),
                "kind": Indicator.Kind.SCORED,
                "computed_key": "",
                "target": Decimal(100),
                "rule": "按评分规则酌情扣分，扣完为止。",
                "evidence": "工作记录、照片、文件",
            }
        )
    assert sum(r["weight"] for r in rows) == 100 and len(rows) == INDICATORS
    return rows


def prepare_county(county: Any, township_user: Any | None) -> dict[str, Any]:
    """One county's task book and assessment, as its own account, through the services."""
    from django.db import transaction

    from fpa.accounts.roles import Role
    from fpa.assessment import services as assess
    from fpa.assessment.models import Indicator
    from fpa.tasks import services as tasks
    from fpa.tasks.demo import MEASURES

    started = time.perf_counter()
    counts = {"tasks": 0, "handed_down": 0, "reports": 0, "completed": 0, "accepted": 0}
    with transaction.atomic():
        user = _account(county_username(county), county, Role.COUNTY_ADMIN)
        townships = assess.townships_of(county)
        measures = [
            tasks.measure_create(actor=user, number=number, title=title)
            for number, title in enumerate(MEASURES, start=1)
        ]
        own: dict[int, Any] = {}  # 刘家峡镇's copies, for its account's reports
        for i in range(TASKS):
            start, deadline, percent, complete = PATTERNS[i % 10]
            measure = measures[i % len(measures)]
            task = tasks.task_create(
                actor=user,
                measure=measure,
                title=f"{measure.title}：第{i + 1}项任务",
                association=county,
                start_on=_day(start),
                deadline=_day(deadline),
                deliverables="按期完成并上报佐证材料。",
                lead_department="县卫生健康局" if i % 3 else "",
            )
            counts["tasks"] += 1
            if i % 10 in HANDED_DOWN and i < 100 and townships:
                copies = tasks.task_delegate(actor=user, task=task, associations=townships)
                counts["handed_down"] += len(copies)
                for copy in copies:
                    if township_user is not None and copy.association_id == (
                        township_user.home_association_id
                    ):
                        own[i] = copy
            if percent is not None:
                tasks.report_add(
                    actor=user,
                    task=task,
                    reported_on=_today(),
                    text=f"已完成{percent}%，按计划推进。",
                    percent=percent,
                )
                counts["reports"] += 1
            if complete:
                tasks.task_complete(actor=user, task=task, note="已完成")
                counts["completed"] += 1
        # 刘家峡镇 (both scales): its account reports on its copies, completes four, and the
        # county accepts two of them, so its own list shows every status.
        for n, (_i, copy) in enumerate(sorted(own.items())):
            tasks.report_add(
                actor=township_user,
                task=copy,
                reported_on=_today(),
                text="本镇已部署落实，正在推进。",
                percent=30 + 3 * n,
            )
            counts["reports"] += 1
            if n % 5 == 0:
                tasks.task_complete(actor=township_user, task=copy, note="已完成")
                counts["completed"] += 1
                if n % 10 == 0:
                    tasks.task_accept(actor=user, task=copy, note="验收通过")
                    counts["accepted"] += 1
        year = _today().year
        scheme = assess.scheme_create(
            actor=user, county=county, year=year, title=f"{year}年度乡镇计生协重点工作考评方案"
        )
        indicators = [
            assess.indicator_save(
                actor=user,
                scheme=scheme,
                position=position,
                scorer=user if row["kind"] == Indicator.Kind.SCORED else None,
                **row,
            )
            for position, row in enumerate(_indicator_rows(), start=1)
        ]
        scheme = assess.scheme_publish(actor=user, scheme=scheme)
        round_ = assess.round_create(
            actor=user, scheme=scheme, title=f"{year}年度考评", cutoff=_day(-1)
        )
        round_ = assess.round_advance(actor=user, round_=round_)  # self-assessment
        self_scores = 0
        home = township_user.home_association if township_user is not None else None
        if home is not None and home.parent_id == county.pk:
            for number, indicator in enumerate(i for i in indicators if not i.computed):
                assess.self_assess(
                    actor=township_user,
                    round_=round_,
                    indicator=indicator,
                    township=home,
                    score=indicator.weight - number % 2,
                    note="已按要求完成，佐证材料见附件清单。",
                )
                self_scores += 1
        round_ = assess.round_advance(actor=user, round_=round_)  # county scoring
    return {
        "code": county.code,
        "townships": len(townships),
        **counts,
        "indicators": len(indicators),
        "self_scores": self_scores,
        "round": round_.pk,
        "seconds": round(time.perf_counter() - started, 2),
    }


def prepare(args: argparse.Namespace) -> None:
    """Migrate, then prepare every county of `--code` not prepared yet."""
    report: dict[str, Any] = {
        "database": args.database_url.rsplit("/", 1)[1],
        "code": args.code,
        "at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_before": os.getloadavg(),
    }
    report["migrate_s"] = _migrate(args.database_url)
    _setup(args.database_url)
    from django.apps import apps
    from django.db import connection

    from fpa.accounts.roles import Role
    from fpa.assessment.models import Scheme
    from fpa.organizations.models import Association

    township_user = _account(
        "bench_township", Association.objects.get(code=LIUJIAXIA), Role.TOWNSHIP_STAFF
    )
    counties = counties_of(args.code)
    if args.limit:
        counties = counties[: args.limit]
    year = _today().year
    started = time.perf_counter()
    done: list[dict[str, Any]] = []
    skipped = 0
    for n, county in enumerate(counties, start=1):
        if Scheme.objects.filter(county=county, year=year).exists():
            skipped += 1
            continue
        row = prepare_county(county, township_user)
        done.append(row)
        print(
            f"{n}/{len(counties)} {county.code} {county.name}: {row['townships']} townships, "
            f"{row['tasks'] + row['handed_down']} tasks, {row['seconds']} s "
            f"(load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    report["prepare_s"] = round(time.perf_counter() - started, 1)
    started = time.perf_counter()
    tables = [
        model._meta.db_table
        for label in ("tasks", "assessment", "cadres", "core", "notifications", "accounts")
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy and model._meta.managed
    ]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'VACUUM ANALYZE "{table}"')
    report["analyze_s"] = round(time.perf_counter() - started, 1)
    report["counties"] = len(counties)
    report["skipped"] = skipped
    report["prepared"] = done
    report["size"] = _sizes(args.code)
    report["load_after"] = os.getloadavg()
    if done:
        seconds = sorted(r["seconds"] for r in done)
        report["per_county_s"] = {
            "min": seconds[0],
            "median": statistics.median(seconds),
            "max": seconds[-1],
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"reform-prepare-{report['database']}-{args.code}.json"
    (RESULTS / name).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k != "prepared"}, ensure_ascii=False))


def _sizes(code: str) -> dict[str, int]:
    """What the province holds now (all counties of `code`)."""
    from fpa.assessment.models import Indicator, Round, Scheme, Score
    from fpa.core.models import AuditEvent
    from fpa.organizations.models import Association
    from fpa.tasks.models import Measure, ProgressReport, Step, Task

    root = Association.objects.get(code=code)
    under = {"association__path__startswith": root.path}
    return {
        "measures": Measure.objects.filter(**under).count(),
        "tasks": Task.objects.filter(**under).count(),
        "tasks_all": Task.objects.count(),
        "progress_reports": ProgressReport.objects.filter(
            task__association__path__startswith=root.path
        ).count(),
        "steps": Step.objects.filter(task__association__path__startswith=root.path).count(),
        "schemes": Scheme.objects.filter(county__path__startswith=root.path).count(),
        "indicators": Indicator.objects.filter(scheme__county__path__startswith=root.path).count(),
        "rounds": Round.objects.filter(scheme__county__path__startswith=root.path).count(),
        "scores": Score.objects.filter(**under).count(),
        "audit_rows": AuditEvent.objects.count(),
    }


# --- job ------------------------------------------------------------------------------------------


def _rounds(code: str) -> list[tuple[Any, Any, Any]]:
    """(county, its account, this year's round) for every prepared county of `code`."""
    from fpa.accounts.models import User
    from fpa.assessment.models import Round

    out = []
    year = _today().year
    for county in counties_of(code):
        round_ = (
            Round.objects.filter(scheme__county=county, scheme__year=year)
            .select_related("scheme__county")
            .order_by("-id")
            .first()
        )
        if round_ is None:
            continue
        out.append((county, User.objects.get(username=county_username(county)), round_))
    return out


def job(args: argparse.Namespace) -> None:
    """Start every county's freeze through the service, run the queue with the real worker
    command under /usr/bin/time -v, and read the job rows."""
    _setup(args.database_url)
    from fpa.assessment import services
    from fpa.assessment.models import Snapshot
    from fpa.core.models import Job

    waiting = Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).count()
    if waiting:
        raise SystemExit(f"{waiting} jobs already queued or running in this database: not mixing")
    rounds = _rounds(args.code)
    if not rounds:
        raise SystemExit("no prepared county: run prepare first")
    load_before = os.getloadavg()
    jobs: dict[int, str] = {}
    enqueue_started = time.perf_counter()
    for county, user, round_ in rounds:
        started = services.round_freeze_start(actor=user, round_=round_, version=round_.version)
        jobs[started.pk] = county.code
    enqueue_s = round(time.perf_counter() - enqueue_started, 2)
    workers = []
    for _ in range(args.workers):
        workers.append(
            subprocess.Popen(
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
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    timings = []
    stderr_tail = ""
    wanted = ("Elapsed (wall", "Maximum resident", "User time", "System time")
    for proc in workers:
        _out, err = proc.communicate()
        timings.append(
            dict(
                line.strip().rsplit(": ", 1)
                for line in err.splitlines()
                if line.strip().startswith(wanted) and ": " in line
            )
        )
        if proc.returncode:
            stderr_tail += err[-2000:]
    load_after = os.getloadavg()
    rows = list(Job.objects.filter(pk__in=jobs).order_by("pk"))
    per_county = []
    for row in rows:
        seconds = (
            (row.finished_at - row.started_at).total_seconds()
            if row.finished_at and row.started_at
            else None
        )
        per_county.append(
            {
                "code": jobs[row.pk],
                "job": row.pk,
                "status": row.status,
                "townships": row.total,
                "seconds": round(seconds, 3) if seconds is not None else None,
                **({"error": row.error} if row.status != Job.Status.DONE else {}),
            }
        )
    finished = [row.finished_at for row in rows if row.finished_at]
    started_at = [row.started_at for row in rows if row.started_at]
    seconds = sorted(r["seconds"] for r in per_county if r["seconds"] is not None)
    slowest = max(per_county, key=lambda r: r["seconds"] or 0)
    out = {
        "database": args.database_url.rsplit("/", 1)[1],
        "code": args.code,
        "counties": len(rounds),
        "workers": args.workers,
        "jobs": len(rows),
        "all_done": all(r.status == Job.Status.DONE for r in rows),
        "statuses": sorted({r.status for r in rows}),
        "townships": sum(r.total or 0 for r in rows),
        "snapshots": Snapshot.objects.filter(round__in=[r for _c, _u, r in rounds]).count(),
        "enqueue_s": enqueue_s,
        "first_start_to_last_finish_s": round((max(finished) - min(started_at)).total_seconds(), 2)
        if finished and started_at
        else None,
        "per_county_s": {
            "min": seconds[0] if seconds else None,
            "median": statistics.median(seconds) if seconds else None,
            "max": seconds[-1] if seconds else None,
            "slowest": slowest["code"],
            "slowest_townships": slowest["townships"],
        },
        "worker": timings,
        "load_before": load_before,
        "load_after": load_after,
        "at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "per_county": per_county,
    }
    if stderr_tail:
        out["stderr"] = stderr_tail
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"reform-job-{out['database']}-{args.code}.json"
    (RESULTS / name).write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in out.items() if k != "per_county"}, ensure_ascii=False))


def profile(args: argparse.Namespace) -> None:
    """cProfile one county's `round_freeze`, after one run to warm up (each in a transaction
    rolled back: the frozen values stay as they were)."""
    _setup(args.database_url)
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from fpa.assessment import services

    found = [r for r in _rounds(args.code) if r[0].code == args.county] or _rounds(args.code)[:1]
    county, user, round_ = found[0]
    with transaction.atomic():  # warm-up: the URL conf, the registries, the caches
        services.round_freeze(actor=user, round_=round_)
        transaction.set_rollback(True)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured, transaction.atomic():
        profiler.enable()
        services.round_freeze(actor=user, round_=round_)
        profiler.disable()
        transaction.set_rollback(True)
    seconds = time.perf_counter() - started
    queries = sum(1 for q in captured.captured_queries)
    sql_s = sum(float(q["time"]) for q in captured.captured_queries)
    print(
        f"{county.code} {county.name}: {seconds:.2f} s, {queries} queries "
        f"({sql_s:.2f} s in SQL as Django timed it), load {os.getloadavg()}"
    )
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer).sort_stats("cumulative")
    stats.print_stats(40)
    print(buffer.getvalue())
    by_sql: dict[str, list[float]] = {}
    for q in captured.captured_queries:
        shape = q["sql"].split(" WHERE ")[0][:160]
        by_sql.setdefault(shape, []).append(float(q["time"]))
    for shape, times in sorted(by_sql.items(), key=lambda kv: -sum(kv[1]))[:15]:
        print(f"{len(times):5d} x {sum(times):7.3f} s  {shape}")


def indicators(args: argparse.Namespace) -> None:
    """Every registered computed indicator for every township of the province, as the freeze
    computes them (each county's account, one reading per county, `prepare` first), without
    writing anything: seconds and queries per indicator key. The prepared schemes hold only the
    keys registered when `prepare` ran; this measures them all."""
    _setup(args.database_url)
    from django.db import connection

    from fpa.assessment.registry import registered_indicators
    from fpa.assessment.services import townships_of
    from fpa.core.todo import one_reading

    registry = registered_indicators()
    seconds = dict.fromkeys(registry, 0.0)
    queries: dict[str, int] = dict.fromkeys(registry, 0)
    current = {"key": ""}  # "": the townships and rounds themselves

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[current["key"]] = queries.get(current["key"], 0) + 1
        return execute(sql, params, many, context)

    rounds = _rounds(args.code)
    townships = 0
    load_before = os.getloadavg()
    started_all = time.perf_counter()
    with connection.execute_wrapper(count):
        for county, user, round_ in rounds:
            year, cutoff = round_.scheme.year, round_.cutoff
            places = townships_of(county)
            townships += len(places)
            with one_reading():
                for key, declared in sorted(registry.items()):
                    current["key"] = key
                    started = time.perf_counter()
                    if declared.prepare is not None:
                        declared.prepare(user, county, year, cutoff)
                    for township in places:
                        declared.compute(user, township, year, cutoff)
                    seconds[key] += time.perf_counter() - started
    out = {
        "database": args.database_url.rsplit("/", 1)[1],
        "counties": len(rounds),
        "townships": townships,
        "total_s": round(time.perf_counter() - started_all, 1),
        "per_key": {
            key: {"s": round(seconds[key], 2), "queries": queries[key]} for key in sorted(registry)
        },
        "other_queries": queries.get("", 0),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"reform-indicators-{out['database']}-{args.code}.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1)
    )
    print(json.dumps(out, ensure_ascii=False, indent=1))


# --- run ------------------------------------------------------------------------------------------


def pages() -> list[tuple[str, str, str]]:
    from fpa.assessment.models import Round

    round_ = (
        Round.objects.filter(scheme__county__code=YONGJING, scheme__year=_today().year)
        .order_by("-id")
        .first()
    )
    assert round_ is not None, "run prepare first"
    sheet = f"/assessment/rounds/{round_.pk}/{LIUJIAXIA}/"
    return [
        ("task list (township)", "bench_township", "/tasks/"),
        ("score sheet (township)", "bench_township", sheet),
        ("round page (county)", "bench_county", f"/assessment/rounds/{round_.pk}/"),
        ("task list (county)", "bench_county", "/tasks/"),
        ("score sheet, live values (township)", "bench_township", sheet + "?live=1"),
    ]


def worker(args: argparse.Namespace) -> None:
    members_bench.worker(args, pages=pages, tables='"')


def run(args: argparse.Namespace) -> None:
    load_before = os.getloadavg()
    members_bench.run(args, script=__file__, out_name="reform-bench.json", names=NAMES)
    print(f"load average before {load_before}, after {os.getloadavg()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--database-url", required=True)
    p.add_argument("--code", default="62", help="a province (62) or a county (622923)")
    p.add_argument("--limit", type=int, default=0, help="prepare the first N counties only")
    j = sub.add_parser("job")
    j.add_argument("--database-url", required=True)
    j.add_argument("--code", default="62")
    j.add_argument("--workers", type=int, default=1, help="run_worker processes side by side")
    f = sub.add_parser("profile")
    f.add_argument("--database-url", required=True)
    f.add_argument("--code", default="62")
    f.add_argument("--county", default=YONGJING)
    x = sub.add_parser("indicators")
    x.add_argument("--database-url", required=True)
    x.add_argument("--code", default="62")
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
    {
        "prepare": prepare,
        "job": job,
        "profile": profile,
        "indicators": indicators,
        "run": run,
        "worker": worker,
    }[args.command](args)


if __name__ == "__main__":
    main()
