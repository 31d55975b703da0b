"""scripts/serve.py (what `make run` serves with): gunicorn and one task worker started together,
/healthz and /readyz answering, and SIGTERM or SIGINT stopping every process it started (no
orphans). And /readyz with a database that cannot be reached: 503, the database check failed,
nothing else said.

Real processes on a free port: gunicorn, manage.py run_worker, the databases of
tests.job_processes (temp SQLite files, or the PostgreSQL test database).
"""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests import job_processes as jp
from tests.job_processes import (  # noqa: F401 (fixtures: databases, sqlite_template)
    databases_fixture,
    sqlite_template_fixture,
)

# On PostgreSQL the processes use the test database: what they commit is flushed afterwards.
pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "jobs"])

GUNICORN = str(Path(jp.PYTHON).with_name("gunicorn"))
CHECKS = {"database", "migrations", "worker", "field_keys", "ledger_key"}


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, b""


def readyz(origin: str) -> dict[str, Any] | None:
    status, body = get(origin + "/readyz")
    return json.loads(body) | {"code": status} if status in (200, 503) else None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_starts_gunicorn_and_a_worker_and_stops_both(
    databases: jp.Databases, tmp_path: Path, signum: int
) -> None:
    port = jp.free_port()
    origin = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    args = ["config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    with log.open("wb") as handle:
        serve = subprocess.Popen(
            [jp.PYTHON, "scripts/serve.py", "--", *args],
            cwd=jp.ROOT,
            env=databases.env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # signals reach serve.py only, as `kill <pid>` would
        )
    children: set[int] = set()
    try:
        jp.wait_for("/healthz answering", lambda: get(origin + "/healthz")[0] == 200, 90, log)
        assert json.loads(get(origin + "/healthz")[1]) == {"status": "ok"}
        ready = jp.wait_for(
            "/readyz reporting the worker",
            lambda: (r := readyz(origin)) and r["checks"]["worker"] == "ok" and r,
            90,
            log,
        )
        assert ready == {"status": "ok", "checks": dict.fromkeys(CHECKS, "ok"), "code": 200}
        children = jp.descendants(serve.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes() for pid in children]
        assert sum(b"run_worker" in c for c in commands) == 1, commands
        assert sum(b"gunicorn" in c for c in commands) == 3, commands  # master and 2 workers

        serve.send_signal(signum)
        assert serve.wait(timeout=60) == 0  # asked to stop: a clean exit
        jp.wait_for(
            "every child of serve.py gone",
            lambda: not any(jp.alive(pid) for pid in children),
            30,
            log,
        )
        assert get(origin + "/healthz")[0] == 0  # nothing listens any more
    finally:
        jp.kill_all({serve.pid, *children} if serve.poll() is None else children)
        if serve.poll() is None:
            serve.wait(timeout=10)


def test_serve_stops_gunicorn_when_the_worker_dies(databases: jp.Databases, tmp_path: Path) -> None:
    """Either child exiting on its own stops the other, and serve.py says so (exit status 1)."""
    port = jp.free_port()
    origin = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with log.open("wb") as handle:
        serve = subprocess.Popen(
            [
                jp.PYTHON,
                "scripts/serve.py",
                "--",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=jp.ROOT,
            env=databases.env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    children: set[int] = set()
    try:
        jp.wait_for("/healthz answering", lambda: get(origin + "/healthz")[0] == 200, 90, log)
        children = jp.descendants(serve.pid)
        worker = next(
            pid for pid in children if b"run_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
        )
        jp.kill_all({worker})
        assert serve.wait(timeout=60) == 1
        jp.wait_for("gunicorn gone", lambda: not any(jp.alive(p) for p in children), 30, log)
    finally:
        jp.kill_all({serve.pid, *children} if serve.poll() is None else children)
        if serve.poll() is None:
            serve.wait(timeout=10)


@pytest.mark.parametrize(
    "url",
    [
        "postgres://fpa:secret-password@127.0.0.1:{closed}/fpa_nowhere",
        "sqlite:////nonexistent-{closed}/no/such/folder/fpa.sqlite3",
    ],
    ids=["postgres-closed-port", "sqlite-bad-path"],
)
def test_readyz_answers_503_when_the_database_cannot_be_reached(tmp_path: Path, url: str) -> None:
    closed = jp.free_port()  # bound then released: nothing listens there
    port = jp.free_port()
    origin = f"http://127.0.0.1:{port}"
    log = tmp_path / "gunicorn.log"
    broken = jp.Databases(main_url=url.format(closed=closed), jobs_url="", var_dir=tmp_path)
    with log.open("wb") as handle:
        server = subprocess.Popen(
            [GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=jp.ROOT,
            env=broken.env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        jp.wait_for("/healthz answering", lambda: get(origin + "/healthz")[0] == 200, 90, log)
        status, body = get(origin + "/readyz")
        assert status == 503, body[:2000]
        answer = json.loads(body)
        assert answer["status"] == "fail" and answer["checks"]["database"] == "fail"
        assert set(answer) == {"status", "checks"} and set(answer["checks"]) == CHECKS
        assert set(answer["checks"].values()) <= {"ok", "fail"}
        text = body.decode()
        for leak in ("Traceback", "Error", "psycopg", "sqlite", str(closed), "secret", "fpa_"):
            assert leak not in text, (leak, text)
        # The liveness probe never touches the database: the process is up.
        assert get(origin + "/healthz") == (200, b'{"status": "ok"}')
    finally:
        jp.stop(server)
