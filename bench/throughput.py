"""Requests per second, side by side in one run: the signed-in family list, Django's minimal
signed-in view, and a bare WSGI app, all under the same gunicorn (sync workers) on 127.0.0.1.

Starts two gunicorns (the project with bench.http_settings, i.e. `make run`'s settings plus
/bench/minimal/; and bench/bare_wsgi.py), signs in through the real sign-in form (CSRF, password
from var/demo-password), checks that each URL answers 200 to that session, warms every worker
(2 s of `wrk` per URL, not counted), runs `wrk` on each URL for the same duration (interleaved
over --rounds), then stops both servers. Every response that is not a 200 is counted (a wrk Lua
hook) and reported, and so is wrk's "Socket errors" line; a run with any is not a valid figure.

    .venv/bin/python bench/throughput.py --duration 20 --rounds 2

Needs `make migrate demo` first (the demo data in var/, or DATABASE_URL), wrk (apt-get install
wrk) and `requests` (requirements/bench.txt). Figures: bench/results/throughput.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
HOST = "127.0.0.1"

LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body) if status ~= 200 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("bad") end
  io.write(string.format("NON200 %d\n", total))
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("P%d %.3f\n", p, latency:percentile(p) / 1000.0))
  end
  io.write(string.format("REQUESTS %d\n", summary.requests))
end
"""


def start(app: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        app,
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--chdir",
        str(ROOT),
    ]
    return subprocess.Popen(command, env=env, start_new_session=True, stderr=subprocess.DEVNULL)


def wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=15, allow_redirects=False)
            return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def sign_in(base: str, username: str, password: str) -> str:
    """Sign in through the real form; return the Cookie header of the signed-in session."""
    browser = requests.Session()
    page = browser.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    response = browser.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    if response.status_code != 302 or "/accounts/" in response.headers.get("Location", ""):
        raise SystemExit(f"sign-in failed: {response.status_code} {response.headers}")
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def wrk(url: str, cookie: str, duration: int, connections: int, threads: int, lua: str) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "-s", lua]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    figures = dict(re.findall(r"^(NON200|P50|P95|P99|REQUESTS) ([\d.]+)$", output, re.M))
    errors = re.search(r"Socket errors:.*", output)
    return {
        "rps": rps,
        "requests": int(figures["REQUESTS"]),
        "non200": int(figures["NON200"]),
        "p50_ms": float(figures["P50"]),
        "p95_ms": float(figures["P95"]),
        "p99_ms": float(figures["P99"]),
        "socket_errors": errors.group(0) if errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per URL and round")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers of each server")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--port", type=int, default=8108, help="project; the bare app: port + 1")
    parser.add_argument("--user", default="demo-township")
    parser.add_argument("--list", default="/families/", help="the signed-in list page")
    args = parser.parse_args()

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.http_settings")
    env.setdefault("FPA_VAR_DIR", str(ROOT / "var"))
    password = (Path(env["FPA_VAR_DIR"]) / "demo-password").read_text().strip()
    base, bare = f"http://{HOST}:{args.port}", f"http://{HOST}:{args.port + 1}"
    servers = [
        start("config.wsgi:application", args.port, args.workers, env),
        start("bench.bare_wsgi:application", args.port + 1, args.workers, env),
    ]
    try:
        wait_up(f"{base}/healthz")
        wait_up(f"{bare}/")
        cookie = sign_in(base, args.user, password)
        targets = {
            "bare WSGI app": (f"{bare}/", ""),
            "minimal view (signed in)": (f"{base}/bench/minimal/", cookie),
            f"{args.list} (signed in)": (f"{base}{args.list}", cookie),
        }
        for name, (url, header) in targets.items():
            check = requests.get(url, headers={"Cookie": header}, allow_redirects=False, timeout=10)
            if check.status_code != 200:
                raise SystemExit(f"{name}: {url} answered {check.status_code}")
        runs: dict[str, list[dict]] = {name: [] for name in targets}
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
            lua.write(LUA)
            lua.flush()
            # Warm every worker first (its first request imports the URLconf and the views and
            # compiles the templates, which can take longer than wrk's 2 s timeout): not counted.
            for url, header in targets.values():
                wrk(url, header, 2, args.connections, args.threads, lua.name)
            for round_ in range(args.rounds):
                for name, (url, header) in targets.items():
                    result = wrk(
                        url, header, args.duration, args.connections, args.threads, lua.name
                    )
                    runs[name].append(result)
                    print(f"round {round_ + 1} {name}: {result}", flush=True)
    finally:
        for server in servers:
            stop(server)

    def total(name: str) -> float:
        return sum(r["requests"] for r in runs[name]) / (args.duration * args.rounds)

    names = list(targets)
    print(
        f"\n{args.workers} gunicorn sync workers per server, wrk -t{args.threads} "
        f"-c{args.connections}, {args.rounds} x {args.duration} s per URL, interleaved\n"
    )
    print("| URL | requests/s | p50 ms | p95 ms | p99 ms | non-200 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        r = runs[name]
        print(
            f"| {name} | {total(name):.0f} | {max(x['p50_ms'] for x in r):.1f} | "
            f"{max(x['p95_ms'] for x in r):.1f} | {max(x['p99_ms'] for x in r):.1f} | "
            f"{sum(x['non200'] for x in r)} |"
        )
    ratio_list = total(names[2]) / total(names[1])
    ratio_minimal = total(names[1]) / total(names[0])
    print(f"\nlist / minimal view: {ratio_list:.2f}; minimal view / bare WSGI: {ratio_minimal:.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "throughput.json").write_text(
        json.dumps(
            {"args": vars(args), "runs": runs, "rps": {n: total(n) for n in names}}, indent=2
        )
    )
    if any(x["non200"] or x["socket_errors"] for r in runs.values() for x in r):
        sys.exit("responses other than 200 (or socket errors): the figures are not valid")


if __name__ == "__main__":
    main()
