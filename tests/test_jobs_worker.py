"""A real task worker (`manage.py run_worker`) on real database files: a families import goes from
queued to running to done with its counters advancing; a worker killed mid-job leaves the job
failed, not running forever; on PostgreSQL two workers share one queue and run each job once.

On SQLite the worker and the "user" (tests.job_processes, its own process posting to the import
page) use a temp main file and a temp jobs file, migrated once per module and copied per test. On
PostgreSQL they use the test database itself (`transactional_db`: what they commit is visible, and
flushed after the test). The test process only reads the job rows.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from tests import job_processes as jp
from tests.conftest import require_postgres
from tests.job_processes import (  # noqa: F401 (fixtures: databases, sqlite_template)
    databases_fixture,
    sqlite_template_fixture,
)

# On PostgreSQL the processes use the test database: what they commit is flushed afterwards.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])

ROWS = 12000  # six batches of 2,000 (the families batch): long enough to be seen running
WORKER_DIED = "后台进程已中断（超过1分钟没有响应），任务没有完成。请重新提交。"


def seen_while(databases: jp.Databases, pk: int, timeout: float, log: Path) -> list[dict]:
    """Every distinct state of the job until it is finished."""
    states: list[dict] = []

    def finished() -> bool:
        row = databases.job(pk)
        if not states or row != states[-1]:
            states.append(row)
        return row["status"] in ("done", "failed", "cancelled")

    jp.wait_for(f"job {pk} finished", finished, timeout, log)
    return states


def test_the_queue_table_is_on_the_jobs_alias(databases: jp.Databases) -> None:
    """The router names django_tasks_db by its app label ("django_tasks_database"): its table
    follows the job rows (on SQLite into the jobs file, so enqueueing never waits for the main
    file's write lock during an import)."""
    from django.db import router
    from django_tasks_db.models import DBTaskResult

    assert router.db_for_write(DBTaskResult) == "jobs"
    assert router.db_for_read(DBTaskResult) == "jobs"
    tables = {
        row[0]
        for row in databases.query(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
            if databases.jobs_file
            else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
    }
    assert "django_tasks_database_dbtaskresult" in tables


def test_a_worker_runs_the_dry_run_and_the_commit_with_progress(
    databases: jp.Databases, tmp_path: Path
) -> None:
    # Progress written every 0.05 s instead of 0.5 s: a fast machine reads the rows in well under
    # half a second, and the counters between 0 and ROWS must still be seen.
    databases.extra_env.update(FPA_JOB_PROGRESS_SECONDS="0.05")
    log = tmp_path / "worker.log"
    job_id = int(jp.run(databases, "upload", str(ROWS), "1"))
    queued = databases.job(job_id)
    assert (queued["status"], queued["stage"], queued["rows_read"]) == (
        "queued",
        "排队等待后台处理",
        0,
    )  # no worker yet: it waits on the queue
    with jp.processes() as started:
        started.append(jp.start_worker(databases, log))
        states = seen_while(databases, job_id, 240, log)
        assert states[0]["status"] == "queued"
        running = [s for s in states if s["status"] == "running"]
        assert running, states
        reading = sorted({s["rows_read"] for s in running if 0 < s["rows_read"] < ROWS})
        assert reading, f"no progress seen between 0 and {ROWS} rows: {states}"
        assert {s["stage"] for s in running} <= {"开始处理", "打开文件并做安全检查", "逐行检查"}
        assert running[-1]["stage"] == "逐行检查"
        reads = [s["rows_read"] for s in states]
        assert reads == sorted(reads)  # counters only advance
        done = states[-1]
        assert (done["status"], done["rows_read"], done["rows_planned"], done["total"]) == (
            "done",
            ROWS,
            ROWS,
            ROWS,
        ), (done, log.read_text()[-3000:])
        assert done["rows_written"] == 0 and done["worker_id"]  # a dry run writes nothing

        commit_id = int(jp.run(databases, "confirm", done["token"]))
        states = seen_while(databases, commit_id, 300, log)
        final = states[-1]
        assert (final["status"], final["rows_written"], final["total"]) == ("done", ROWS, ROWS), (
            final,
            log.read_text()[-3000:],
        )
        written = [s["rows_written"] for s in states]
        assert written == sorted(written)
        page = json.loads(jp.run(databases, "page", str(commit_id)))
        assert page["status"] == 200
        assert f"导入完成：新登记{ROWS}户，修改0户，0户未变化。" in page["body"]


def test_a_worker_killed_mid_job_leaves_the_job_failed(
    databases: jp.Databases, tmp_path: Path
) -> None:
    """SIGKILL: no `finally`, no last write. With the heartbeat window shortened to 4 s (the
    setting FPA_JOB_STALE_SECONDS), the job page then says the worker died, and a new worker's
    first beat would have reaped it too."""
    databases.extra_env.update(FPA_JOB_STALE_SECONDS="4", FPA_JOB_HEARTBEAT_SECONDS="0.5")
    log = tmp_path / "worker.log"
    job_id = int(jp.run(databases, "upload", str(ROWS), "2"))
    with jp.processes() as started:
        worker = jp.start_worker(databases, log)
        started.append(worker)
        # Killed as soon as it is seen running: a fast machine reads the 12,000 rows between two
        # progress writes (at most two a second), so waiting for a row count could see the end.
        jp.wait_for(
            "the dry run running", lambda: databases.job(job_id)["status"] == "running", 240, log
        )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    row = databases.job(job_id)
    assert row["status"] == "running" and row["rows_read"] < ROWS, row  # what it left behind

    def shown_failed() -> dict | None:
        page = json.loads(jp.run(databases, "page", str(job_id)))
        return page if WORKER_DIED in page["body"] else None

    page = jp.wait_for("the job page saying the worker died", shown_failed, 60)
    assert page["status"] == 200 and "处理失败" in page["body"]
    row = databases.job(job_id)
    assert (row["status"], row["error"]) == ("failed", WORKER_DIED)

    # A live worker's job is never reaped: the next one runs to the end under the same window.
    again = int(jp.run(databases, "upload", "600", "3"))
    with jp.processes() as started:
        started.append(jp.start_worker(databases, log))
        final = seen_while(databases, again, 240, log)[-1]
    assert (final["status"], final["rows_read"]) == ("done", 600), final


def test_two_workers_on_one_queue_run_each_job_exactly_once(
    databases: jp.Databases, tmp_path: Path
) -> None:
    require_postgres()
    jobs = [int(jp.run(databases, "upload", "400", str(10 + n))) for n in range(6)]
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    with jp.processes() as started:
        started.append(jp.start_worker(databases, logs[0], name="worker-a"))
        started.append(jp.start_worker(databases, logs[1], name="worker-b"))
        for pk in jobs:
            final = seen_while(databases, pk, 240, logs[0])[-1]
            assert (final["status"], final["rows_read"]) == ("done", 400), (
                final,
                logs[1].read_text()[-2000:],
            )
            assert final["worker_id"] in ("worker-a", "worker-b")
    # The queue's own record: one result per job, each taken by one worker, each run to "done"
    # (a second run would have returned "skipped" and listed two workers).
    results: list[Any] = databases.query(
        "SELECT status, worker_ids, return_value, args_kwargs "
        "FROM django_tasks_database_dbtaskresult ORDER BY enqueued_at"
    )
    assert len(results) == len(jobs)
    for status, workers, value, _arguments in results:
        workers = workers if isinstance(workers, list) else json.loads(workers)
        value = value if not isinstance(value, str) or value == "done" else json.loads(value)
        assert (status, value, len(workers)) == ("SUCCESSFUL", "done", 1), (status, workers)
    args = sorted((a if isinstance(a, dict) else json.loads(a))["args"][0] for *_, a in results)
    assert args == sorted(jobs)
