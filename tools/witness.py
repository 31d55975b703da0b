#!/usr/bin/env python3
"""A transparency log witness (C2SP tlog-witness, tlog-cosignature ``cosignature/v1``).

Anyone can run it (the county audit bureau, a donor, a newspaper): Python 3 and the
``cryptography`` library only (``pip install cryptography``); nothing of the platform's code.

    python3 witness.py init --dir ~/witness --name witness.example.org/audit
        makes the witness's Ed25519 key and prints its verifier key (give it to the log operator)
    python3 witness.py vkey --dir ~/witness
        prints the verifier key again
    python3 witness.py serve --dir ~/witness --port 8001 --log '<the log's verifier key>'
        answers POST /add-checkpoint (and GET /<sha256(origin) hex>/checkpoint)
    python3 witness.py check-evidence FILE --log '<the log's verifier key>'
        checks an evidence file of a split view or a rewritten history, independently

What the witness does with a submitted checkpoint (docs/ledger.md, "Witnesses"): it verifies the
log's signature with the configured log key (404 for an unknown origin, 403 when no trusted
signature verifies), requires the ``old`` size to be the size it last cosigned (409 with that size
as ``text/x.tlog.size`` otherwise), verifies the RFC 6962 / RFC 9162 consistency proof from its
recorded checkpoint to the new one (422 when it fails or when the same size has another root),
records the new checkpoint durably (atomic file replace) and answers with its cosignature line.
A checkpoint validly signed by the log that contradicts the recorded one is kept as evidence in
``<dir>/evidence/``: both signed notes and the proof, checkable with ``check-evidence``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import http.server
import json
import os
import struct
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )
except ImportError:  # pragma: no cover - a clear message instead of a traceback
    sys.exit("witness.py needs the cryptography library: pip install cryptography")

ED25519 = 0x01  # signed-note signature type of the log's key
COSIGNATURE_V1 = 0x04  # signed-note signature type of a timestamped Ed25519 cosignature
EMPTY_ROOT = hashlib.sha256(b"").digest()
MAX_BODY = 64 * 1024  # bytes of a request: 63 proof lines and a checkpoint are far less
MAX_PROOF_LINES = 63
MAX_SIGNATURES = 64
EVIDENCE_FORMAT = "fpa-witness-evidence/1"
STATE_FORMAT = "fpa-witness-state/1"
DASH = "\u2014"


class WitnessError(Exception):
    """A request the witness refuses: an HTTP status and a one-line message."""

    def __init__(self, status: int, message: str, *, body: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.body = body


# --- keys and notes (C2SP signed-note) ---------------------------------------------------------


def key_id(name: str, sig_type: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public).digest()[:4]


def vkey(name: str, sig_type: int, public: bytes) -> str:
    raw = bytes([sig_type]) + public
    return f"{name}+{key_id(name, sig_type, public).hex()}+{base64.b64encode(raw).decode()}"


@dataclass(frozen=True)
class VerifierKey:
    name: str
    key_id: bytes
    sig_type: int
    public: bytes


def parse_vkey(text: str, *, sig_type: int) -> VerifierKey:
    """A C2SP verifier key ``name+hex(key id)+base64(type || key)``, split at the first two '+'."""
    name, plus1, rest = text.strip().partition("+")
    hex_id, plus2, b64 = rest.partition("+")
    if not (name and plus1 and plus2) or any(c.isspace() for c in name):
        raise ValueError("a verifier key is <name>+<key id hex>+<base64 key>")
    try:
        raw = base64.b64decode(b64, validate=True)
        given_id = bytes.fromhex(hex_id)
    except (binascii.Error, ValueError):
        raise ValueError("the verifier key's key id or key is not hex / base64") from None
    if len(raw) != 33 or raw[0] != sig_type:
        raise ValueError(f"not an Ed25519 verifier key of signature type 0x{sig_type:02x}")
    public = raw[1:]
    if given_id != key_id(name, sig_type, public):
        raise ValueError("the verifier key's key id does not match its name and key")
    return VerifierKey(name, given_id, sig_type, public)


def ed25519_ok(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Checkpoint:
    body: str  # the note text, origin line to the last extension line, with its final newline
    signatures: list[tuple[str, bytes]]  # (key name, base64-decoded key id || signature)
    origin: str
    size: int
    root: bytes


def parse_note(text: str) -> Checkpoint:
    """A C2SP tlog-checkpoint signed note; ValueError when malformed."""
    body, sep, sigs = text.partition("\n\n")
    if not sep or not sigs.endswith("\n"):
        raise ValueError("a signed note is the text, an empty line and signature lines")
    body += "\n"
    lines = body.split("\n")[:-1]
    if len(lines) < 3:
        raise ValueError("a checkpoint has an origin, a size and a root hash line")
    origin, size_text, root_text = lines[:3]
    if not origin or not size_text.isdigit() or not size_text.isascii():
        raise ValueError("the checkpoint's origin or size line is malformed")
    if size_text != str(int(size_text)):
        raise ValueError("the checkpoint's size has leading zeroes")
    try:
        root = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        raise ValueError("the checkpoint's root hash is not base64") from None
    if len(root) != 32:
        raise ValueError("the checkpoint's root hash is not 32 bytes")
    signatures = []
    for line in sigs[:-1].split("\n"):
        if not line.startswith(DASH + " "):
            raise ValueError("a signature line starts with an em dash and a space")
        name, _, b64 = line[2:].partition(" ")
        try:
            blob = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raise ValueError("a signature line is not base64") from None
        if not name or len(blob) < 5:
            raise ValueError("a signature line is too short")
        signatures.append((name, blob))
    if len(signatures) > MAX_SIGNATURES:
        raise ValueError("too many signature lines")
    return Checkpoint(body, signatures, origin, int(size_text), root)


def log_signature_ok(cp: Checkpoint, keys: list[VerifierKey]) -> bool:
    """At least one signature of a trusted log key verifies; a signature whose name and key id
    match a trusted key but does not verify makes the note malformed (False). Unknown keys are
    ignored."""
    verified = False
    for name, blob in cp.signatures:
        for key in keys:
            if key.name == name and key.key_id == blob[:4]:
                if not ed25519_ok(key.public, blob[4:], cp.body.encode()):
                    return False
                verified = True
    return verified


# --- cosignatures (C2SP tlog-cosignature, cosignature/v1) --------------------------------------


def cosigned_message(body: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def cosign(private: Ed25519PrivateKey, name: str, body: str, timestamp: int) -> str:
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    signature = private.sign(cosigned_message(body, timestamp))
    blob = key_id(name, COSIGNATURE_V1, public) + struct.pack(">Q", timestamp) + signature
    return f"{DASH} {name} {base64.b64encode(blob).decode()}\n"


def verify_cosignature(key: VerifierKey, body: str, line: str) -> int | None:
    """The timestamp of a valid cosignature line of ``key`` on ``body``, else None."""
    line = line.rstrip("\n")
    if not line.startswith(DASH + " "):
        return None
    name, _, b64 = line[2:].partition(" ")
    try:
        blob = base64.b64decode(b64, validate=True)
    except binascii.Error:
        return None
    if name != key.name or len(blob) != 4 + 8 + 64 or blob[:4] != key.key_id:
        return None
    (timestamp,) = struct.unpack(">Q", blob[4:12])
    if timestamp == 0 or timestamp >= 2**63:
        return None
    if not ed25519_ok(key.public, blob[12:], cosigned_message(body, timestamp)):
        return None
    return int(timestamp)


# --- Merkle consistency (RFC 6962 §2.1.2, verified per RFC 9162 §2.1.4.2) ----------------------


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def consistent(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]
) -> bool:
    if not 0 <= first <= second or len(first_root) != 32 or len(second_root) != 32:
        return False
    if any(len(p) != 32 for p in proof):
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_root)
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
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


# --- the request --------------------------------------------------------------------------------


def parse_request(body: bytes) -> tuple[int, list[bytes], str]:
    """(old size, proof hashes, checkpoint note) of an add-checkpoint body; WitnessError 400."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WitnessError(400, "the request is not UTF-8") from None
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise WitnessError(400, "the request has no empty line before the checkpoint")
    lines = head.split("\n")
    first = lines[0]
    if not first.startswith("old ") or not first[4:].isascii() or not first[4:].isdigit():
        raise WitnessError(400, "the first line must be 'old <size>'")
    if first[4:] != str(int(first[4:])):
        raise WitnessError(400, "the old size has leading zeroes")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise WitnessError(400, f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            digest = base64.b64decode(line, validate=True)
        except binascii.Error:
            raise WitnessError(400, "a consistency proof line is not base64") from None
        if len(digest) != 32:
            raise WitnessError(400, "a consistency proof line is not a 32-byte hash")
        proof.append(digest)
    return int(first[4:]), proof, note


@dataclass
class Record:
    size: int
    root: bytes
    note: str  # the checkpoint as the witness cosigned it (log signature + its cosignature)


class Witness:
    """The witness's state: its key, the trusted log keys, one record per origin."""

    def __init__(self, directory: Path, logs: list[VerifierKey]) -> None:
        self.dir = directory
        self.name, self.private = load_key(directory)
        self.public = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.logs: dict[str, list[VerifierKey]] = {}
        for key in logs:
            self.logs.setdefault(key.name, []).append(key)
        self.lock = threading.Lock()
        (directory / "state").mkdir(parents=True, exist_ok=True)
        (directory / "evidence").mkdir(parents=True, exist_ok=True)

    @property
    def vkey(self) -> str:
        return vkey(self.name, COSIGNATURE_V1, self.public)

    def _state_path(self, origin: str) -> Path:
        return self.dir / "state" / (hashlib.sha256(origin.encode()).hexdigest() + ".json")

    def record(self, origin: str) -> Record | None:
        where = self._state_path(origin)
        if not where.exists():
            return None
        document = json.loads(where.read_text(encoding="utf-8"))
        if document.get("format") != STATE_FORMAT or document.get("origin") != origin:
            raise RuntimeError(f"{where} is not this witness's record of {origin}")
        return Record(int(document["size"]), base64.b64decode(document["root"]), document["note"])

    def _save(self, origin: str, record: Record) -> None:
        document = {
            "format": STATE_FORMAT,
            "origin": origin,
            "size": record.size,
            "root": base64.b64encode(record.root).decode(),
            "note": record.note,
        }
        write_atomic(self._state_path(origin), json.dumps(document, indent=1) + "\n")

    def _evidence(
        self, kind: str, recorded: Record, note: str, old: int, proof: list[bytes]
    ) -> Path:
        cp = parse_note(note)
        document = {
            "format": EVIDENCE_FORMAT,
            "kind": kind,
            "origin": cp.origin,
            "witness": self.vkey,
            "detected_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "recorded_checkpoint": recorded.note,
            "submitted_checkpoint": note,
            "old_size": old,
            "consistency_proof": [base64.b64encode(p).decode() for p in proof],
        }
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        digest = hashlib.sha256(note.encode()).hexdigest()[:12]
        where = self.dir / "evidence" / f"{stamp}-{kind}-{digest}.json"
        write_atomic(where, json.dumps(document, indent=1, ensure_ascii=False) + "\n")
        print(f"EVIDENCE of {kind} for {cp.origin}: {where}", file=sys.stderr, flush=True)
        return where

    def add_checkpoint(self, body: bytes, *, now: int | None = None) -> str:
        """Handle one add-checkpoint request; the cosignature line(s) or WitnessError."""
        old, proof, note = parse_request(body)
        try:
            cp = parse_note(note)
        except ValueError as error:
            raise WitnessError(400, f"malformed checkpoint: {error}") from None
        keys = self.logs.get(cp.origin)
        if not keys:
            raise WitnessError(404, f"unknown log origin {cp.origin!r}")
        if not log_signature_ok(cp, keys):
            raise WitnessError(403, "no valid signature of the log's trusted key")
        if old > cp.size:
            raise WitnessError(400, f"old size {old} is larger than the checkpoint's {cp.size}")
        if cp.size == 0 and cp.root != EMPTY_ROOT:
            raise WitnessError(422, "a checkpoint of size 0 must have the empty tree's root")
        with self.lock:
            recorded = self.record(cp.origin)
            size = recorded.size if recorded else 0
            if old != size:
                raise WitnessError(409, f"the latest cosigned size is {size}", body=f"{size}\n")
            if old == 0 and proof:
                raise WitnessError(422, "the proof must be empty when the old size is 0")
            if recorded is not None and recorded.size == cp.size and recorded.root == cp.root:
                if proof:
                    raise WitnessError(422, "the proof must be empty for the same tree")
            elif recorded is not None and recorded.size == cp.size:
                where = self._evidence("split-view", recorded, note, old, proof)
                raise WitnessError(
                    422,
                    f"split view: a checkpoint of size {cp.size} with another root; evidence "
                    f"kept as {where.name}",
                )
            elif (
                recorded is not None
                and old > 0
                and not consistent(recorded.size, cp.size, recorded.root, cp.root, proof)
            ):
                where = self._evidence("inconsistent", recorded, note, old, proof)
                raise WitnessError(
                    422,
                    f"the consistency proof from {recorded.size} to {cp.size} does not verify; "
                    f"evidence kept as {where.name}",
                )
            timestamp = int(time.time()) if now is None else now
            line = cosign(self.private, self.name, cp.body, timestamp)
            self._save(cp.origin, Record(cp.size, cp.root, note + line))
        return line

    def latest(self, origin_hash: str) -> str | None:
        for origin in self.logs:
            if hashlib.sha256(origin.encode()).hexdigest() == origin_hash:
                record = self.record(origin)
                return record.note if record else None
        return None


def write_atomic(where: Path, text: str) -> None:
    tmp = where.with_name(where.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, where)
    dir_fd = os.open(where.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


# --- key files ----------------------------------------------------------------------------------


def load_key(directory: Path) -> tuple[str, Ed25519PrivateKey]:
    try:
        config = json.loads((directory / "witness.json").read_text(encoding="utf-8"))
        pem = (directory / "witness-key.pem").read_bytes()
    except (OSError, ValueError) as error:
        message = f"{directory} is not a witness directory (run init first): {error}"
        raise SystemExit(message) from None
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SystemExit(f"{directory}/witness-key.pem is not an Ed25519 key")
    return str(config["name"]), key


def init(directory: Path, name: str) -> str:
    if not name or any(c.isspace() for c in name) or "+" in name:
        raise SystemExit("the witness name must be non-empty, without spaces or '+'")
    if (directory / "witness-key.pem").exists():
        raise SystemExit(f"{directory} already holds a witness key; not overwriting it")
    directory.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    write_atomic(directory / "witness-key.pem", pem.decode())
    write_atomic(directory / "witness.json", json.dumps({"name": name}) + "\n")
    public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return vkey(name, COSIGNATURE_V1, public)


# --- evidence -----------------------------------------------------------------------------------


def check_evidence(document: dict, logs: list[VerifierKey]) -> tuple[bool, str]:
    """(proven, explanation) of an evidence file, from its own content and the log's key."""
    if document.get("format") != EVIDENCE_FORMAT:
        return False, "not a witness evidence file"
    try:
        recorded = parse_note(document["recorded_checkpoint"])
        submitted = parse_note(document["submitted_checkpoint"])
        proof = [base64.b64decode(p, validate=True) for p in document["consistency_proof"]]
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        return False, f"the evidence file is malformed: {error}"
    if recorded.origin != submitted.origin:
        return False, "the two checkpoints are of different logs"
    keys = [k for k in logs if k.name == recorded.origin]
    if not keys:
        return False, f"no log key given for origin {recorded.origin!r}"
    for label, cp in (("recorded", recorded), ("submitted", submitted)):
        if not log_signature_ok(cp, keys):
            return False, f"the {label} checkpoint is not signed by the given log key"
    a, b = recorded, submitted
    if a.size == b.size:
        if a.root == b.root:
            return False, "both checkpoints have the same size and root: no split view"
        return True, (
            f"SPLIT VIEW: the log signed two different trees of size {a.size}:\n"
            f"  {base64.b64encode(a.root).decode()}\n  {base64.b64encode(b.root).decode()}"
        )
    small, large = (a, b) if a.size < b.size else (b, a)
    if consistent(small.size, large.size, small.root, large.root, proof):
        return False, "the consistency proof in the file verifies: the log did not fork"
    return True, (
        f"INCONSISTENT: the log signed a tree of size {small.size} and a tree of size "
        f"{large.size}, and the consistency proof it gave between them does not verify. An "
        "honest log can always prove that its larger tree extends the smaller one; ask it for "
        f"the proof (consistency.json?first={small.size}&second={large.size}): if none "
        "verifies, the log rewrote its history."
    )


# --- the HTTP server ----------------------------------------------------------------------------


def make_handler(witness: Witness) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "fpa-witness/1"

        def _reply(
            self, status: int, text: str, content_type: str = "text/plain; charset=utf-8"
        ) -> None:
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path.rstrip("/").rsplit("/", 1)[-1] != "add-checkpoint":
                self._reply(404, "not found\n")
                return
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                self._reply(411, "a Content-Length is required\n")
                self.close_connection = True
                return
            if length < 0 or length > MAX_BODY:
                self._reply(413, f"the request is larger than {MAX_BODY} bytes\n")
                self.close_connection = True
                return
            body = self.rfile.read(length)
            try:
                line = witness.add_checkpoint(body)
            except WitnessError as error:
                if error.status == 409:
                    self._reply(409, error.body or "0\n", "text/x.tlog.size")
                else:
                    self._reply(error.status, error.message + "\n")
                return
            except Exception as error:
                print(f"internal error: {type(error).__name__}: {error}", file=sys.stderr)
                self._reply(500, "internal error\n")
                return
            self._reply(200, line)

        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if len(parts) == 2 and parts[1] == "checkpoint":
                note = witness.latest(parts[0])
                if note is not None:
                    self._reply(200, note)
                    return
            self._reply(404, "not found\n")

        def log_message(self, format: str, *args: object) -> None:
            sys.stderr.write("witness: " + format % args + "\n")

    return Handler


def serve(witness: Witness, host: str, port: int) -> None:
    server = http.server.ThreadingHTTPServer((host, port), make_handler(witness))
    server.daemon_threads = True
    origins = ", ".join(witness.logs) or "(none)"
    print(f"witness {witness.name} on http://{host}:{port}/ for {origins}", flush=True)
    print(f"verifier key: {witness.vkey}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _log_keys(values: list[str]) -> list[VerifierKey]:
    keys = []
    for value in values:
        try:
            keys.append(parse_vkey(value, sig_type=ED25519))
        except ValueError as error:
            raise SystemExit(f"--log {value!r}: {error}") from None
    return keys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("init", help="make the witness's key")
    p.add_argument("--dir", required=True, type=Path)
    p.add_argument("--name", required=True, help="the witness's name, e.g. audit.example.org/w1")
    p = commands.add_parser("vkey", help="print the witness's verifier key")
    p.add_argument("--dir", required=True, type=Path)
    p = commands.add_parser("serve", help="answer add-checkpoint requests")
    p.add_argument("--dir", required=True, type=Path)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--log", action="append", default=[], required=True, help="a log's verifier key")
    p = commands.add_parser("check-evidence", help="check an evidence file")
    p.add_argument("file", type=Path)
    p.add_argument(
        "--log", action="append", default=[], required=True, help="the log's verifier key"
    )
    args = parser.parse_args(argv)
    if args.command == "init":
        print(init(args.dir, args.name))
        return 0
    if args.command == "vkey":
        name, key = load_key(args.dir)
        public = key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        print(vkey(name, COSIGNATURE_V1, public))
        return 0
    if args.command == "serve":
        serve(Witness(args.dir, _log_keys(args.log)), args.host, args.port)
        return 0
    try:
        document = json.loads(args.file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    proven, message = check_evidence(
        document if isinstance(document, dict) else {}, _log_keys(args.log)
    )
    print(message)
    return 0 if proven else 1


def run() -> int:
    """main() with operating-system errors (a port in use, a directory not writable) as one line
    of message instead of a traceback."""
    try:
        return main()
    except OSError as error:
        print(f"witness.py: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(run())
