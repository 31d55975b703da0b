#!/usr/bin/env python3
"""Independent verifier of the care fund's public ledger (needs Python 3.9+ and `cryptography`).

    python3 verify_ledger.py https://example.org/ledger/
    python3 verify_ledger.py URL --public-key KEY --previous-checkpoint old.txt --leaf 42
    python3 verify_ledger.py URL --fund 622923          # also the published totals
    python3 verify_ledger.py --receipt promise.txt --public-key KEY [URL]

It downloads the public key (or uses the one you pin with --public-key: a signed-note verifier
key "name+hash+base64", a file holding one, or the raw 32-byte key in base64), the latest signed
checkpoint and every entry up to the checkpoint's size; recomputes the RFC 6962 Merkle root and
checks it against the signed root; checks the Ed25519 signature; with --previous-checkpoint (a
checkpoint you saved earlier, e.g. with --save-checkpoint) checks that the new log extends the
old one (an RFC 9162 consistency proof, and the recomputed old root); checks every checkpoint the
server published (checkpoints.json) against the entries, so that any two are consistent (skip with
--latest-only); fails when the server reports its ledger under review (status.json); with
--leaf N checks that entry's inclusion proof. It also decodes every care fund entry (leaf
layouts fpa-fund-entry/1 and /2) and checks the money: canonical bytes, debits = credits, entry
numbers 1, 2, 3, ... per fund without a gap, a reversal mirrors an earlier entry; with --fund CODE
the per-account totals equal the published /fund/public/CODE/data.json. With --receipt it checks
an operator-signed promise of inclusion printed on a donation receipt (fpa-fund-receipt/1): its
signature and, with a URL, that the log holds that leaf in the promised tree. Exit status 0 when
everything verifies, 1 otherwise (the message says what failed and at which entry). The formats are
described in docs/ledger.md and docs/fund-ledger-entries.md of the project (served at
/ledger/spec/).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - told to the user
    sys.exit("This verifier needs the `cryptography` package: pip install cryptography")

from decimal import Decimal

PAGE = 1000
EM_DASH = "\u2014"
FUND_V1 = "fpa-fund-entry/1"
FUND_V2 = "fpa-fund-entry/2"
RECEIPT_HEADER = "fpa-fund-receipt/1"


class Failure(Exception):
    pass


# --- RFC 6962 / RFC 9162 ------------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def merkle_root(hashes: list[bytes]) -> bytes:
    if not hashes:
        return hashlib.sha256(b"").digest()
    level = hashes
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, root1: bytes, root2: bytes, proof: list[bytes]
) -> bool:
    """RFC 9162 section 2.1.4.2 (first == second: empty proof and equal roots)."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and root1 == root2
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, root1)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == root1 and sr == root2 and sn == 0


def roots_at(hashes: list[bytes], sizes: set[int]) -> dict[int, bytes]:
    """The Merkle root of the first m leaf hashes for every m in sizes, in one pass."""
    covers: dict[int, list[bytes]] = {m: [] for m in sizes if 0 < m <= len(hashes)}
    level, row = 0, hashes
    while covers:
        for m, cover in covers.items():
            if m >> level & 1:
                cover.append(row[(m >> level) - 1])
        if len(row) < 2:
            break
        row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row) - 1, 2)]
        level += 1
    roots = {}
    for m, cover in covers.items():
        result = cover[0]
        for h in cover[1:]:
            result = node_hash(h, result)
        roots[m] = result
    if 0 in sizes:
        roots[0] = hashlib.sha256(b"").digest()
    return roots


# --- Signed notes (C2SP signed-note, tlog-checkpoint) ------------------------------------------


def key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]


def parse_public_key(text: str) -> tuple[str | None, bytes]:
    """(name or None, raw public key) from a verifier key, a file holding one, or base64."""
    text = text.strip()
    if os.path.isfile(text):
        with open(text, encoding="utf-8") as handle:
            text = handle.read().strip()
    if len(text) == 44 and text.endswith("="):  # a raw 32-byte key in base64
        raw = base64.b64decode(text, validate=True)
        if len(raw) == 32:
            return None, raw
    parts = text.split("+", 2)
    if len(parts) == 3 and len(parts[1]) == 8:
        name, hash_hex, key_b64 = parts
        raw = base64.b64decode(key_b64)
        if len(raw) != 33 or raw[0] != 1:
            raise Failure("the pinned key is not an Ed25519 verifier key")
        if key_id(name, raw[1:]).hex() != hash_hex:
            raise Failure("the pinned verifier key's hash does not match its key")
        return name, raw[1:]
    raw = base64.b64decode(text)
    if len(raw) != 32:
        raise Failure("a raw public key is 32 bytes in base64")
    return None, raw


