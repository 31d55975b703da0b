"""tools/verify_ledger.py end to end: a real server (gunicorn, its own SQLite database) and the
verifier run as a separate process, as a citizen would run it."""

from __future__ import annotations

import json
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERIFIER = ROOT / "tools" / "verify_ledger.py"
SEED = "c3RhbmRhbG9uZS12ZXJpZmllci10ZXN0LXNlZWQtMDE="
OTHER_SEED = "YW5vdGhlci1rZXktdGhhdC1zaWduZWQtbm90aGluZy0="
FIELD_KEYS = json.dumps(
    {
        "active": "t1",
        "keys": {"t1": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="},
        "hash_key": "aGFzaC1rZXktZm9yLXRlc3RzLW9ubHktMDEyMzQ1Njc=",
    }
)
APPEND = """
from django.db import transaction
from fpa.transparency.services import append_leaf, sign_checkpoint
with transaction.atomic():
    for i in range({start}, {end}):
        append_leaf(('{{"entry":%d,"amount":"%d.00"}}' % (i, 10 * i)).encode())
sign_checkpoint()
"""


@dataclass(frozen=True)
class Server:
    base: str
    env: dict[str, str]
    db: Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


VERIFY_LOG_ONLY = (
    "from fpa.transparency import sources, verify\n"
    "for name in list(sources.registered()):\n"
    "    sources.unregister(name)\n"
    "report = verify.verify_log()\n"
    "print('OK' if report.ok else report.findings, report.leaves)\n"
)


def append(server: Server, start: int, end: int) -> None:
    manage(server.env, "shell", "-c", APPEND.format(start=start, end=end))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    import os

    var_dir = tmp_path_factory.mktemp("ledger-var")
    db = var_dir / "fpa.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "FPA_")) and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{db}",
        FPA_VAR_DIR=str(var_dir),
        FPA_FIELD_KEYS=FIELD_KEYS,
        FPA_LEDGER_KEY=SEED,
        FPA_LEDGER_ORIGIN="standalone.test/ledger",
        FPA_LEDGER_CHECKPOINT_INTERVAL="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    port = _free_port()
    log = (var_dir / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/ledger/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "public-key.json", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail((var_dir / "gunicorn.log").read_text()[-3000:])
                time.sleep(0.2)
        yield Server(base=base, env=env, db=db)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()


def verify(*args: str) -> subprocess.CompletedProcess[str]:
    # Only the standard library and `cryptography`: no Django settings, no project on the path.
    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd="/",
    )


def public_key_of(seed: str) -> str:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(seed)).public_key()
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def tamper(server: Server, sql: str, params: tuple) -> None:
    with sqlite3.connect(server.db) as conn:
        conn.execute("DROP TRIGGER IF EXISTS transparency_logleaf_no_update")
        conn.execute(sql, params)


