#!/usr/bin/env python
"""A 100,000-row families import through the real server while other requests are timed.

    .venv/bin/python bench/jobs_serve_bench.py [--rows 100000] [--port 8111] [--requests 20]

What it does, all in bench/results/jobs-serve/ (gitignored, wiped first):

1. A fresh SQLite database: `migrate` (both aliases), `collectstatic`, `seed_demo` (demo data,
   the account demo-county with a known password, no second factor).
2. A workbook of N new special families over Yongjing's villages (bench/import_bench.make_file).
3. `scripts/serve.py` as `make run` starts it: gunicorn with 2 web workers + 1 task worker.
4. With curl (a cookie jar, as a browser): sign in as demo-county; 20 timed requests each of
   /healthz and the logged-in family list while nothing runs (the baseline); upload the file
   (the dry-run job); wait for it; confirm (the commit job); while the commit job is running,
   the same 20 + 20 timed requests; then wait for the commit.
5. Job durations from the job rows (started_at to finished_at, and the wait in the queue), the
   request times (curl's time_total), the HTTP codes, and whether the commit was still running
   when the last timed request ended. Figures: bench/results/jobs-serve.json and stdout.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
FOLDER = RESULTS / "jobs-serve"
PYTHON = sys.executable
PASSWORD = "Bench-Passw0rd-" + secrets.token_hex(4)
FIELD_KEYS = json.dumps(
    {
        "active": "t1",
        "keys": {"t1": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
        "hash_key": "aGFzaC1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc=",
    }
)


def environment() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "FPA_")) and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{FOLDER / 'fpa.sqlite3'}",
        FPA_VAR_DIR=str(FOLDER),
        FPA_FIELD_KEYS=FIELD_KEYS,
        FPA_DEMO_PASSWORD=PASSWORD,
        FPA_REQUIRE_OTP="0",
        FPA_LEDGER_KEY="YnJvd3Nlci10ZXN0LWxlZGdlci1rZXktc2VlZC0wMDA=",
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def curl(*args: str) -> str:
    jar = str(FOLDER / "cookies.txt")
    command = ["curl", "-sS", "-b", jar, "-c", jar, *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def csrf() -> str:
    text = (FOLDER / "cookies.txt").read_text()
    return re.search(r"csrftoken\t(\S+)", text).group(1)  # type: ignore[union-attr]


def timed(url: str, count: int) -> dict[str, object]:
    times, codes = [], []
    for _ in range(count):
        out = curl("-o", "/dev/null", "-w", "%{http_code} %{time_total}", url)
        code, seconds = out.split()
        codes.append(int(code))
        times.append(float(seconds))
    ordered = sorted(times)
    return {
        "codes": sorted(set(codes)),
        "min": ordered[0],
        "median": statistics.median(ordered),
        "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)],
        "max": ordered[-1],
        "all": times,
    }


def job(pk: int) -> dict[str, object]:
    with sqlite3.connect(FOLDER / "jobs.sqlite3", timeout=20) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM core_job WHERE id = ?", (pk,)).fetchone()
    return dict(row)


def seconds(a: object, b: object) -> float:
    parse = datetime.datetime.fromisoformat
    return round((parse(str(b)) - parse(str(a))).total_seconds(), 1)


def wait(pk: int, timeout: float = 3600) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = job(pk)
        if row["status"] in ("done", "failed", "cancelled"):
            return row
        time.sleep(0.5)
    raise SystemExit(f"job {pk} did not finish within {timeout} s")


def job_of(output: str) -> int:
    match = re.search(r"/jobs/(\d+)/", output)
    if not match:
        raise SystemExit(f"no job in the answer: {output[:500]}")
    return int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()
    origin = f"http://127.0.0.1:{options.port}"

    shutil.rmtree(FOLDER, ignore_errors=True)
    FOLDER.mkdir(parents=True)
    env = environment()
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "migrate", "--noinput", "-v0", "--database", "jobs")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "seed_demo")
    book = FOLDER / f"families-{options.rows}.xlsx"
    subprocess.run(
        [
            PYTHON,
            "-c",
            "import sys, django; from pathlib import Path; sys.path.insert(0, '.'); "
            "django.setup(); from bench.import_bench import make_file; "
            f"make_file({options.rows}, Path({str(book)!r}), 0)",  # 1950: no demo mother,
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )

    log = (FOLDER / "serve.log").open("wb")
    serve = subprocess.Popen(
        [
            PYTHON,
            "scripts/serve.py",
            "--",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{options.port}",
            "--workers",
            "2",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    figures: dict[str, object] = {
        "rows": options.rows,
        "date": datetime.date.today().isoformat(),
        "database": "SQLite (files), gunicorn 2 workers + 1 task worker (scripts/serve.py)",
    }
    try:
        for _ in range(300):
            try:
                if curl("-o", "/dev/null", "-w", "%{http_code}", origin + "/healthz") == "200":
                    break
            except subprocess.CalledProcessError:
                pass
            time.sleep(0.2)
        curl("-o", "/dev/null", origin + "/accounts/login/")
        curl(
            "-o",
            "/dev/null",
            "-d",
            f"csrfmiddlewaretoken={csrf()}&username=demo-county&password={PASSWORD}",
            "-H",
            f"Referer: {origin}/accounts/login/",
            origin + "/accounts/login/",
        )
        page = curl("-w", "%{http_code}", origin + "/families/")
        if not page.endswith("200"):
            raise SystemExit("not signed in: " + page[-300:])
        figures["idle"] = {
            "healthz": timed(origin + "/healthz", options.requests),
            "family_list": timed(origin + "/families/", options.requests),
        }
        curl("-o", "/dev/null", origin + "/families/import/")
        started = time.monotonic()
        answer = curl(
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{redirect_url} %{time_total}",
            "-F",
            f"csrfmiddlewaretoken={csrf()}",
            "-F",
            f"file=@{book}",
            "-H",
            f"Referer: {origin}/families/import/",
            origin + "/families/import/",
        )
        figures["upload_request_seconds"] = float(answer.split()[-1])
        dry = wait(job_of(answer))
        figures["dry_run"] = {
            "status": dry["status"],
            "rows_read": dry["rows_read"],
            "queue_wait_s": seconds(dry["created_at"], dry["started_at"]),
            "run_s": seconds(dry["started_at"], dry["finished_at"]),
            "upload_to_report_s": round(time.monotonic() - started, 1),
        }
        print(json.dumps(figures["dry_run"]), flush=True)
        issues = json.loads(str(dry["result"]))["report"]["issue_count"]
        if dry["status"] != "done" or issues:
            raise SystemExit(f"the dry run found {issues} problems: nothing to commit")
        answer = curl(
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{redirect_url} %{time_total}",
            "-d",
            f"csrfmiddlewaretoken={csrf()}&token={dry['token']}",
            "-H",
            f"Referer: {origin}/families/import/",
            origin + "/families/import/",
        )
        figures["confirm_request_seconds"] = float(answer.split()[-1])
        commit_id = job_of(answer)
        while job(commit_id)["status"] == "queued":
            time.sleep(0.2)
        before = job(commit_id)
        during = {
            "healthz": timed(origin + "/healthz", options.requests),
            "family_list": timed(origin + "/families/", options.requests),
        }
        after = job(commit_id)
        during["commit_at_start"] = {k: before[k] for k in ("status", "stage", "rows_written")}
        during["commit_at_end"] = {k: after[k] for k in ("status", "stage", "rows_written")}
        figures["during_commit"] = during
        done = wait(commit_id)
        figures["commit"] = {
            "status": done["status"],
            "rows_written": done["rows_written"],
            "queue_wait_s": seconds(done["created_at"], done["started_at"]),
            "run_s": seconds(done["started_at"], done["finished_at"]),
            "error": done["error"],
        }
        print(json.dumps(figures["commit"]), flush=True)
    finally:
        serve.send_signal(signal.SIGTERM)
        figures["serve_exit"] = serve.wait(timeout=120)
        log.close()
    (RESULTS / "jobs-serve.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    for phase in ("idle", "during_commit"):
        for name in ("healthz", "family_list"):
            f = figures[phase][name]  # type: ignore[index]
            print(
                f"{phase:14} {name:12} codes {f['codes']} min {f['min']:.3f} "
                f"median {f['median']:.3f} p95 {f['p95']:.3f} max {f['max']:.3f}"
            )


if __name__ == "__main__":
    main()