def saved_note(text: str, name: str) -> str:
    """The signed note inside a saved text: the note alone, or a posted checkpoint notice
    (docs/ledger.md, "Posting checkpoints outside the platform") whose note begins at the line
    holding only the log's name. Line ends are normalised (a text pasted on Windows)."""
    text = text.replace("\r\n", "\n")
    if text.startswith(name + "\n"):
        return text
    at = text.find("\n" + name + "\n")
    return text[at + 1 :] if at >= 0 else text


def open_checkpoint(note: str, name: str, public: bytes) -> tuple[str, int, bytes]:
    """Verify a signed checkpoint note; return (origin, size, root)."""
    lines = verify_note(note, name, public, "checkpoint")
    if len(lines) < 3:
        raise Failure("the checkpoint has fewer than three lines")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if (
        not size_text.isascii()
        or not size_text.isdigit()
        or (size_text != "0" and size_text[0] == "0")
    ):
        raise Failure(f"bad tree size line {size_text!r}")
    root = base64.b64decode(root_text)
    if len(root) != 32:
        raise Failure("the root hash is not 32 bytes")
    return origin, int(size_text), root


def verify_note(note: str, name: str, public: bytes, what: str) -> list[str]:
    """Check a signed note's signature by (name, public); return the body's lines."""
    body, sep, signatures = note.partition("\n\n")
    if not sep:
        raise Failure(f"the {what} is not a signed note (no blank line)")
    body += "\n"
    wanted = key_id(name, public)
    for line in signatures.split("\n"):
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != EM_DASH or parts[1] != name:
            continue
        blob = base64.b64decode(parts[2])
        if blob[:4] != wanted:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(blob[4:], body.encode())
        except InvalidSignature:
            raise Failure(f"the {what}'s signature does not verify") from None
        return body.split("\n")[:-1]
    raise Failure(f"the {what} carries no signature by key {name} ({wanted.hex()})")


# --- The care fund's entries (docs/fund-ledger-entries.md) ---------------------------------------

