"""Real processes for the background-job tests: a migrated pair of database files, task workers,
scripts/serve.py, and a small command line (`python -m tests.job_processes ...`) that acts as a
user in its own process (the job is enqueued on the database queue, not run in the request).

The test process only reads the job rows (plain SQL on the jobs database), so what it sees is what
the worker wrote and committed.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
USERNAME = "jobs_county"
JOB_COLUMNS = (
    "id",
    "status",
    "stage",
    "rows_read",
    "rows_planned",
    "rows_written",
    "total",
    "error",
    "worker_id",
    "token",
)


@dataclass
class Databases:
    """Where a subprocess's "default" and "jobs" aliases point."""

    main_url: str
    jobs_url: str
    var_dir: Path
    jobs_file: Path | None = None  # SQLite: read the job rows from here
    extra_env: dict[str, str] = field(default_factory=dict)

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DJANGO_", "FPA_")) and k != "DATABASE_URL"
        }
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=self.main_url,
            FPA_VAR_DIR=str(self.var_dir),
            FPA_TASKS_BACKEND="database",
            PYTHONDONTWRITEBYTECODE="1",
        )
        if self.jobs_url:
            env["FPA_JOBS_DATABASE_URL"] = self.jobs_url
        env.update(self.extra_env)
        env.update(extra)
        return env

    def job(self, pk: int) -> dict[str, Any]:
        """The job row as the worker last committed it."""
        sql = f"SELECT {', '.join(JOB_COLUMNS)} FROM core_job WHERE id = %s"
        if self.jobs_file is not None:
            with contextlib.closing(sqlite3.connect(self.jobs_file, timeout=20)) as db:
                row = db.execute(sql.replace("%s", "?"), (pk,)).fetchone()
        else:
            from django.db import connections

            with connections["jobs"].cursor() as cursor:
                cursor.execute(sql, [pk])
                row = cursor.fetchone()
        assert row is not None, f"no job {pk}"
        return dict(zip(JOB_COLUMNS, row, strict=True))

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of a query on the jobs database (the queue's table lives there too)."""
        if self.jobs_file is not None:
            with contextlib.closing(sqlite3.connect(self.jobs_file, timeout=20)) as db:
                return db.execute(sql).fetchall()
        from django.db import connections

        with connections["jobs"].cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()


def run(databases: Databases, *args: str, timeout: float = 300, **env: str) -> str:
    """`python -m tests.job_processes <args>` (or manage.py when args start with "manage"):
    its stdout; a failure shows its output."""
    command = [PYTHON, "manage.py", *args[1:]] if args[0] == "manage" else [PYTHON, "-m", __name__]
    if args[0] != "manage":
        command += list(args)
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=databases.env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"{args} failed:\n{result.stdout}\n{result.stderr[-4000:]}")
    return result.stdout


def prepare(databases: Databases) -> None:
    """Migrate both aliases and add Yongjing's tree and one county administrator."""
    run(databases, "manage", "migrate", "--noinput", "-v0")
    run(databases, "manage", "migrate", "--noinput", "-v0", "--database", "jobs")
    run(databases, "setup")


def sqlite_copy(template: Databases, folder: Path) -> Databases:
    """A fresh copy of a prepared pair of SQLite files (migrating takes half a minute)."""
    folder.mkdir(parents=True, exist_ok=True)
    main = folder / "main.sqlite3"
    jobs = folder / "jobs.sqlite3"
    shutil.copyfile(Path(template.main_url.removeprefix("sqlite:///")), main)
    shutil.copyfile(template.jobs_file, jobs)  # type: ignore[arg-type]
    (folder / "var").mkdir(exist_ok=True)
    return Databases(
        main_url=f"sqlite:///{main}",
        jobs_url=f"sqlite:///{jobs}",
        var_dir=folder / "var",
        jobs_file=jobs,
    )


