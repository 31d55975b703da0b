"""The in-browser ledger verifier's speed (issue 18, item 9): headless Chromium (Debian's) against a
small local server that serves the real page and scripts and a synthetic but valid log.

    .venv/bin/python bench/ledger_browser_bench.py [--entries 100000] [--runs 2]

The log: N fund entries (`fpa-fund-entry/1`, donations, grants and expenses, balanced, numbers
without gaps), their RFC 6962 tree, a checkpoint signed with a fresh Ed25519 key, one witness's
C2SP cosignature, and the fund's data.json computed from the same entries, so every check of the
page runs and passes. The page is rendered by Django's templates (config.settings.test, no
database) and the static files are read from fpa/static (run `make assets` once).

Measured:
1. The whole log checked on the desktop (no throttling): from the click on 开始核对 to the verdict,
   with Web Crypto and with the vendored fallback (`?fallback=1`).
2. One entry's inclusion on a phone profile: 375 px, CPU slowed 4x (CDP
   Emulation.setCPUThrottlingRate) and the network at DevTools "Slow 3G" (2,000 ms latency,
   50 kB/s), and at "Fast 3G" (562.5 ms, 180 kB/s): the check's own time (requests sent to
   verdict, the page already loaded), as the page reports it in `data-seconds`.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import json
import os
import struct
import sys
import threading
import time
from collections import defaultdict
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

from fpa.transparency import merkle  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ORIGIN = "bench.fpa.invalid/care-fund-ledger"
WITNESS = "bench-witness.example/w1"
FUND = "622923"
CHART = {
    "1001": ("现金", "asset"),
    "1002": ("银行存款", "asset"),
    "4102": ("个人捐赠", "income"),
    "4103": ("企业捐赠", "income"),
    "5101": ("慰问救助", "expense"),
    "5104": ("心理服务", "expense"),
    "5201": ("管理费用", "expense"),
}
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 180_000,
    "uploadThroughput": 84_375,
}
MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def canonical(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entries(n: int) -> tuple[list[bytes], dict[str, Any]]:
    """n balanced fund leaves and the data.json their totals give."""
    leaves: list[bytes] = []
    balance: dict[str, Decimal] = defaultdict(Decimal)
    pools: dict[str, Decimal] = defaultdict(Decimal)
    monthly: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for i in range(n):
        number = i + 1
        month = MONTHS[i * 12 // n]
        date = f"{month}-{1 + i % 28:02d}"
        amount = Decimal(100 + (i * 37) % 5000) + Decimal(i % 100) / 100
        receipt = grant = township = ""
        restriction = None
        if i % 3 == 2:  # spending, from money given earlier
            kind, category, asset = (
                ("grant", "5101", "1002") if i % 2 else ("expense", "5201", "1001")
            )
            amount = (amount / 4).quantize(Decimal("0.01"))
            if kind == "grant":
                grant, township = f"YJZ-2026-{number:05d}", "622923101"
            lines = [
                {
                    "account": category,
                    "debit": f"{amount:.2f}",
                    "credit": "0.00",
                    "restriction": None,
                },
                {"account": asset, "debit": "0.00", "credit": f"{amount:.2f}", "restriction": None},
            ]
        else:
            kind = "donation"
            category = "4103" if i % 2 else "4102"
            asset = "1002" if i % 2 else "1001"
            restriction = "5104" if i % 5 == 0 else None
            receipt = f"YJ-2026-{number:06d}"
            lines = [
                {
                    "account": asset,
                    "debit": f"{amount:.2f}",
                    "credit": "0.00",
                    "restriction": restriction,
                },
                {
                    "account": category,
                    "debit": "0.00",
                    "credit": f"{amount:.2f}",
                    "restriction": restriction,
                },
            ]
        doc = {
            "v": "fpa-fund-entry/1",
            "fund": FUND,
            "number": number,
            "date": date,
            "kind": kind,
            "category": category,
            "township": township,
            "receipt": receipt,
            "grant": grant,
            "reverses": None,
            "lines": lines,
        }
        leaves.append(canonical(doc))
        for line in lines:
            code = line["account"]
            debit, credit = Decimal(line["debit"]), Decimal(line["credit"])
            change = credit - debit if CHART[code][1] == "income" else debit - credit
            balance[code] += change
            monthly[(month, code)] += change
            if line["restriction"] and CHART[code][1] == "income":
                pools[line["restriction"]] += change
    data = {
        "fund": "永靖县生育关怀基金",
        "assets": [
            {"name": CHART[c][0], "amount": f"{balance[c]:.2f}"}
            for c in sorted(balance)
            if CHART[c][1] == "asset"
        ],
        "total": f"{sum(v for c, v in balance.items() if CHART[c][1] == 'asset'):.2f}",
        "restricted": [
            {"purpose": CHART[c][0], "amount": f"{v:.2f}"}
            for c, v in sorted(pools.items())
            if v > 0
        ],
        "income_year": f"{sum(v for c, v in balance.items() if CHART[c][1] == 'income'):.2f}",
        "expense_year": f"{sum(v for c, v in balance.items() if CHART[c][1] == 'expense'):.2f}",
        "months": MONTHS,
    }
    for kind in ("income", "expense"):
        data[kind] = [
            {"name": CHART[c][0], "data": [float(monthly[(m, c)]) for m in MONTHS]}
            for c in sorted(CHART, key=lambda c: CHART[c][0])
            if CHART[c][1] == kind
        ]
    return leaves, data


class Log:
    def __init__(self, n: int) -> None:
        started = time.perf_counter()
        self.leaves, self.data = entries(n)
        self.hashes = [merkle.leaf_hash(leaf) for leaf in self.leaves]
        self.levels = [self.hashes]
        while len(self.levels[-1]) > 1:
            level = self.levels[-1]
            nxt = [merkle.node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            self.levels.append(nxt)
        self.root = self.levels[-1][0]
        key = Ed25519PrivateKey.generate()
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        kid = hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public).digest()[:4]
        self.vkey = f"{ORIGIN}+{kid.hex()}+{b64(bytes([1]) + public)}"
        body = f"{ORIGIN}\n{n}\n{b64(self.root)}\ntime 2026-12-06T00:00:00Z\n"
        signature = key.sign(body.encode())
        note = f"{body}\n\u2014 {ORIGIN} {b64(kid + signature)}\n"
        witness = Ed25519PrivateKey.generate()
        wpublic = witness.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        wid = hashlib.sha256(WITNESS.encode() + b"\n\x04" + wpublic).digest()[:4]
        when = 1_796_515_200
        cosig = witness.sign(f"cosignature/v1\ntime {when}\n{body}".encode())
        line = f"\u2014 {WITNESS} {b64(wid + struct.pack('>Q', when) + cosig)}\n"
        self.checkpoint = {
            "id": 1,
            "tree_size": n,
            "root_hash": b64(self.root),
            "timestamp": "2026-12-06T00:00:00Z",
            "key_name": ORIGIN,
            "key_id": kid.hex(),
            "signature": b64(signature),
            "body": body,
            "note": note,
            "cosigned_note": note + line,
            "under_review": False,
            "alarms": [],
        }
        self.witnesses = {
            "witnesses": [
                {
                    "name": WITNESS,
                    "verifier_key": f"{WITNESS}+{wid.hex()}+{b64(bytes([4]) + wpublic)}",
                    "url": "",
                    "latest": None,
                }
            ]
        }
        self.public_key = {
            "origin": ORIGIN,
            "algorithm": "Ed25519",
            "key_name": ORIGIN,
            "key_id": kid.hex(),
            "public_key": b64(public),
            "verifier_key": self.vkey,
            "retired_keys": [],
        }
        self.data64 = [b64(leaf) for leaf in self.leaves]
        self.hash64 = [b64(h) for h in self.hashes]
        print(f"synthetic log of {n:,} entries built in {time.perf_counter() - started:.1f} s")

    def page(self, start: int, limit: int) -> dict[str, Any]:
        end = min(start + limit, len(self.leaves))
        return {
            "start": start,
            "tree_size": len(self.leaves),
            "leaves": [
                {"index": i, "data": self.data64[i], "leaf_hash": self.hash64[i]}
                for i in range(start, end)
            ],
            "next": None,
        }

    def leaf(self, index: int) -> dict[str, Any]:
        n = len(self.leaves)
        proof = merkle.inclusion_proof_from(index, n, lambda level, i: self.levels[level][i])
        return {
            "index": index,
            "data": self.data64[index],
            "leaf_hash": self.hash64[index],
            "appended_at": "2026-12-06T00:00:00Z",
            "tree_size": n,
            "root_hash": b64(self.root),
            "inclusion_proof": [b64(h) for h in proof],
            "checkpoint": self.checkpoint,
        }


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def pages() -> dict[str, bytes]:
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    chart = {code: {"name": name, "kind": kind} for code, (name, kind) in CHART.items()}
    out = {}
    for path, entry in (("/ledger/verify/", None), ("/ledger/verify/?entry=", 0)):
        request = RequestFactory().get(path)
        request.user = AnonymousUser()
        context = {
            "leaf_index": entry,
            "entry_given": "",
            "bad_entry": False,
            "chart": chart,
            "data_url": "/fund/public/__code__/data.json",
        }
        out[path] = render_to_string("transparency/verify.html", context, request=request).encode()
    return out


def serve(log: Log) -> tuple[ThreadingHTTPServer, str]:
    rendered = pages()
    static = ROOT / "fpa" / "static"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def send(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def json(self, payload: Any) -> None:
            self.send(200, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            path = url.path
            if path == "/ledger/verify/":
                key = "/ledger/verify/?entry=" if "entry" in query else path
                html = rendered[key].replace(
                    b'data-index="0"', f'data-index="{query.get("entry", "0")}"'.encode()
                )
                self.send(200, html, "text/html; charset=utf-8")
            elif path.startswith("/static/"):
                file = (static / path.removeprefix("/static/")).resolve()
                if static not in file.parents or not file.is_file():
                    self.send(404, b"", "text/plain")
                    return
                kind = {
                    ".js": "text/javascript",
                    ".css": "text/css",
                    ".svg": "image/svg+xml",
                }.get(file.suffix, "application/octet-stream")
                self.send(200, file.read_bytes(), kind)
            elif path == "/ledger/public-key.json":
                self.json(log.public_key)
            elif path == "/ledger/checkpoint.json":
                self.json(log.checkpoint)
            elif path == "/ledger/witnesses.json":
                self.json(log.witnesses)
            elif path == "/ledger/leaves.json":
                self.json(log.page(int(query.get("start", 0)), int(query.get("limit", 100))))
            elif path.startswith("/ledger/leaves/") and path.endswith(".json"):
                self.json(log.leaf(int(path.removeprefix("/ledger/leaves/").removesuffix(".json"))))
            elif path == f"/fund/public/{FUND}/data.json":
                self.json(log.data)
            else:
                self.send(404, b"{}", "application/json")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def full_check(browser: Any, origin: str, query: str = "") -> tuple[float, str]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{origin}/ledger/verify/{query}")
    started = time.perf_counter()
    page.click("#ledger-start")
    page.wait_for_function(
        "() => ['ok', 'fail', 'stopped'].includes("
        "document.getElementById('ledger-verdict').dataset.status)",
        timeout=600_000,
    )
    wall = time.perf_counter() - started
    status = page.get_attribute("#ledger-verdict", "data-status")
    text = page.inner_text("#ledger-verdict")
    context.close()
    if status != "ok":
        raise SystemExit(f"the verifier did not pass: {text}")
    return wall, text


def entry_check(browser: Any, origin: str, index: int, network: dict[str, Any] | None) -> float:
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    if network:
        cdp.send("Network.emulateNetworkConditions", network)
    page.goto(f"{origin}/ledger/verify/?entry={index}", timeout=120_000)
    page.wait_for_selector(".entry-verdict[data-seconds]", timeout=120_000)
    status = page.get_attribute(".entry-verdict", "data-status")
    seconds = float(page.get_attribute(".entry-verdict", "data-seconds") or "nan")
    text = page.inner_text(".entry-verdict")
    context.close()
    if status != "ok":
        raise SystemExit(f"the entry check did not pass: {text}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    log = Log(args.entries)
    server, origin = serve(log)
    from playwright.sync_api import sync_playwright

    print(
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.1f}"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        try:
            for run in range(1, args.runs + 1):
                wall, text = full_check(browser, origin)
                print(f"run {run}: whole log, {args.entries:,} entries, Web Crypto: {wall:.2f} s")
                wall, _ = full_check(browser, origin, "?fallback=1")
                print(f"run {run}: whole log, {args.entries:,} entries, fallback: {wall:.2f} s")
                profiles = (("Slow 3G", SLOW_3G), ("Fast 3G", FAST_3G), ("no network limit", None))
                for name, network in profiles:
                    index = (run * 7919) % args.entries
                    seconds = entry_check(browser, origin, index, network)
                    print(
                        f"run {run}: one entry ({index}), CPU 4x slower, {name}: "
                        f"check {seconds * 1000:.0f} ms"
                    )
                print(f"  verdict: {text}")
        finally:
            browser.close()
            server.shutdown()


if __name__ == "__main__":
    main()