ENTRY_KEYS = {
    "v",
    "fund",
    "number",
    "date",
    "kind",
    "category",
    "township",
    "receipt",
    "grant",
    "reverses",
    "lines",
}
LINE_KEYS = {"account", "debit", "credit", "restriction"}
KINDS = {"donation", "income", "grant", "expense", "reversal"}
AMOUNT = re.compile(r"(0|[1-9][0-9]*)\.[0-9]{2}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def canonical(doc: object) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def fund_entry(raw: bytes) -> dict | None:
    """The decoded fund entry, or None when the leaf is not one (another producer's leaf)."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("v") not in (FUND_V1, FUND_V2):
        return None
    return doc


class Books:
    """Everything the fund leaves say about the money, checked as they are read in log order."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[int, dict]] = {}  # fund -> number -> entry
        self.totals: dict[str, dict[str, list[Decimal]]] = {}  # fund -> account -> [dr, cr]
        self.reversed: dict[str, set[int]] = {}
        self.count = 0

    def add(self, index: int, raw: bytes, doc: dict) -> None:
        where = f"entry at index {index}"
        if canonical(doc) != raw:
            raise Failure(f"{where}: the leaf is not in the canonical serialisation")
        keys = ENTRY_KEYS | ({"appended"} if doc["v"] == FUND_V2 else set())
        if set(doc) != keys:
            raise Failure(f"{where}: keys {sorted(set(doc) ^ keys)} do not match {doc['v']}")
        fund, number = doc["fund"], doc["number"]
        where = f"fund {fund} entry {number} (index {index})"
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise Failure(f"{where}: the number is not a positive integer")
        if doc["kind"] not in KINDS:
            raise Failure(f"{where}: unknown kind {doc['kind']!r}")
        if not isinstance(doc["date"], str) or not DATE.fullmatch(doc["date"]):
            raise Failure(f"{where}: bad booking date {doc['date']!r}")
        if doc["v"] == FUND_V2 and not STAMP.fullmatch(str(doc["appended"])):
            raise Failure(f"{where}: bad append time {doc['appended']!r}")
        book = self.entries.setdefault(fund, {})
        expected = len(book) + 1
        if number != expected:
            raise Failure(f"{where}: expected entry number {expected} (numbers must have no gap)")
        lines = doc["lines"]
        if not isinstance(lines, list) or len(lines) < 2:
            raise Failure(f"{where}: an entry has at least two lines")
        debits = credits = Decimal("0")
        totals = self.totals.setdefault(fund, {})
        for position, line in enumerate(lines, 1):
            if not isinstance(line, dict) or set(line) != LINE_KEYS:
                raise Failure(f"{where}: line {position} does not have the documented keys")
            for side in ("debit", "credit"):
                if not isinstance(line[side], str) or not AMOUNT.fullmatch(line[side]):
                    raise Failure(f"{where}: line {position} {side} {line[side]!r} is not x.xx")
            debit, credit = Decimal(line["debit"]), Decimal(line["credit"])
            if (debit > 0) == (credit > 0):
                raise Failure(f"{where}: line {position} must be either a debit or a credit")
            debits += debit
            credits += credit
            sums = totals.setdefault(line["account"], [Decimal("0"), Decimal("0")])
            sums[0] += debit
            sums[1] += credit
        if debits != credits:
            raise Failure(f"{where}: debits {debits} != credits {credits}")
        reverses = doc["reverses"]
        if doc["kind"] == "reversal":
            target = book.get(reverses) if isinstance(reverses, int) else None
            if target is None:
                raise Failure(f"{where}: reverses {reverses!r}, which is no earlier entry")
            if target["kind"] == "reversal":
                raise Failure(f"{where}: reverses entry {reverses}, itself a reversal")
            done = self.reversed.setdefault(fund, set())
            if reverses in done:
                raise Failure(f"{where}: entry {reverses} was already reversed")
            done.add(reverses)
            mirror = [
                {**line, "debit": line["credit"], "credit": line["debit"]}
                for line in target["lines"]
            ]
            if lines != mirror:
                raise Failure(f"{where}: its lines do not mirror entry {reverses}'s")
        elif reverses is not None:
            raise Failure(f"{where}: only a reversal reverses an entry")
        book[number] = doc
        self.count += 1

    def check_published(self, fund: str, published: dict) -> None:
        """The per-account totals of the fund's leaves equal data.json's ledger_totals."""
        totals = published.get("ledger_totals")
        if not isinstance(totals, dict):
            raise Failure(f"fund {fund}: data.json publishes no ledger_totals")
        mine = self.totals.get(fund, {})
        if totals.get("entries") != len(self.entries.get(fund, {})):
            raise Failure(
                f"fund {fund}: data.json counts {totals.get('entries')} entries, the log holds "
                f"{len(self.entries.get(fund, {}))}"
            )
        theirs = {
            a["code"]: (Decimal(a["debit"]), Decimal(a["credit"])) for a in totals["accounts"]
        }
        for code in sorted(set(mine) | set(theirs)):
            ours = tuple(mine.get(code, [Decimal("0"), Decimal("0")]))
            if ours != theirs.get(code, (Decimal("0"), Decimal("0"))):
                raise Failure(
                    f"fund {fund} account {code}: the entries total debit {ours[0]} credit "
                    f"{ours[1]}, data.json publishes {theirs.get(code)}"
                )


# --- Receipt promises (docs/ledger.md, "Receipt promises") --------------------------------------


def open_promise(note: str, name: str, public: bytes) -> tuple[str, str, int, bytes, int, bytes]:
    """Verify a receipt promise; (origin, receipt, index, leaf hash, tree size, root)."""
    lines = verify_note(note, name, public, "receipt promise")
    if len(lines) != 7 or lines[0] != RECEIPT_HEADER:
        raise Failure(f"the receipt promise is not a {RECEIPT_HEADER} note")
    origin, receipt, index_text, hash_text, size_text, root_text = lines[1:]
    for text in (index_text, size_text):
        if not text.isascii() or not text.isdigit():
            raise Failure(f"bad number {text!r} in the receipt promise")
    hashed, root = base64.b64decode(hash_text), base64.b64decode(root_text)
    if len(hashed) != 32 or len(root) != 32:
        raise Failure("the receipt promise's hashes are not 32 bytes")
    index, size = int(index_text), int(size_text)
    if index >= size:
        raise Failure(f"the receipt promise puts entry {index} in a tree of {size} entries")
    return origin, receipt, index, hashed, size, root


def read_promise(text: str) -> str:
    if os.path.isfile(text):
        with open(text, encoding="utf-8") as handle:
            text = handle.read()
    text = text.replace("\r\n", "\n").strip("\n") + "\n"
    start = text.find(RECEIPT_HEADER)
    if start < 0:
        raise Failure("no receipt promise (fpa-fund-receipt/1) in the text given")
    return text[start:]


# --- Talking to the server ----------------------------------------------------------------------


def fetch(url: str) -> bytes:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise Failure(f"{url}: only http and https URLs")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - checked above
            return response.read()
    except urllib.error.HTTPError as error:
        detail = error.read().decode("utf-8", "replace")[:300]
        raise Failure(f"{url}: HTTP {error.code} {detail}") from None
    except urllib.error.URLError as error:
        raise Failure(f"{url}: {error.reason}") from None


def fetch_json(url: str) -> dict:
    return json.loads(fetch(url))


def run(args: argparse.Namespace) -> str:
    promise = read_promise(args.receipt) if args.receipt else None
    if not args.url:
        if promise is None or not args.public_key:
            raise Failure("give the ledger's URL (or --receipt with --public-key)")
        name, public = parse_public_key(args.public_key)
        name = name or promise.split("\n")[1]
        _, receipt, index, _, size, _ = open_promise(promise, name, public)
        return (
            f"OK: the receipt promise for {receipt} (entry {index} in the tree of {size} "
            f"entries) is signed by {name}"
        )
    base = args.url if args.url.endswith("/") else args.url + "/"
    if args.public_key:
        name, public = parse_public_key(args.public_key)
    else:
        info = fetch_json(base + "public-key.json")
        name, public = parse_public_key(info["verifier_key"])
        print(f"public key (not pinned; pin it next time): {info['verifier_key']}")
    try:
        status = fetch_json(base + "status.json")
    except Failure as error:
        if "HTTP 404" not in str(error):
            raise
        status = {}
    if status.get("under_review"):
        alarms = "; ".join(f"{a['kind']}: {a['message']}" for a in status.get("alarms", []))
        raise Failure(f"the server reports its ledger under review ({alarms})")
    try:
        note = fetch(base + "checkpoint").decode("utf-8")
    except Failure as error:
        if "under_review" not in str(error):
            raise
        status = fetch_json(base + "status.json")
        alarms = "; ".join(f"{a['kind']}: {a['message']}" for a in status.get("alarms", []))
        raise Failure(f"the server reports its ledger under review ({alarms})") from None
    origin = note.split("\n", 1)[0]
    name = name or origin
    origin, size, root = open_checkpoint(note, name, public)
    print(f"checkpoint: {origin}, {size} entries, root {base64.b64encode(root).decode()}")

    hashes: list[bytes] = []
    data: dict[int, bytes] = {}
    books = Books()
    while len(hashes) < size:
        limit = min(args.page_size, size - len(hashes))
        page = fetch_json(f"{base}leaves.json?start={len(hashes)}&limit={limit}")
        if not page["leaves"]:
            raise Failure(f"the server returned no entries from {len(hashes)} (checkpoint: {size})")
        for item in page["leaves"]:
            if item["index"] != len(hashes):
                raise Failure(f"expected entry {len(hashes)}, the server sent {item['index']}")
            raw = base64.b64decode(item["data"])
            computed = leaf_hash(raw)
            if base64.b64decode(item["leaf_hash"]) != computed:
                raise Failure(f"entry {item['index']}: the leaf hash the server sent is wrong")
            hashes.append(computed)
            if args.leaf is not None and item["index"] == args.leaf:
                data[args.leaf] = raw
            doc = fund_entry(raw)
            if doc is not None:
                books.add(item["index"], raw, doc)
            if len(hashes) == size:
                break
    if merkle_root(hashes) != root:
        raise Failure(f"the root of the {size} downloaded entries is not the signed root")
    print(f"recomputed the root of {size} entries: matches the signed checkpoint")
    if books.count:
        funds = ", ".join(f"{f}: {len(e)}" for f, e in sorted(books.entries.items()))
        print(
            f"decoded {books.count} fund entries ({funds}): canonical, debits = credits, "
            "numbers without gaps, reversals mirror earlier entries"
        )
    for code in args.fund or []:
        published = fetch_json(urllib.parse.urljoin(base, f"../fund/public/{code}/data.json"))
        books.check_published(code, published)
        print(f"fund {code}: the totals per account equal the published data.json")

    if promise is not None:
        _, receipt, index, hashed, psize, proot = open_promise(promise, name, public)
        if psize > size:
            raise Failure(f"the receipt promise's tree ({psize}) is beyond the checkpoint ({size})")
        if hashes[index] != hashed:
            raise Failure(f"receipt {receipt}: entry {index} in the log is not the promised leaf")
        if merkle_root(hashes[:psize]) != proot:
            raise Failure(
                f"receipt {receipt}: the log's first {psize} entries do not give the promised root"
            )
        print(f"receipt {receipt}: entry {index} is in the log as promised (tree of {psize})")

    if not args.latest_only:
        check_history(base, name, public, size, hashes)

    if args.previous_checkpoint:
        with open(args.previous_checkpoint, encoding="utf-8") as handle:
            _, old_size, old_root = open_checkpoint(saved_note(handle.read(), name), name, public)
        if old_size > size:
            raise Failure(
                f"the previous checkpoint ({old_size}) is larger than the latest ({size})"
            )
        proof = fetch_json(f"{base}consistency.json?first={old_size}&second={size}")
        path = [base64.b64decode(h) for h in proof["consistency_proof"]]
        if not verify_consistency(old_size, size, old_root, root, path):
            raise Failure(f"the consistency proof from {old_size} to {size} does not verify")
        if merkle_root(hashes[:old_size]) != old_root:
            raise Failure(f"the first {old_size} entries changed since the previous checkpoint")
        print(f"consistent with the previous checkpoint of {old_size} entries")

    if args.leaf is not None:
        if not 0 <= args.leaf < size:
            raise Failure(f"entry {args.leaf} is not in the checkpoint of {size} entries")
        item = fetch_json(f"{base}leaves/{args.leaf}.json?tree_size={size}")
        raw = base64.b64decode(item["data"])
        if raw != data.get(args.leaf):
            raise Failure(f"entry {args.leaf}: the entry differs from the downloaded one")
        path = [base64.b64decode(h) for h in item["inclusion_proof"]]
        if not verify_inclusion(args.leaf, size, leaf_hash(raw), path, root):
            raise Failure(f"entry {args.leaf}: the inclusion proof does not verify")
        print(
            f"entry {args.leaf} is included in the signed checkpoint (proof of {len(path)} hashes)"
        )

    if args.save_checkpoint:
        with open(args.save_checkpoint, "w", encoding="utf-8") as handle:
            handle.write(note)
    return f"OK: {size} entries verified against the checkpoint signed by {name}"


def check_history(base: str, name: str, public: bytes, size: int, hashes: list[bytes]) -> None:
    """Every checkpoint the server published: its signature verifies and its root is the root of
    the downloaded entries at its size, so any two are consistent with each other. A log with
    entries and no checkpoint, or a checkpoint larger than the latest one, fails."""
    heads: list[tuple[int, int, bytes]] = []
    url: str | None = base + "checkpoints.json?limit=100"
    while url:
        page = fetch_json(url)
        for item in page["checkpoints"]:
            _, cp_size, cp_root = open_checkpoint(item["note"], name, public)
            heads.append((item["id"], cp_size, cp_root))
        url = page["next"] and urllib.parse.urljoin(base, page["next"])
    if size and not heads:
        raise Failure(f"the log holds {size} entries but the server lists no checkpoint")
    beyond = [h for h in heads if h[1] > size]
    if beyond:
        raise Failure(
            f"checkpoint #{beyond[0][0]} has {beyond[0][1]} entries, more than the latest ({size})"
        )
    roots = roots_at(hashes, {cp_size for _, cp_size, _ in heads})
    bad = sorted((cp_size, cp_id) for cp_id, cp_size, cp_root in heads if roots[cp_size] != cp_root)
    if bad:
        good = max((s for _, s, r in heads if s < bad[0][0] and roots[s] == r), default=0)
        raise Failure(
            f"checkpoint #{bad[0][1]} ({bad[0][0]} entries) contradicts the latest checkpoint: "
            f"the first changed entry is among entries {good}..{bad[0][0] - 1}"
        )
    print(f"all {len(heads)} published checkpoints are consistent with the entries")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "url", nargs="?", help="the ledger's base URL, e.g. https://example.org/ledger/"
    )
    parser.add_argument("--public-key", help="pinned key: verifier key, file, or base64 raw key")
    parser.add_argument("--previous-checkpoint", help="a checkpoint saved earlier (text file)")
    parser.add_argument("--save-checkpoint", help="save the verified checkpoint to this file")
    parser.add_argument("--leaf", type=int, help="also check this entry's inclusion proof")
    parser.add_argument(
        "--latest-only",
        action="store_true",
        help="skip checking every published checkpoint against the entries",
    )
    parser.add_argument(
        "--fund",
        action="append",
        help="check the fund's published totals (/fund/public/CODE/data.json); repeatable",
    )
    parser.add_argument("--receipt", help="a receipt promise (file or text) to verify")
    parser.add_argument("--page-size", type=int, default=PAGE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        print(run(args))
    except (Failure, ValueError, KeyError, TypeError) as error:
        print(f"FAIL: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