def start_worker(databases: Databases, log: Path, name: str = "", **env: str) -> subprocess.Popen:
    extra = {"FPA_WORKER_ID": name} if name else {}
    with log.open("ab") as handle:
        return subprocess.Popen(
            [PYTHON, "manage.py", "run_worker", "--no-startup-delay", "--interval", "0.2"],
            cwd=ROOT,
            env=databases.env(**extra, **env),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for(what: str, check: Any, timeout: float, log: Path | None = None) -> Any:
    """Poll `check()` until it returns something true; fail with `what` after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what}: not within {timeout:.0f} s\n{tail}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (children, grandchildren), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def kill_all(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", name="sqlite_template")
def sqlite_template_fixture(tmp_path_factory: pytest.TempPathFactory) -> Databases | None:
    """A migrated, prepared pair of SQLite files (None on PostgreSQL)."""
    if connection.vendor != "sqlite":
        return None
    folder = tmp_path_factory.mktemp("jobs-template")
    (folder / "var").mkdir()
    template = Databases(
        main_url=f"sqlite:///{folder / 'main.sqlite3'}",
        jobs_url=f"sqlite:///{folder / 'jobs.sqlite3'}",
        var_dir=folder / "var",
        jobs_file=folder / "jobs.sqlite3",
    )
    prepare(template)
    return template


@pytest.fixture(name="databases")
def databases_fixture(
    request: pytest.FixtureRequest, sqlite_template: Databases | None, tmp_path: Path
) -> Iterator[Databases]:
    if sqlite_template is not None:
        yield sqlite_copy(sqlite_template, tmp_path)
        return
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    (tmp_path / "var").mkdir()
    found = Databases(main_url=url, jobs_url="", var_dir=tmp_path / "var")
    run(found, "setup")
    yield found


# --- the command line: runs inside its own Django process --------------------------------------


def families_workbook(count: int, seed: int = 0) -> bytes:
    """`count` new bereaved families spread over 刘家峡镇's villages, with valid synthetic ID
    numbers and phones (the sheet the families import page takes)."""
    import io

    import xlsxwriter

    from fpa.core.idnumbers import synthesize
    from fpa.families.excel import FAMILY_SHEET
    from fpa.organizations.models import Association

    villages = list(
        Association.objects.filter(code__startswith="622923100", code__regex=r"^\d{12}$")
        .order_by("code")
        .values_list("code", flat=True)
    ) or ["622923100201"]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(FAMILY_SHEET.title)
    sheet.write_row(0, 0, [column.header for column in FAMILY_SHEET.columns])
    start = datetime.date(1955 + seed * 3, 1, 1)
    surnames, given = "王李张刘陈杨黄赵吴周", "秀英兰芳敏静丽华玉萍"
    for i in range(count):
        values = {
            "association": villages[i % len(villages)],
            "kind": "失独家庭",
            "mother_name": surnames[i % 10] + given[(i // 10) % 10] + given[(i // 100) % 10],
            "mother_id_number": synthesize(
                "622923", start + datetime.timedelta(days=i // 400), 2 * (i % 400) + 100
            ),
            "mother_phone": f"139{seed:02d}{i:06d}",
            "child_name": surnames[(i + 3) % 10] + "明",
            "child_death_date": "2019-03-02",
            "address": f"第{i % 9 + 1}社",
            "registered_on": "2024-05-01",
        }
        sheet.write_row(i + 1, 0, [values.get(c.field, "") for c in FAMILY_SHEET.columns])
    book.close()
    return buffer.getvalue()


def _client() -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.conftest import login

    return login(Client(), get_user_model().objects.get(username=USERNAME))


def _job_of(response: Any) -> int:
    location = response.get("Location", "")
    assert response.status_code == 302 and location.startswith("/jobs/"), (
        response.status_code,
        response.content[:2000],
    )
    return int(location.split("/")[2])


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    command = argv[0]
    if command == "setup":
        from fpa.accounts.roles import Role
        from fpa.organizations.divisions import YONGJING_FILE, read_file
        from fpa.organizations.services import divisions_load
        from tests.conftest import make_user

        divisions_load(rows=read_file(YONGJING_FILE), valid_from=datetime.date(2023, 1, 1))
        make_user(USERNAME, "622923", Role.COUNTY_ADMIN)
    elif command == "upload":  # upload <rows> <seed>: the dry-run job's id
        data = families_workbook(int(argv[1]), int(argv[2]))
        file = SimpleUploadedFile("特殊家庭.xlsx", data)
        print(_job_of(_client().post("/families/import/", {"file": file})))
    elif command == "confirm":  # confirm <token>: the commit job's id
        print(_job_of(_client().post("/families/import/", {"token": argv[1]})))
    elif command == "page":  # page <job id>: the job page's text as the owner sees it
        response = _client().get(f"/jobs/{argv[1]}/")
        print(json.dumps({"status": response.status_code, "body": response.content.decode()}))
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])


@contextlib.contextmanager
def processes() -> Iterator[list[subprocess.Popen]]:
    """Processes started inside are stopped at the end, whatever happens."""
    started: list[subprocess.Popen] = []
    try:
        yield started
    finally:
        for process in started:
            stop(process)
