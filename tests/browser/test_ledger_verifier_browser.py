"""The in-browser ledger verifier (/ledger/verify/, fpa/static/fpa/ledger/) in headless Chromium at
375 px, on the demo's real ledger and on tampered copies served through `page.route`: an altered
leaf, a broken checkpoint signature, an unbalanced entry whose hash and checkpoint were redone with
the operator's own key (only the accounting check can catch it), a witness's cosignature in the
C2SP tlog-cosignature format (made here with `cryptography`), the Web Crypto-less fallback, one
entry's inclusion and the saved checkpoint's consistency.

The server is the real app (gunicorn, WhiteNoise, the demo fund); see conftest.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import urllib.request
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
OPERATOR_SEED = "YnJvd3Nlci10ZXN0LWxlZGdlci1rZXktc2VlZC0wMDA="  # conftest's FPA_LEDGER_KEY
NO_SUBTLE = "Object.defineProperty(Crypto.prototype, 'subtle', {get: () => undefined});"


# --- helpers: the log as an outsider sees it, and the operator's and a witness's signatures -------


def get_json(server: Any, path: str) -> dict[str, Any]:
    with urllib.request.urlopen(server.url(path), timeout=30) as response:
        return json.loads(response.read())


def all_leaves(server: Any, size: int) -> list[bytes]:
    out: list[bytes] = []
    while len(out) < size:
        page = get_json(server, f"/ledger/leaves.json?start={len(out)}&limit=1000")
        out += [base64.b64decode(item["data"]) for item in page["leaves"]]
    return out[:size]


def merkle_root(leaves: list[bytes]) -> bytes:
    level = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]
    while len(level) > 1:
        nxt = [
            hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest()
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def key_id(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def resigned(checkpoint: dict[str, Any], root: bytes) -> dict[str, Any]:
    """The checkpoint with another root, signed with the operator's real key (a dishonest
    operator, or someone who stole the key)."""
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(OPERATOR_SEED))
    lines = checkpoint["body"].split("\n")
    lines[2] = b64(root)
    body = "\n".join(lines)
    origin = lines[0]
    blob = key_id(origin, 1, public_bytes(key)) + key.sign(body.encode())
    note = f"{body}\n\u2014 {origin} {b64(blob)}\n"
    return checkpoint | {
        "body": body,
        "note": note,
        "cosigned_note": note,  # no witness signed this one
        "cosignatures": [],
        "root_hash": b64(root),
        "signature": "",
    }


def witness(name: str) -> tuple[Ed25519PrivateKey, str]:
    key = Ed25519PrivateKey.generate()
    public = public_bytes(key)
    vkey = f"{name}+{key_id(name, 4, public).hex()}+{b64(bytes([4]) + public)}"
    return key, vkey


def cosign(checkpoint: dict[str, Any], name: str, key: Ed25519PrivateKey, when: int) -> str:
    """The C2SP tlog-cosignature cosignature/v1 line for the checkpoint's body."""
    message = f"cosignature/v1\ntime {when}\n{checkpoint['body']}".encode()
    blob = key_id(name, 4, public_bytes(key)) + struct.pack(">Q", when) + key.sign(message)
    return f"\u2014 {name} {b64(blob)}\n"


def serve_json(route: Any, payload: dict[str, Any]) -> None:
    route.fulfill(status=200, content_type="application/json", body=json.dumps(payload))


def alter_leaves(page: Any, index: int, change: Any, *, rehash: bool) -> None:
    """Serve leaves.json with entry `index` changed by `change(doc)`; `rehash` also fixes its
    leaf_hash, so only the root (or the accounting) can tell."""

    def handle(route: Any) -> None:
        response = route.fetch()
        payload = response.json()
        for item in payload["leaves"]:
            if item["index"] == index:
                doc = json.loads(base64.b64decode(item["data"]))
                change(doc)
                raw = json.dumps(
                    doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False
                ).encode()
                item["data"] = b64(raw)
                if rehash:
                    item["leaf_hash"] = b64(hashlib.sha256(b"\x00" + raw).digest())
        route.fulfill(response=response, body=json.dumps(payload))

    page.route("**/ledger/leaves.json*", handle)


