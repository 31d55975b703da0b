"""tools/witness.py, the standalone witness (C2SP tlog-witness, tlog-cosignature), on its own:
no database, no server of the platform. Imported by path, as a third party would run it."""

from __future__ import annotations

import base64
import importlib.util
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fpa.transparency import merkle

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "witness.py"
ORIGIN = "log.example/fund"


def load_tool():
    spec = importlib.util.spec_from_file_location("witness_tool", TOOL)
    module = importlib.util.module_from_spec(spec)
    sys.modules["witness_tool"] = module
    spec.loader.exec_module(module)
    return module


W = load_tool()


class Log:
    """A toy log operator: leaves, and notes signed with its Ed25519 key (type 0x01)."""

    def __init__(self, origin: str = ORIGIN) -> None:
        self.origin = origin
        self.key = Ed25519PrivateKey.generate()
        self.public = self.key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.vkey = W.vkey(origin, W.ED25519, self.public)
        self.leaves: list[bytes] = []

    def add(self, n: int, tag: str = "") -> None:
        start = len(self.leaves)
        self.leaves += [f"entry {start + i}{tag}".encode() for i in range(n)]

    def note(self, leaves: list[bytes] | None = None) -> str:
        leaves = self.leaves if leaves is None else leaves
        root = merkle.root(leaves)
        body = f"{self.origin}\n{len(leaves)}\n{base64.b64encode(root).decode()}\ntime x\n"
        kid = W.key_id(self.origin, W.ED25519, self.public)
        sig = base64.b64encode(kid + self.key.sign(body.encode())).decode()
        return f"{body}\n\u2014 {self.origin} {sig}\n"

    def request(self, old: int, leaves: list[bytes] | None = None, proof=None) -> bytes:
        leaves = self.leaves if leaves is None else leaves
        if proof is None:
            proof = merkle.proof(old, leaves) if 0 < old < len(leaves) else []
        lines = [f"old {old}"] + [base64.b64encode(p).decode() for p in proof]
        return ("\n".join(lines) + "\n\n" + self.note(leaves)).encode()


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def witness(tmp_path, log):
    vkey = W.init(tmp_path / "w", "audit.example/w1")
    assert vkey.startswith("audit.example/w1+")
    return W.Witness(tmp_path / "w", [W.parse_vkey(log.vkey, sig_type=W.ED25519)])


def cosigner(witness) -> object:
    return W.parse_vkey(witness.vkey, sig_type=W.COSIGNATURE_V1)


def refused(witness, body: bytes) -> object:
    with pytest.raises(W.WitnessError) as caught:
        witness.add_checkpoint(body)
    return caught.value


def test_cosigns_a_first_checkpoint_and_then_only_extensions(witness, log):
    log.add(5)
    line = witness.add_checkpoint(log.request(0))
    body = W.parse_note(log.note()).body
    timestamp = W.verify_cosignature(cosigner(witness), body, line)
    assert timestamp and timestamp > 1_700_000_000
    assert line.startswith("\u2014 audit.example/w1 ") and line.endswith("\n")
    assert witness.record(ORIGIN).size == 5
    # The signed message is cosignature/v1 with the time line, then the whole body.
    blob = base64.b64decode(line.split()[-1])
    assert len(blob) == 4 + 8 + 64
    message = f"cosignature/v1\ntime {timestamp}\n{body}".encode()
    public = cosigner(witness).public
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(public).verify(blob[12:], message)

    log.add(6)
    line = witness.add_checkpoint(log.request(5))
    assert W.verify_cosignature(cosigner(witness), W.parse_note(log.note()).body, line)
    assert witness.record(ORIGIN).size == 11
    # The record keeps the note the witness cosigned, with its own line appended.
    assert witness.record(ORIGIN).note == log.note() + line


def test_a_stale_old_size_is_409_with_the_recorded_size(witness, log):
    log.add(4)
    witness.add_checkpoint(log.request(0))
    log.add(3)
    error = refused(witness, log.request(2))
    assert error.status == 409 and error.body == "4\n"
    assert witness.record(ORIGIN).size == 4  # nothing recorded


def test_unknown_origin_404_and_bad_signature_403(witness, log):
    other = Log("other.example/log")
    other.add(2)
    assert refused(witness, other.request(0)).status == 404
    # Signed by another key under the trusted name: no trusted signature verifies.
    impostor = Log(ORIGIN)
    impostor.add(2)
    assert refused(witness, impostor.request(0)).status == 403
    # The trusted key's name and id on a signature that does not verify: malformed, 403.
    log.add(2)
    note = log.note()
    forged = note.replace("\n2\n", "\n3\n", 1)
    assert refused(witness, b"old 0\n\n" + forged.encode()).status == 403


def test_malformed_requests_are_400_without_a_traceback(witness, log):
    log.add(3)
    good = log.request(0)
    for body in (
        b"",
        b"\xff\xfe",
        good.replace(b"old 0", b"old -1"),
        good.replace(b"old 0", b"old 00"),
        good.replace(b"old 0\n", b"old 0\nnot-base64!\n"),
        good.replace(b"old 0\n", b"old 0\n" + base64.b64encode(b"short") + b"\n"),
        b"old 0\n" + b"AAAA\n" * 64 + b"\n" + log.note().encode(),
        b"old 0\n\nnot a checkpoint\n",
        log.request(5),  # old larger than the checkpoint
    ):
        assert refused(witness, body).status == 400


