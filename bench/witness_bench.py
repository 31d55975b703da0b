#!/usr/bin/env python
"""The witness round trip per checkpoint, locally (issue 18, item 9: target < 200 ms).

    .venv/bin/python bench/witness_bench.py [--base 10000] [--rounds 100] [--batch 10]

A SQLite database in /tmp (migrated once, kept for the next run), a log of BASE entries, and a
real ``tools/witness.py serve`` subprocess on 127.0.0.1. Each round appends BATCH entries, signs a
checkpoint (not timed) and times ``fpa.transparency.cosign.submit``: the consistency proof from the
witness's last cosigned size, the HTTP POST, the witness's checks (log signature, proof, durable
record with fsync, cosignature), the platform's verification of the returned line and the stored
row. Also timed: the witness's own ``add_checkpoint`` in process (no HTTP, no database), to show
where the time goes.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = Path(tempfile.gettempdir()) / "fpa-witness-bench.sqlite3"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def summary(label: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{label}: median {statistics.median(ms):.1f} ms, p95 {percentile(ms, 95):.1f} ms, "
        f"max {max(ms):.1f} ms (n={len(ms)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args()
    setup_django()
    from django.db import transaction

    from fpa.transparency import cosign
    from fpa.transparency.keys import signing_key
    from fpa.transparency.models import Witness
    from fpa.transparency.services import append_leaf, sign_checkpoint, tree_size

    cosign.enqueue_submission = lambda checkpoint_id: None  # submitted by hand, timed

    def append(n: int) -> None:
        with transaction.atomic():
            start = tree_size()
            for i in range(start, start + n):
                append_leaf(f'{{"v":1,"entry":{i},"memo":"bench entry {i:08d}"}}'.encode())

    started = time.perf_counter()
    while tree_size() < args.base:
        append(min(1000, args.base - tree_size()))
    print(f"log: {tree_size()} entries ({time.perf_counter() - started:.1f} s to build)")

    tool = ROOT / "tools" / "witness.py"
    workdir = Path(tempfile.mkdtemp(prefix="fpa-witness-bench-"))
    name = f"bench.example/{workdir.name}"
    vkey = subprocess.run(
        [sys.executable, str(tool), "init", "--dir", str(workdir), "--name", name],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            str(tool),
            "serve",
            "--dir",
            str(workdir),
            "--port",
            str(port),
            "--log",
            signing_key().vkey,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.05)
        for old in Witness.objects.filter(active=True):
            cosign.remove_witness(actor=None, witness=old, reason="a new bench run")
        witness = cosign.add_witness(actor=None, verifier_key=vkey, url=f"http://127.0.0.1:{port}/")
        first = sign_checkpoint()
        outcome = cosign.submit(first, witness)  # the first: old 0, no proof
        assert outcome.status == Witness.Status.OK, outcome
        rounds: list[float] = []
        for _ in range(args.rounds):
            append(args.batch)
            checkpoint = sign_checkpoint()
            t0 = time.perf_counter()
            outcome = cosign.submit(checkpoint, witness)
            rounds.append(time.perf_counter() - t0)
            assert outcome.status == Witness.Status.OK, outcome
        print(summary(f"platform -> witness round trip (+{args.batch} entries each)", rounds))
    finally:
        server.terminate()
        server.wait(timeout=10)

    # The witness's own work, in this process: parse, verify, proof, fsync, cosign.
    import importlib.util

    spec = importlib.util.spec_from_file_location("witness_tool", tool)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["witness_tool"] = module
    spec.loader.exec_module(module)
    from fpa.transparency.services import consistency_proof

    local = Path(tempfile.mkdtemp(prefix="fpa-witness-bench-local-"))
    module.init(local, "bench.example/local")
    own = module.Witness(local, [module.parse_vkey(signing_key().vkey, sig_type=module.ED25519)])
    checkpoint = sign_checkpoint()
    own.add_checkpoint(cosign.request_body(0, [], checkpoint.note))
    inside: list[float] = []
    for _ in range(args.rounds):
        old = checkpoint.tree_size
        append(args.batch)
        checkpoint = sign_checkpoint()
        body = cosign.request_body(
            old, consistency_proof(old, checkpoint.tree_size), checkpoint.note
        )
        t0 = time.perf_counter()
        own.add_checkpoint(body)
        inside.append(time.perf_counter() - t0)
    print(summary("witness add_checkpoint in process (with fsync)", inside))
    print(f"log at the end: {tree_size()} entries")


if __name__ == "__main__":
    main()
