"""End to end, with real processes (docs/ledger.md, "Witnesses"): gunicorn serving the platform,
its task worker and `tools/witness.py serve`. A new entry is signed, the worker submits the
checkpoint, the witness cosigns and checkpoint.json publishes it; then a database superuser
rewrites the history (deletes the checkpoints and rewrites the leaves) and the operator's key
signs it: the witness refuses and keeps evidence that `witness.py check-evidence` verifies."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import _free_port, _manage, _server_env, _wait_until_up
from tests.test_witness_program import TOOL, W

ROOT = Path(__file__).resolve().parent.parent

APPEND = """
from fpa.transparency.services import append_leaf
for i in range({start}, {end}):
    append_leaf(('{{"entry":%d,"tag":"e2e"}}' % i).encode())
"""

REWRITE = """
import hashlib
from django.db import connection, transaction
from fpa.transparency.models import node_key
from fpa.transparency.services import complete_nodes
leaves = [('{"entry":%d,"tag":"e2e"}' % i).encode() for i in range(6)]
leaves[1] = b'{"entry":1,"tag":"rewritten"}'
with transaction.atomic(), connection.cursor() as cursor:
    for table in ("logleaf", "lognode", "checkpoint", "cosignature"):
        cursor.execute(f"DROP TRIGGER transparency_{table}_no_update")
        cursor.execute(f"DROP TRIGGER transparency_{table}_no_delete")
    for table in ("cosignature", "checkpoint", "lognode", "logleaf"):
        cursor.execute(f"DELETE FROM transparency_{table}")
    hashes = []
    for index, data in enumerate(leaves):
        h = hashlib.sha256(b"\\x00" + data).digest()
        hashes.append(h)
        cursor.execute(
            'INSERT INTO transparency_logleaf ("index", data, leaf_hash, appended_at) '
            "VALUES (%s, %s, %s, CURRENT_TIMESTAMP)", [index, data, h])
    for level, index, h in complete_nodes(0, hashes):
        cursor.execute(
            'INSERT INTO transparency_lognode (key, level, "index", hash) VALUES (%s, %s, %s, %s)',
            [node_key(level, index), level, index, h])
"""


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
    assert result.returncode == 0, f"manage.py {args[0]}: {result.stdout}\n{result.stderr}"
    return result.stdout


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def wait_for(predicate, what: str, log: Path, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    pytest.fail(f"{what} did not happen within {timeout}s:\n{log.read_text()[-4000:]}")


def test_the_witness_cosigns_then_refuses_a_rewritten_history(tmp_path):
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    env = _server_env(var_dir) | {
        "FPA_LEDGER_CHECKPOINT_INTERVAL": "0",
        "FPA_LEDGER_WITNESS_FILE": str(var_dir / "ledger-witness.json"),
    }
    _manage(env, "migrate", "--noinput", "--verbosity", "0")
    _manage(env, "migrate", "--noinput", "--verbosity", "0", "--database", "jobs")
    operator_key = manage(env, "ledger_witness", "operator-key").strip()
    witness_dir = tmp_path / "witness"
    witness_key = W.init(witness_dir, "audit.example/e2e")
    log = var_dir / "servers.log"
    port, witness_port = _free_port(), _free_port()
    with log.open("wb") as out:
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    str(TOOL),
                    "serve",
                    "--dir",
                    str(witness_dir),
                    "--port",
                    str(witness_port),
                    "--log",
                    operator_key,
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                [
                    str(Path(sys.executable).with_name("gunicorn")),
                    "config.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "run_worker",
                    "--no-startup-delay",
                    "--interval",
                    "0.2",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            ),
        ]
    origin = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(children[1], origin + "/ledger/status.json", log, timeout=90)
        manage(
            env,
            "ledger_witness",
            "add",
            "--key",
            witness_key,
            "--url",
            f"http://127.0.0.1:{witness_port}/",
            "--label",
            "审计局",
        )
        manage(env, "shell", "-c", APPEND.format(start=0, end=4))  # new entries

        def cosigned() -> dict | None:
            data = get_json(origin + "/ledger/checkpoint.json")  # signs when stale
            return data if data["tree_size"] == 4 and data["cosignatures"] else None

        data = wait_for(cosigned, "the cosignature of size 4", log)
        note = W.parse_note(data["cosigned_note"])
        key = W.parse_vkey(witness_key, sig_type=W.COSIGNATURE_V1)
        lines = [f"\u2014 {n} {W.base64.b64encode(b).decode()}" for n, b in note.signatures]
        assert any(W.verify_cosignature(key, note.body, line) for line in lines)
        with urllib.request.urlopen(origin + "/ledger/checkpoint", timeout=10) as response:
            assert response.read().decode() == data["cosigned_note"]
        listed = get_json(origin + "/ledger/witnesses.json")["witnesses"]
        assert listed[0]["latest"]["tree_size"] == 4

        # The rewritten history: 6 entries of which entry 1 changed, no checkpoint rows left,
        # and the server's own file of signed heads removed too; the operator key signs it.
        manage(env, "shell", "-c", REWRITE)
        (var_dir / "ledger-witness.json").unlink()
        manage(env, "sign_checkpoint", "--reason", "signing the rewritten books")

        def evidence() -> list[Path]:
            return sorted((witness_dir / "evidence").glob("*inconsistent*.json"))

        (found,) = wait_for(evidence, "the witness's evidence", log)
        check = subprocess.run(
            [sys.executable, str(TOOL), "check-evidence", str(found), "--log", operator_key],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0 and "INCONSISTENT" in check.stdout, check.stdout
        data = get_json(origin + "/ledger/checkpoint.json")
        assert data["tree_size"] == 6 and data["cosignatures"] == []
        listing = wait_for(
            lambda: (out := manage(env, "ledger_witness", "list")) and "refused" in out and out,
            "the refusal recorded",
            log,
        )
        assert "HTTP 422" in listing and "evidence kept" in listing
        # The attacker deleted what the platform stored; the witness still holds size 4.
        assert get_json(origin + "/ledger/witnesses.json")["witnesses"][0]["latest"] is None
        (state,) = (witness_dir / "state").glob("*.json")
        assert json.loads(state.read_text())["size"] == 4
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=5)