def test_a_size_zero_checkpoint_needs_the_empty_root(witness, log):
    assert witness.add_checkpoint(log.request(0, leaves=[]))
    log.add(1)
    bad = log.note().replace("\n1\n", "\n0\n", 1)  # re-sign size 0 with a non-empty root
    body = bad.split("\n\n")[0] + "\n"
    kid = W.key_id(ORIGIN, W.ED25519, log.public)
    sig = base64.b64encode(kid + log.key.sign(body.encode())).decode()
    note = f"{body}\n\u2014 {ORIGIN} {sig}\n"
    assert refused(witness, b"old 0\n\n" + note.encode()).status == 422


def test_a_split_view_is_refused_with_evidence_anyone_can_check(witness, log, tmp_path):
    log.add(8)
    witness.add_checkpoint(log.request(0))
    honest = log.leaves
    forked = [*honest[:5], b"rewritten", *honest[6:]]
    error = refused(witness, log.request(8, leaves=forked))
    assert error.status == 422 and "split view" in error.message
    files = list((tmp_path / "w" / "evidence").glob("*split-view*.json"))
    assert len(files) == 1
    document = json.loads(files[0].read_text())
    assert document["recorded_checkpoint"].startswith(log.note(honest).split("\n\n")[0])
    proven, message = W.check_evidence(document, [W.parse_vkey(log.vkey, sig_type=W.ED25519)])
    assert proven and "SPLIT VIEW" in message
    assert witness.record(ORIGIN).size == 8  # the witness still holds the honest tree
    # The command line: exit 0 and the verdict for the real log key, 1 for another log's key.
    run = subprocess.run(
        [sys.executable, str(TOOL), "check-evidence", str(files[0]), "--log", log.vkey],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and "SPLIT VIEW" in run.stdout
    run = subprocess.run(
        [sys.executable, str(TOOL), "check-evidence", str(files[0]), "--log", Log().vkey],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1 and "not signed by the given log key" in run.stdout


def test_a_rewritten_history_fails_the_proof_and_is_kept(witness, log, tmp_path):
    log.add(6)
    witness.add_checkpoint(log.request(0))
    rewritten = [*log.leaves[:2], b"changed", *log.leaves[3:], b"entry 6", b"entry 7"]
    # The operator's proof over the rewritten tree (the only one it can compute) fails.
    error = refused(witness, log.request(6, leaves=rewritten))
    assert error.status == 422 and "does not verify" in error.message
    (found,) = (tmp_path / "w" / "evidence").glob("*inconsistent*.json")
    document = json.loads(found.read_text())
    keys = [W.parse_vkey(log.vkey, sig_type=W.ED25519)]
    proven, message = W.check_evidence(document, keys)
    assert proven and "INCONSISTENT" in message
    # A file whose proof verifies (an honest extension) proves nothing.
    log.add(2)
    honest = dict(document)
    honest["submitted_checkpoint"] = log.note()
    honest["consistency_proof"] = [
        base64.b64encode(h).decode() for h in merkle.proof(6, log.leaves)
    ]
    assert W.check_evidence(honest, keys)[0] is False
    # And the honest extension is still cosigned.
    assert witness.add_checkpoint(log.request(6))


def test_consistency_verification_matches_the_platform(log):
    log.add(37)
    for m in range(1, 37):
        proof = merkle.proof(m, log.leaves)
        a, b = merkle.root(log.leaves[:m]), merkle.root(log.leaves)
        assert W.consistent(m, 37, a, b, proof)
        assert not W.consistent(m, 37, a, b, proof[:-1])
        assert not W.consistent(m, 37, b, a, proof)


def test_the_http_server_speaks_the_protocol(witness, log):
    handler = W.make_handler(witness)
    import http.server

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        log.add(3)

        def post(body: bytes) -> tuple[int, str, str]:
            request = urllib.request.Request(url + "/add-checkpoint", data=body, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    return (
                        response.status,
                        response.headers["Content-Type"],
                        response.read().decode(),
                    )
            except urllib.error.HTTPError as error:
                return error.code, error.headers["Content-Type"], error.read().decode()

        status, _, text = post(log.request(0))
        assert status == 200 and text.startswith("\u2014 audit.example/w1 ")
        status, content_type, text = post(log.request(1))
        assert (status, content_type, text) == (409, "text/x.tlog.size", "3\n")
        status, _, text = post(b"x" * (W.MAX_BODY + 1))
        assert status == 413
        # The monitoring endpoint: the cosigned checkpoint of the log.
        import hashlib

        digest = hashlib.sha256(ORIGIN.encode()).hexdigest()
        with urllib.request.urlopen(f"{url}/{digest}/checkpoint", timeout=5) as response:
            assert response.read().decode().startswith(log.note())
    finally:
        server.shutdown()
        server.server_close()


def test_command_line_init_vkey_and_bad_keys(tmp_path):
    run = [sys.executable, str(TOOL)]
    made = subprocess.run(
        [*run, "init", "--dir", str(tmp_path / "d"), "--name", "n.example/w"],
        capture_output=True,
        text=True,
        check=True,
    )
    shown = subprocess.run(
        [*run, "vkey", "--dir", str(tmp_path / "d")], capture_output=True, text=True, check=True
    )
    assert made.stdout == shown.stdout
    assert W.parse_vkey(shown.stdout, sig_type=W.COSIGNATURE_V1).name == "n.example/w"
    again = subprocess.run(
        [*run, "init", "--dir", str(tmp_path / "d"), "--name", "x"], capture_output=True, text=True
    )
    assert again.returncode != 0 and "not overwriting" in again.stderr
    bad = subprocess.run(
        [*run, "serve", "--dir", str(tmp_path / "d"), "--log", shown.stdout.strip()],
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "Traceback" not in bad.stderr
    assert "type 0x01" in bad.stderr  # a cosigner key is not a log key
