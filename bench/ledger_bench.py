#!/usr/bin/env python
"""The verifiable ledger at 1,000,000 entries on PostgreSQL (issue 4, item 9).

    flock /tmp/fpa-heavy.lock .venv/bin/python bench/ledger_bench.py \
        --pg postgres://fpa_ci:fpa_ci@127.0.0.1:5432/fpa_ledger_bench [--size 1000000]

Builds the log once (kept for the next run): the first SIZE - TAIL leaves are loaded with COPY,
their node cache computed by ``services.complete_nodes`` (the nodes ``append_leaf`` would store)
and COPYed too; the last TAIL leaves go through the real ``append_leaf``; then one checkpoint is
signed. ``verify_log`` afterwards checks that the whole cache equals the rebuilt tree.

Measures
(a) full verification (``manage.py verify_ledger``'s ``verify_log``: read every leaf, check its
    hash, rebuild the tree, compare every cached node, check the checkpoint) against raw SHA-256
    over the same leaf bytes, both in memory and including the same database read;
(b) inclusion and consistency proofs through the HTTP views (Django test Client, full
    middleware stack), median and p95 over random indexes and size pairs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAIL = 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def leaf_bytes(i: int) -> bytes:
    """A synthetic entry about the size of a fund journal entry's canonical JSON."""
    date = f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}"
    amount = f"{i % 9973}.{i % 100:02d}"
    return (
        f'{{"v":1,"entry":{i},"date":"{date}","debit":"1001","credit":"4101",'
        f'"amount":"{amount}","memo":"bench entry {i:08d}"}}'
    ).encode()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def build(size: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from fpa.transparency import merkle
    from fpa.transparency.models import LogLeaf, node_key
    from fpa.transparency.services import append_leaf, complete_nodes, sign_checkpoint

    call_command("migrate", verbosity=0)
    if LogLeaf.objects.count() == size:
        print(f"log of {size} leaves exists")
        return
    print(f"building a log of {size} leaves ...", flush=True)
    started = time.perf_counter()
    with connection.cursor() as cursor:  # a bench database: TRUNCATE skips the row triggers
        cursor.execute(
            "TRUNCATE transparency_logleaf, transparency_lognode, transparency_checkpoint"
        )
    bulk = size - TAIL
    hashes = []
    connection.ensure_connection()
    raw = connection.connection
    with (
        raw.cursor() as cur,
        cur.copy(
            'COPY transparency_logleaf ("index", data, leaf_hash, appended_at) FROM STDIN'
        ) as copy,
    ):
        for i in range(bulk):
            data = leaf_bytes(i)
            h = merkle.leaf_hash(data)
            hashes.append(h)
            copy.write_row((i, data, h, "2026-11-29T00:00:00Z"))
    with (
        raw.cursor() as cur,
        cur.copy("COPY transparency_lognode (key, level, index, hash) FROM STDIN") as copy,
    ):
        for level, index, h in complete_nodes(0, hashes):
            copy.write_row((node_key(level, index), level, index, h))
    if not raw.autocommit:
        raw.commit()
    print(f"  COPY of {bulk} leaves and their nodes: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(bulk, size):
            append_leaf(leaf_bytes(i))
    print(f"  append_leaf x {TAIL}: {time.perf_counter() - started:.1f} s")
    # The bulk load bypasses append_leaf (no genesis checkpoint): an operator's signature.
    sign_checkpoint(operator="bench", reason="bench: a log built by COPY")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE transparency_logleaf")
        cursor.execute("ANALYZE transparency_lognode")


def measure_verification(size: int, rounds: int) -> dict[str, object]:
    from fpa.transparency import merkle
    from fpa.transparency.verify import stored_leaves, verify_log

    results: dict[str, list[float]] = {
        "verify_log": [],
        "read+sha": [],
        "mem_verify": [],
        "mem_sha": [],
    }
    datas: list[bytes] = []
    for _ in range(rounds):
        started = time.perf_counter()
        report = verify_log()
        results["verify_log"].append(time.perf_counter() - started)
        assert report.ok and report.leaves == size, report.findings[:3]

        started = time.perf_counter()
        sha = hashlib.sha256
        datas = []
        for _, data, _ in stored_leaves():
            sha(data).digest()
            datas.append(bytes(data))
        results["read+sha"].append(time.perf_counter() - started)

        started = time.perf_counter()
        for d in datas:
            sha(d).digest()
        results["mem_sha"].append(time.perf_counter() - started)

        started = time.perf_counter()
        root = merkle.root(datas)
        results["mem_verify"].append(time.perf_counter() - started)
        assert root == merkle.root_from_leaf_hashes([merkle.leaf_hash(d) for d in datas])
    total = sum(len(d) for d in datas)
    return {
        "bytes": total,
        **{k: statistics.median(v) for k, v in results.items()},
    }


def measure_proofs(size: int, samples: int) -> dict[str, dict[str, float]]:
    from django.test import Client

    client = Client()
    rng = random.Random(6962)
    out: dict[str, dict[str, float]] = {}
    cases = {
        "inclusion (tree_size given)": [
            f"/ledger/leaves/{rng.randrange(size)}.json?tree_size={size}" for _ in range(samples)
        ],
        "inclusion (latest checkpoint)": [
            f"/ledger/leaves/{rng.randrange(size)}.json" for _ in range(samples)
        ],
        "consistency": [],
        "leaves page (1000)": [
            f"/ledger/leaves.json?start={rng.randrange(size - 1000)}&limit=1000"
            for _ in range(samples // 4)
        ],
    }
    for _ in range(samples):
        a, b = sorted(rng.sample(range(1, size + 1), 2))
        cases["consistency"].append(f"/ledger/consistency.json?first={a}&second={b}")
    for name, urls in cases.items():
        for url in urls[:10]:  # warm up
            client.get(url)
        times = []
        for url in urls:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.content[:200])
        out[name] = {
            "median_ms": statistics.median(times),
            "p95_ms": percentile(times, 95),
            "max_ms": max(times),
            "n": len(times),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", required=True, help="postgres://.../fpa_ledger_bench")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--samples", type=int, default=400)
    args = parser.parse_args()
    ensure_database(args.pg)
    setup_django(args.pg)
    build(args.size)
    v = measure_verification(args.size, args.rounds)
    print(
        f"\n(a) verification of {args.size} entries ({v['bytes'] / 1e6:.1f} MB of leaf bytes), "
        f"median of {args.rounds}:"
    )
    print(
        f"  verify_log (read, leaf hashes, tree, node cache, checkpoint): {v['verify_log']:.2f} s"
    )
    print(f"  read the same leaves + raw SHA-256 of each:                    {v['read+sha']:.2f} s")
    print(f"  ratio: {v['verify_log'] / v['read+sha']:.2f}x")
    print(
        f"  in memory: RFC 6962 root {v['mem_verify']:.2f} s vs raw SHA-256 {v['mem_sha']:.2f} s, "
        f"ratio {v['mem_verify'] / v['mem_sha']:.2f}x"
    )
    p = measure_proofs(args.size, args.samples)
    print(f"\n(b) proofs through the views at {args.size} entries (Django test Client):")
    for name, r in p.items():
        print(
            f"  {name:32s} median {r['median_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms  "
            f"max {r['max_ms']:.1f} ms  (n={r['n']})"
        )


if __name__ == "__main__":
    main()