def test_the_verifier_end_to_end(server: Server, tmp_path: Path):
    append(server, 0, 37)
    saved = tmp_path / "checkpoint.txt"
    done = verify(server.base, "--leaf", "21", "--save-checkpoint", str(saved), "--page-size", "10")
    assert done.returncode == 0, done.stderr
    assert "OK: 37 entries verified" in done.stdout
    assert "entry 21 is included" in done.stdout
    assert saved.read_text().split("\n")[1] == "37"
    # The checkpoint notice as posted outside the platform (the whole text, pasted with Windows
    # line ends): the verifier finds the signed note in it.
    with urllib.request.urlopen(server.base + "notice.txt") as answer:
        notice = answer.read().decode()
    assert "\n\n" + saved.read_text().split("\n\n")[0] in notice
    posted = tmp_path / "posted-notice.txt"
    posted.write_bytes(notice.replace("\n", "\r\n").encode())

    # The log grows; the saved checkpoint proves the new one only appended.
    append(server, 37, 90)
    pinned = public_key_of(SEED)
    vkey = done.stdout.split("pin it next time): ")[1].split()[0]
    assert vkey.startswith("standalone.test/ledger+")
    grown = verify(
        server.base, "--public-key", vkey, "--previous-checkpoint", str(saved), "--leaf", "89"
    )
    assert grown.returncode == 0, grown.stderr
    assert "consistent with the previous checkpoint of 37 entries" in grown.stdout
    assert "published checkpoints are consistent with the entries" in grown.stdout
    assert "OK: 90 entries verified" in grown.stdout
    from_notice = verify(
        server.base, "--public-key", vkey, "--previous-checkpoint", str(posted), "--latest-only"
    )
    assert from_notice.returncode == 0, from_notice.stderr
    assert "consistent with the previous checkpoint of 37 entries" in from_notice.stdout

    # Someone else's key: the signature is refused.
    wrong = verify(server.base, "--public-key", public_key_of(OTHER_SEED))
    assert wrong.returncode == 1
    assert "FAIL" in wrong.stderr and "no signature by key" in wrong.stderr

    # An entry edited behind the log's back (triggers dropped, hash recomputed): the recomputed
    # root no longer matches the signed one.
    import hashlib

    forged = b'{"entry":30,"amount":"9999.00"}'
    tamper(
        server,
        'UPDATE transparency_logleaf SET data = ?, leaf_hash = ? WHERE "index" = 30',
        (forged, hashlib.sha256(b"\x00" + forged).digest()),
    )
    broken = verify(server.base, "--public-key", pinned)
    assert broken.returncode == 1
    assert "not the signed root" in broken.stderr
    # Without the matching hash, the verifier names the entry.
    tamper(server, 'UPDATE transparency_logleaf SET data = ? WHERE "index" = 31', (b"x",))
    named = verify(server.base, "--public-key", pinned)
    assert named.returncode == 1 and "entry 31" in named.stderr

    # The checkpoint rows are deleted: the server refuses to sign again (an alarm), and the
    # verifier reports the ledger under review.
    with sqlite3.connect(server.db) as conn:
        conn.execute("DROP TRIGGER IF EXISTS transparency_checkpoint_no_delete")
        conn.execute("DELETE FROM transparency_checkpoint")
    review = verify(server.base, "--public-key", pinned)
    assert review.returncode == 1 and "under review" in review.stderr, review.stderr
    try:
        urllib.request.urlopen(server.base + "checkpoint.json", timeout=10)
    except urllib.error.HTTPError as error:
        assert error.code == 503
        assert json.load(error)["alarms"][0]["kind"] == "missing"
    else:
        pytest.fail("a checkpoint was served")


def test_the_verifier_refuses_a_bad_url():
    result = verify("file:///etc/passwd")
    assert result.returncode == 1 and "only http and https" in result.stderr


CONCURRENT_APPEND = """
from django.db import transaction
from fpa.transparency.services import append_leaf
for i in range(25):
    with transaction.atomic():
        append_leaf(b"worker {worker} entry %d" % i)
"""


def test_concurrent_appends_on_sqlite_are_dense(tmp_path: Path):
    """Four processes append to one SQLite file at once: every transaction begins IMMEDIATE, so
    the database's writer lock serialises them and indexes stay dense and unique."""
    import os

    db = tmp_path / "fpa.sqlite3"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "FPA_")) and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{db}",
        FPA_VAR_DIR=str(tmp_path),
        FPA_FIELD_KEYS=FIELD_KEYS,
        FPA_LEDGER_KEY=SEED,
        PYTHONDONTWRITEBYTECODE="1",
    )
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", CONCURRENT_APPEND.format(worker=w)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for w in range(4)
    ]
    for proc in workers:
        output, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, output.decode()
    with sqlite3.connect(db) as conn:
        rows = conn.execute('SELECT "index", data FROM transparency_logleaf ORDER BY 1').fetchall()
    assert [index for index, _ in rows] == list(range(100))
    assert len({data for _, data in rows}) == 100
    for w in range(4):
        mine = [d for _, d in rows if d.startswith(f"worker {w} ".encode())]
        assert mine == [f"worker {w} entry {i}".encode() for i in range(25)]
    manage(env, "sign_checkpoint")
    # The leaves here are raw test bytes that no producer made: with the app's sources (the
    # fund's journal) verify_ledger would rightly call them "added"; check the log alone.
    assert "OK 100" in manage(env, "shell", "-c", VERIFY_LOG_ONLY)
