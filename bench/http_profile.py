"""Where a signed-in request's time goes, in process (Django test Client, no network): the
queries of the minimal view and of the family list, and what each middleware costs (the minimal
view timed with the whole stack, then with one middleware left out at a time).

    DJANGO_SETTINGS_MODULE=bench.http_settings .venv/bin/python bench/http_profile.py --n 300

Uses the demo data (make migrate demo) and the password in var/demo-password.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.http_settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

# Middleware that the sign-in itself needs: leaving it out measures nothing useful.
NEEDED = {
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
}


def signed_in(user: str, password: str) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post("/accounts/login/", {"username": user, "password": password})
    assert response.status_code == 302, response.status_code
    return client


def per_request_ms(client: Client, url: str, n: int, cpu: bool = False) -> float:
    """Median wall time per request, or (cpu=True) mean CPU time of this process per request,
    which the other jobs of a shared machine disturb much less."""
    for _ in range(20):
        client.get(url)
    clock = time.process_time if cpu else time.perf_counter
    times = []
    for _ in range(n):
        start = clock()
        response = client.get(url)
        times.append((clock() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.fmean(times) if cpu else statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--user", default="demo-township")
    parser.add_argument("--list", default="/families/")
    parser.add_argument(
        "--no-middleware", action="store_true", help="skip the per-middleware table"
    )
    args = parser.parse_args()
    password = (Path(settings.VAR_DIR) / "demo-password").read_text().strip()

    client = signed_in(args.user, password)
    for url in ("/bench/minimal/", args.list):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        print(f"\n{url}: {response.status_code}, {len(queries)} queries")
        for query in queries.captured_queries:
            print(f"  {query['time']}s  {query['sql'][:160]}")

    full = per_request_ms(client, "/bench/minimal/", args.n)
    listed = per_request_ms(client, args.list, args.n)
    print(f"\nmedian ms per request, in process: minimal view {full:.2f}, {args.list} {listed:.2f}")
    cpu_full = per_request_ms(client, "/bench/minimal/", args.n, cpu=True)
    cpu_list = per_request_ms(client, args.list, args.n, cpu=True)
    print(
        f"CPU ms per request (SQLite runs in process, so its work is included): minimal view "
        f"{cpu_full:.2f}, {args.list} {cpu_list:.2f}, ratio {cpu_full / cpu_list:.2f}"
    )
    if args.no_middleware:
        return
    print("\n| middleware left out | minimal view, median ms | saving ms |")
    print("|---|---:|---:|")
    print(f"| (none) | {full:.2f} | |")
    for name in settings.MIDDLEWARE:
        if name in NEEDED:
            continue
        with override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != name]):
            without = per_request_ms(signed_in(args.user, password), "/bench/minimal/", args.n)
        print(f"| `{name.rsplit('.', 1)[1]}` | {without:.2f} | {full - without:.2f} |")


if __name__ == "__main__":
    main()