def run_full(page: Any, server: Any) -> tuple[str, str]:
    page.goto(server.url("/ledger/verify/"))
    page.click("#ledger-start")
    page.wait_for_function(
        "() => ['ok', 'fail', 'stopped'].includes("
        "document.getElementById('ledger-verdict').dataset.status)",
        timeout=60_000,
    )
    status = page.get_attribute("#ledger-verdict", "data-status")
    text = page.inner_text("#ledger-verdict") + "\n" + page.inner_text("#ledger-details")
    return status, text


def size_of(server: Any) -> int:
    return get_json(server, "/ledger/checkpoint.json")["tree_size"]


# --- the whole log ---------------------------------------------------------------------------------


def test_the_demo_ledger_verifies_at_375_px(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    status, text = run_full(page, app_server)
    size = size_of(app_server)
    assert status == "ok", text
    assert f"全部 {size} 条记录" in text
    assert "借贷平衡" in text and "合计与公布的数字一致" in text
    assert "合计已与公布数字比对" in text  # the fund's data.json was compared
    assert "webcrypto" in text
    assert page.get_attribute("#ledger-progress", "value") == str(size)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "ledger-verify-phone.png"), full_page=True)


def test_an_altered_leaf_is_named(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    alter_leaves(page, 5, lambda doc: doc.update(date="2020-01-01"), rehash=False)
    status, text = run_full(page, app_server)
    assert status == "fail"
    assert "序号 5 的记录被改动" in text
    assert page.get_attribute("#ledger-verdict", "data-index") == "5"


def test_an_altered_leaf_with_its_hash_redone_is_found_by_consistency_proofs(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    alter_leaves(page, 9, lambda doc: doc.update(date="2020-01-01"), rehash=True)
    status, text = run_full(page, app_server)
    assert status == "fail"
    assert "序号 9 的记录与已签名的检查点" in text
    assert page.get_attribute("#ledger-verdict", "data-index") == "9"


def test_a_broken_checkpoint_signature_fails(new_page, app_server):
    page, _ = new_page(viewport=PHONE)

    def handle(route: Any) -> None:
        cp = route.fetch().json()
        body, sig_line = cp["note"].split("\n\n")
        dash, name, blob = sig_line.strip().split(" ")
        raw = bytearray(base64.b64decode(blob))
        raw[10] ^= 0x01  # one bit of the Ed25519 signature
        cp["note"] = f"{body}\n\n{dash} {name} {b64(bytes(raw))}\n"
        serve_json(route, cp)

    page.route("**/ledger/checkpoint.json", handle)
    status, text = run_full(page, app_server)
    assert status == "fail"
    assert "签名不成立" in text


def test_an_unbalanced_entry_signed_by_the_operator_is_named(new_page, app_server):
    """The operator (or whoever holds its key) logs an entry whose debits exceed its credits and
    signs the tree: hashes, root and signature all hold, the accounting does not."""
    size = size_of(app_server)
    leaves = all_leaves(app_server, size)
    target = 7
    doc = json.loads(leaves[target])
    doc["lines"][0]["debit"] = "999999.00" if doc["lines"][0]["debit"] != "0.00" else "0.00"
    if doc["lines"][0]["debit"] == "0.00":
        doc["lines"][0]["credit"] = "999999.00"
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    forged = [*leaves[:target], raw, *leaves[target + 1 :]]
    root = merkle_root(forged)

    page, _ = new_page(viewport=PHONE)
    alter_leaves(
        page,
        target,
        lambda d: d.update(lines=doc["lines"]),
        rehash=True,
    )
    page.route(
        "**/ledger/checkpoint.json",
        lambda route: serve_json(route, resigned(route.fetch().json(), root)),
    )
    status, text = run_full(page, app_server)
    assert status == "fail", text
    assert f"序号 {target} 的记录（凭证号 {doc['number']}）借贷不平" in text
    assert "签名不成立" not in text and "被改动" not in text
    assert page.get_attribute("#ledger-verdict", "data-index") == str(target)


def test_the_fallback_without_web_crypto_gives_the_same_verdicts(new_page, app_server):
    size = size_of(app_server)
    page, _ = new_page(viewport=PHONE)
    page.add_init_script(NO_SUBTLE)
    status, text = run_full(page, app_server)
    assert status == "ok", text
    assert f"全部 {size} 条记录" in text
    assert "计算方式：noble" in text

    tampered, _ = new_page(viewport=PHONE)
    tampered.add_init_script(NO_SUBTLE)
    alter_leaves(tampered, 5, lambda doc: doc.update(date="2020-01-01"), rehash=False)
    status, text = run_full(tampered, app_server)
    assert status == "fail"
    assert "序号 5 的记录被改动" in text
    assert "计算方式：noble" in text

    # The query flag forces the same path (what a comparison on one machine uses).
    flagged, _ = new_page(viewport=PHONE)
    flagged.goto(app_server.url("/ledger/verify/?fallback=1&entry=3"))
    flagged.wait_for_selector(".entry-verdict[data-status=ok]", timeout=30_000)
    assert "计算方式：noble" in flagged.inner_text(".entry-details")


# --- witnesses ---------------------------------------------------------------------------------------


def witness_routes(page: Any, listing: list[dict[str, Any]], lines: list[str]) -> None:
    page.route("**/ledger/witnesses.json", lambda route: serve_json(route, {"witnesses": listing}))

    def handle(route: Any) -> None:
        cp = route.fetch().json()
        serve_json(route, cp | {"cosigned_note": cp["note"] + "".join(lines(cp))})

    page.route("**/ledger/checkpoint.json", handle)


def test_a_witness_cosignature_is_checked(new_page, app_server):
    key, vkey = witness("county-audit.example/witness")
    when = 1_796_000_000
    listing = [
        {"name": "county-audit.example/witness", "verifier_key": vkey, "url": "", "latest": None}
    ]

    page, _ = new_page(viewport=PHONE)
    witness_routes(
        page, listing, lambda cp: [cosign(cp, "county-audit.example/witness", key, when)]
    )
    status, text = run_full(page, app_server)
    assert status == "ok", text
    assert "见证方“county-audit.example/witness”已联署（2026-11-30T00:53:20Z）" in text

    # A line under the witness's name and key id, signed by another key, does not verify.
    impostor, _ = witness("county-audit.example/witness")

    def forged(cp: dict[str, Any]) -> list[str]:
        line = cosign(cp, "county-audit.example/witness", impostor, when)
        blob = base64.b64decode(line.split(" ")[2])
        real_id = key_id("county-audit.example/witness", 4, public_bytes(key))
        return [f"\u2014 county-audit.example/witness {b64(real_id + blob[4:])}\n"]

    bad, _ = new_page(viewport=PHONE)
    witness_routes(bad, listing, forged)
    status, text = run_full(bad, app_server)
    assert status == "fail"
    assert "见证方“county-audit.example/witness”的联署签名不成立" in text


def test_pinned_keys_changed_on_the_server_are_shown_loudly(new_page, app_server):
    _, pinned_witness = witness("county-audit.example/witness")
    served_key, served_vkey = witness("county-audit.example/witness")
    listing = [
        {
            "name": "county-audit.example/witness",
            "verifier_key": served_vkey,
            "url": "",
            "latest": None,
        }
    ]
    other_operator = Ed25519PrivateKey.generate()
    origin = get_json(app_server, "/ledger/public-key.json")["key_name"]
    public = public_bytes(other_operator)
    other_vkey = f"{origin}+{key_id(origin, 1, public).hex()}+{b64(bytes([1]) + public)}"

    page, _ = new_page(viewport=PHONE)
    witness_routes(
        page, listing, lambda cp: [cosign(cp, "county-audit.example/witness", served_key, 1)]
    )
    page.goto(app_server.url("/ledger/verify/"))
    page.fill("#pin-operator", other_vkey)
    page.fill("#pin-witnesses", pinned_witness)
    page.click("#pin-save")
    page.wait_for_selector("#ledger-pin-alert:not(.d-none)")
    assert "签名公钥与您固定的不同" in page.inner_text("#ledger-pin-alert")
    assert page.evaluate("() => localStorage.getItem('fpa-ledger:operator-key')") == other_vkey

    status, text = run_full(page, app_server)
    assert status == "fail"  # the checkpoint carries no signature by the pinned key
    assert "签名公钥与您固定的不同" in page.inner_text(".ledger-alert >> nth=0")
    assert "见证方“county-audit.example/witness”的公钥与您固定的不同" in text

    # Pinning what the server publishes now makes it pass again (the witness's latest
    # cosignature is by its served key).
    page.click("#pin-current")
    page.wait_for_function("() => document.getElementById('pin-status').textContent !== ''")
    status, text = run_full(page, app_server)
    assert status == "ok", text
    assert "已联署" in text


# --- one entry ---------------------------------------------------------------------------------------


def test_one_entry_and_the_saved_checkpoint(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    page.goto(app_server.url("/ledger/verify/?entry=3"))
    page.wait_for_selector(".entry-verdict[data-status=ok]", timeout=30_000)
    assert page.inner_text(".entry-verdict") == "此笔记录已写入公开账本，且未被改动"
    details = page.inner_text(".entry-details")
    leaf = get_json(app_server, "/ledger/leaves/3.json")
    doc = json.loads(base64.b64decode(leaf["data"]))
    assert f"凭证号 {doc['number']}，{doc['date']}" in details
    assert base64.b64decode(leaf["leaf_hash"]).hex() in details
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    page.click(".ledger-entry-check summary")
    with page.expect_download() as download:
        page.click(".entry-save")
    saved_path = ARTIFACTS / "saved-checkpoint.txt"
    download.value.save_as(saved_path)
    note = saved_path.read_text(encoding="utf-8")
    assert note == get_json(app_server, "/ledger/checkpoint.json")["note"]
    page.click(".entry-growth")
    page.wait_for_selector(".entry-growth-verdict[data-status=ok]:has-text('只增加了记录')")
    assert f"保存时 {size_of(app_server)} 条" in page.inner_text(".entry-growth-verdict")

    # The same saved file, checked on a day the log was rewritten: the consistency proof fails.
    later, _ = new_page(viewport=PHONE)
    forged = all_leaves(app_server, size_of(app_server))
    forged[1] = forged[1].replace(b'"date":"', b'"date":"1', 1)
    forged.append(b"one more entry")
    root = merkle_root(forged)
    later.route(
        "**/ledger/checkpoint.json",
        lambda route: serve_json(
            route,
            resigned(
                (cp := route.fetch().json())
                | {
                    "tree_size": len(forged),
                    "body": cp["body"].replace(f"\n{cp['tree_size']}\n", f"\n{len(forged)}\n", 1),
                },
                root,
            )
            | {"tree_size": len(forged)},
        ),
    )
    later.route(
        "**/ledger/consistency.json*",
        lambda route: serve_json(
            route,
            {
                "first": len(forged) - 1,
                "second": len(forged),
                "consistency_proof": [b64(hashlib.sha256(b"\x00one more entry").digest())],
            },
        ),
    )
    later.goto(app_server.url("/ledger/verify/?entry=2"))
    later.click(".ledger-entry-check summary")
    later.set_input_files(".entry-file", str(saved_path))
    later.wait_for_selector(".entry-growth-verdict[data-status=fail]")
    assert "账本被改写过" in later.inner_text(".entry-growth-verdict")


def test_one_tampered_entry_fails_its_check(new_page, app_server):
    page, _ = new_page(viewport=PHONE)

    def handle(route: Any) -> None:
        response = route.fetch()
        item = response.json()
        doc = json.loads(base64.b64decode(item["data"]))
        doc["date"] = "2020-01-01"
        raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        item["data"] = b64(raw)
        item["leaf_hash"] = b64(hashlib.sha256(b"\x00" + raw).digest())
        route.fulfill(response=response, body=json.dumps(item))

    page.route("**/ledger/leaves/4.json*", handle)
    page.goto(app_server.url("/ledger/verify/?entry=4"))
    page.wait_for_selector(".entry-verdict[data-status=fail]", timeout=30_000)
    assert "序号 4 的记录不在已签名的账本" in page.inner_text(".entry-verdict")


# --- more of the accounting, both leaf layouts, the published totals, stopping ------------------


def serve_forged(page: Any, server: Any, target: int, change: Any) -> dict[str, Any]:
    """Entry `target` changed by `change(doc)`, its hash redone and the tree signed again with the
    operator's key: only the decoding of the entries can tell. Returns the changed entry."""
    size = size_of(server)
    leaves = all_leaves(server, size)
    doc = json.loads(leaves[target])
    change(doc)
    raw = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    root = merkle_root([*leaves[:target], raw, *leaves[target + 1 :]])
    alter_leaves(page, target, lambda d: (d.clear(), d.update(doc)), rehash=True)
    page.route(
        "**/ledger/checkpoint.json",
        lambda route: serve_json(route, resigned(route.fetch().json(), root)),
    )
    return doc


def test_a_gap_in_the_voucher_numbers_is_named(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    doc = serve_forged(page, app_server, 6, lambda d: d.update(number=d["number"] + 1))
    status, text = run_full(page, app_server)
    assert status == "fail", text
    assert (
        f"序号 6 的记录：基金 {doc['fund']} 的凭证号是 {doc['number']}，应为 {doc['number'] - 1}"
        in text
    )


def test_both_leaf_layouts_are_read(new_page, app_server):
    """A v2 leaf (fpa-fund-entry/2: v1 plus `appended`) among v1 leaves verifies; a v2 leaf
    without a valid `appended` is named."""
    page, _ = new_page(viewport=PHONE)
    serve_forged(
        page,
        app_server,
        8,
        lambda d: d.update(v="fpa-fund-entry/2", appended="2026-03-01T08:00:00Z"),
    )
    status, text = run_full(page, app_server)
    assert status == "ok", text

    bad, _ = new_page(viewport=PHONE)
    serve_forged(
        bad, app_server, 8, lambda d: d.update(v="fpa-fund-entry/2", appended="2026-03-01")
    )
    status, text = run_full(bad, app_server)
    assert status == "fail"
    assert "序号 8 的记录格式不对（appended）" in text


def test_totals_that_differ_from_the_published_figures_fail(new_page, app_server):
    page, _ = new_page(viewport=PHONE)

    def handle(route: Any) -> None:
        data = route.fetch().json()
        data["total"] = f"{float(data['total']) + 0.01:.2f}"
        serve_json(route, data)

    page.route("**/data.json", handle)
    status, text = run_full(page, app_server)
    assert status == "fail"
    assert "账本合计与公布的统计数字不符" in text and "资产合计：公布为" in text


def test_the_check_can_be_stopped(new_page, app_server):
    page, _ = new_page(viewport=PHONE)
    held: list[Any] = []

    def hold(route: Any) -> None:
        if "limit=1&" in route.request.url or route.request.url.endswith("limit=1"):
            route.continue_()
        else:
            held.append(route)  # the download of the entries hangs until stopped

    page.route("**/ledger/leaves.json*", hold)
    page.goto(app_server.url("/ledger/verify/"))
    page.click("#ledger-start")
    page.wait_for_selector("#ledger-progress:not([hidden])")
    assert page.inner_text("#ledger-progress-text") == f"已核对 0 / {size_of(app_server)} 条"
    page.click("#ledger-stop")
    page.wait_for_function(
        "() => document.getElementById('ledger-verdict').dataset.status !== 'running'",
        timeout=30_000,
    )
    assert page.get_attribute("#ledger-verdict", "data-status") == "stopped"
    assert "已停止：核对了 0 /" in page.inner_text("#ledger-verdict")
    assert held  # the entries were asked for, and never arrived
