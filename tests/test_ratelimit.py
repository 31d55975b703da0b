"""The shared rate-limit counter (fpa.core.ratelimit) and the cache it counts in.

The counter must hold across processes: two real processes count against one file database at
the same moment and let through exactly the limit between them.
"""

from __future__ import annotations

import datetime
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from fpa.core import ratelimit
from tests.conftest import require_postgres

ROOT = Path(__file__).resolve().parent.parent

# Waits until the shared start time, then counts HITS events of one identity; prints how many
# were let through.
WORKER = """
import os, sys, time
import django
django.setup()
from fpa.core import ratelimit
scope, limit, hits, start = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
time.sleep(max(0.0, start - time.time()))
allowed = sum(
    ratelimit.hit(scope, "203.0.113.7", limit=limit, window=3600) <= limit for _ in range(hits)
)
print(allowed)
"""

COUNT = """
import sys
import django
django.setup()
from fpa.core import ratelimit
print(ratelimit.count(sys.argv[1], "203.0.113.7", limit=int(sys.argv[2]), window=3600))
"""


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=database_url, **extra)
    return env


def _python(code: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def test_hits_up_to_the_limit_then_refuses(db):
    ranks = [ratelimit.hit("t-basic", "198.51.100.1", limit=3, window=600) for _ in range(5)]
    assert ranks == [1, 2, 3, 4, 4]
    assert ratelimit.count("t-basic", "198.51.100.1", limit=3, window=600) == 3
    # Another identity and another scope have counters of their own.
    assert ratelimit.hit("t-basic", "198.51.100.2", limit=3, window=600) == 1
    assert ratelimit.hit("t-other", "198.51.100.1", limit=3, window=600) == 1


def test_a_new_window_starts_from_zero(db):
    start = timezone.now().replace(minute=0, second=5, microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(2):
            assert ratelimit.hit("t-window", "x", limit=2, window=3600) <= 2
        assert ratelimit.exceeded("t-window", limit=2, window=3600, ident="x")
        clock.shift(datetime.timedelta(minutes=59))
        assert ratelimit.exceeded("t-window", limit=2, window=3600, ident="x")
        clock.shift(datetime.timedelta(minutes=1))
        assert not ratelimit.exceeded("t-window", limit=2, window=3600, ident="x")


def test_a_refused_hit_writes_nothing(db):
    for _ in range(10):
        ratelimit.hit("t-bounded", "x", limit=2, window=600)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM fpa_cache WHERE cache_key LIKE %s", ["%t-bounded%"])
        assert cursor.fetchone()[0] == 2


def test_limit_zero_is_off(db):
    assert not any(ratelimit.exceeded("t-off", limit=0, window=60, ident="x") for _ in range(5))


def test_the_default_cache_is_the_database_cache(db):
    default = settings.CACHES["default"]
    if os.environ.get("REDIS_URL"):
        assert default["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    else:
        assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        assert default["LOCATION"] in connection.introspection.table_names()


def test_redis_url_selects_redis():
    env = _env("sqlite:///:memory:", REDIS_URL="redis://cache.example:6379/2")
    printed = _python(
        "import django; django.setup(); from django.conf import settings; "
        "c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])",
        env=env,
    ).stdout.split()
    assert printed == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://cache.example:6379/2",
    ]


def _race(database_url: str, scope: str, limit: int, hits: int, **extra: str) -> list[int]:
    """Two processes count `hits` each, starting at the same moment; returns what each let
    through."""
    env = _env(database_url, **extra)
    start = f"{time.time() + 8:.3f}"  # both are up and waiting by then
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, scope, str(limit), str(hits), start],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    allowed = []
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
        allowed.append(int(out))
    return allowed


def test_two_processes_share_one_counter_on_a_file_database(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    # `migrate` (of any app) creates the cache table: fpa.core.apps' post_migrate hook.
    _python_manage(["migrate", "contenttypes", "--noinput", "-v", "0"], env=_env(database_url))
    allowed = _race(database_url, "t-race", limit=40, hits=60)
    assert sum(allowed) == 40, allowed
    # A third process reads the same counter.
    counted = _python(COUNT, "t-race", "40", env=_env(database_url)).stdout
    assert int(counted) == 40


@pytest.mark.django_db(transaction=True)
def test_two_processes_share_one_counter_on_postgresql():
    require_postgres()
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    scope = f"t-race-{uuid.uuid4().hex[:8]}"
    allowed = _race(database_url, scope, limit=40, hits=60)
    assert sum(allowed) == 40, allowed
    assert ratelimit.count(scope, "203.0.113.7", limit=40, window=3600) == 40


@pytest.fixture
def redis_url(tmp_path):
    """A real Redis server of the test's own on a free loopback port (Debian's redis-server)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("FPA_EXPECT_REDIS") == "1":
            pytest.fail("FPA_EXPECT_REDIS=1 but redis-server is not installed")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_two_processes_share_one_counter_in_redis(redis_url):
    """With REDIS_URL the counter lives in Redis: two processes let exactly the limit through,
    a third reads the same count, and nothing was written to any database."""
    database_url = "sqlite:///:memory:"
    allowed = _race(database_url, "t-redis", limit=40, hits=60, REDIS_URL=redis_url)
    assert sum(allowed) == 40, allowed
    counted = _python(COUNT, "t-redis", "40", env=_env(database_url, REDIS_URL=redis_url)).stdout
    assert int(counted) == 40
    # Another address still starts from zero in the same Redis.
    other = _python(
        "import django; django.setup(); from fpa.core import ratelimit; "
        "print(ratelimit.hit('t-redis', '203.0.113.8', limit=40, window=3600))",
        env=_env(database_url, REDIS_URL=redis_url),
    ).stdout
    assert int(other) == 1


def _python_manage(args: list[str], *, env: dict[str, str]) -> Any:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
    )


def test_no_other_counter_in_the_cache():
    """One mechanism: only fpa.core.ratelimit and the address lock touch the cache directly."""
    allowed = {ROOT / "fpa/core/ratelimit.py", ROOT / "fpa/accounts/lockout.py"}
    users = [
        path
        for path in (ROOT / "fpa").rglob("*.py")
        if path not in allowed and "django.core.cache import" in path.read_text(encoding="utf-8")
    ]
    assert users == []
