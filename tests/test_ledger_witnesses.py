"""The platform as a witness client (fpa.transparency.cosign; docs/ledger.md, "Witnesses"):
checkpoints submitted to a real tools/witness.py (its HTTP server in a thread), cosignatures
verified, stored and published; wrong keys, 409s, a split view and a rewritten history; the
system administrator's page."""

from __future__ import annotations

import base64
import hashlib
import http.server
import json
import struct
import threading

import pytest
from django.db import connection

from fpa.core.models import AuditEvent
from fpa.transparency import cosign
from fpa.transparency.keys import signing_key
from fpa.transparency.models import Checkpoint, Cosignature, Witness, node_key
from fpa.transparency.services import append_leaf, complete_nodes, sign_checkpoint
from tests.conftest import login
from tests.test_witness_program import W

pytestmark = pytest.mark.django_db

TABLES = [
    "transparency_logleaf",
    "transparency_lognode",
    "transparency_checkpoint",
    "transparency_cosignature",
]


class Running:
    def __init__(self, directory, name: str) -> None:
        W.init(directory, name)
        self.dir = directory
        self.witness = W.Witness(directory, [W.parse_vkey(signing_key().vkey, sig_type=W.ED25519)])
        self.server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), W.make_handler(self.witness)
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def vkey(self) -> str:
        return self.witness.vkey

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def evidence(self, kind: str) -> list:
        return sorted((self.dir / "evidence").glob(f"*{kind}*.json"))


@pytest.fixture
def running(tmp_path):
    started = []

    def start(name: str = "audit.example/w1", where: str = "w") -> Running:
        witness = Running(tmp_path / where, name)
        started.append(witness)
        return witness

    yield start
    for witness in started:
        witness.stop()


def entries(start: int, n: int, tag: str = "") -> None:
    for i in range(start, start + n):
        append_leaf(f'{{"entry":{i},"tag":"{tag}"}}'.encode())


def signed(django_capture_on_commit_callbacks) -> Checkpoint:
    """Sign as the server does; the submission task runs when the transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        checkpoint = sign_checkpoint()
    return checkpoint


def test_a_checkpoint_is_cosigned_verified_stored_and_published(
    running, client, django_capture_on_commit_callbacks
):
    w = running()
    witness = cosign.add_witness(actor=None, verifier_key=w.vkey, url=w.url, label="县审计局")
    entries(0, 5)
    first = signed(django_capture_on_commit_callbacks)
    row = Cosignature.objects.get(checkpoint=first, witness=witness)
    assert w.witness.record(first.key_name).size == 5
    entries(5, 4)
    second = signed(django_capture_on_commit_callbacks)  # with a proof from 5 to 9
    row = Cosignature.objects.get(checkpoint=second, witness=witness)
    assert w.witness.record(first.key_name).size == 9
    witness.refresh_from_db()
    assert witness.last_status == Witness.Status.OK

    data = client.get("/ledger/checkpoint.json").json()
    assert data["id"] == second.pk
    assert data["cosigned_note"] == second.note + row.line
    (published,) = data["cosignatures"]
    assert published["name"] == "audit.example/w1" and published["timestamp"] == row.timestamp
    blob = base64.b64decode(published["signature"])
    assert (
        blob[:4].hex() == published["key_id"]
        and struct.unpack(">Q", blob[4:12])[0] == row.timestamp
    )
    # A third party checks the published note with the witness's key alone.
    note = W.parse_note(data["cosigned_note"])
    key = W.parse_vkey(w.vkey, sig_type=W.COSIGNATURE_V1)
    (line,) = [
        f"\u2014 {n} {base64.b64encode(b).decode()}" for n, b in note.signatures if n == key.name
    ]
    assert W.verify_cosignature(key, note.body, line) == row.timestamp
    text = client.get("/ledger/checkpoint")
    assert text.content.decode() == data["cosigned_note"]
    listed = client.get("/ledger/witnesses.json").json()["witnesses"]
    assert listed == [
        {
            "name": "audit.example/w1",
            "label": "县审计局",
            "verifier_key": w.vkey,
            "url": w.url,
            "latest": {
                "tree_size": 9,
                "checkpoint": second.pk,
                "timestamp": row.timestamp,
                "cosigned_at": listed[0]["latest"]["cosigned_at"],
            },
        }
    ]
    page = client.get("/ledger/").content.decode()
    assert "县审计局" in page and "已联署最新检查点" in page
    # checkpoints.json lists each checkpoint with its own cosignatures.
    history = client.get("/ledger/checkpoints.json").json()["checkpoints"]
    assert [len(cp["cosignatures"]) for cp in history[:2]] == [1, 1]


def test_a_wrong_witness_key_is_refused_recorded_and_not_published(
    running, client, django_capture_on_commit_callbacks, sysadmin
):
    w = running()
    impostor = running("audit.example/w1", where="other")  # same name, another key
    witness = cosign.add_witness(actor=None, verifier_key=impostor.vkey, url=w.url)
    entries(0, 3)
    checkpoint = signed(django_capture_on_commit_callbacks)
    assert not Cosignature.objects.exists()
    witness.refresh_from_db()
    assert witness.last_status == Witness.Status.INVALID
    assert "does not verify" in witness.last_message or "no cosignature" in witness.last_message
    data = client.get("/ledger/checkpoint.json").json()
    assert data["cosignatures"] == [] and data["cosigned_note"] == checkpoint.note
    assert client.get("/ledger/witnesses.json").json()["witnesses"][0]["latest"] is None
    page = login(client, sysadmin).get("/ledger/witnesses/manage/").content.decode()
    assert "联署签名无效" in page and witness.last_message[:40] in page


def test_an_unreachable_witness_is_a_visible_failure(running, django_capture_on_commit_callbacks):
    w = running()
    url = w.url
    w.stop()
    witness = cosign.add_witness(actor=None, verifier_key=w.vkey, url=url)
    entries(0, 2)
    signed(django_capture_on_commit_callbacks)
    witness.refresh_from_db()
    assert witness.last_status == Witness.Status.FAILED and witness.last_message
    assert not Cosignature.objects.exists()


def test_a_409_is_retried_from_the_size_the_witness_reports(
    running, django_capture_on_commit_callbacks
):
    w = running()
    entries(0, 3)
    early = sign_checkpoint()
    # The witness saw size 3 earlier (another platform database, a restored backup...).
    w.witness.add_checkpoint(b"old 0\n\n" + early.note.encode())
    witness = cosign.add_witness(actor=None, verifier_key=w.vkey, url=w.url)
    entries(3, 4)
    checkpoint = signed(django_capture_on_commit_callbacks)  # sent with old 0: 409 "3"
    assert Cosignature.objects.filter(checkpoint=checkpoint, witness=witness).exists()
    assert w.witness.record(checkpoint.key_name).size == 7


def drop_triggers() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER {table}_no_update")
                cursor.execute(f"DROP TRIGGER {table}_no_delete")


def rewrite(leaves: list[bytes]) -> None:
    """A database superuser replaces the whole log and deletes every checkpoint (and what the
    platform stored of the cosignatures), as in tests/test_ledger_fork.py."""
    drop_triggers()
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM transparency_cosignature")
        cursor.execute("DELETE FROM transparency_checkpoint")
        cursor.execute("DELETE FROM transparency_lognode")
        cursor.execute("DELETE FROM transparency_logleaf")
        hashes = []
        for index, data in enumerate(leaves):
            h = hashlib.sha256(b"\x00" + data).digest()
            hashes.append(h)
            cursor.execute(
                f"INSERT INTO transparency_logleaf ({q('index')}, data, leaf_hash, appended_at) "
                "VALUES (%s, %s, %s, CURRENT_TIMESTAMP)",
                [index, data, h],
            )
        for level, index, h in complete_nodes(0, hashes):
            cursor.execute(
                f"INSERT INTO transparency_lognode (key, level, {q('index')}, hash) "
                "VALUES (%s, %s, %s, %s)",
                [node_key(level, index), level, index, h],
            )


def forced(django_capture_on_commit_callbacks) -> Checkpoint:
    """The operator (or whoever holds the key) signs the rewritten tree over the alarm."""
    with django_capture_on_commit_callbacks(execute=True):
        return sign_checkpoint(operator="attacker", reason="signing the rewritten books")


def honest_log(running, django_capture_on_commit_callbacks) -> tuple[Running, Witness]:
    w = running()
    witness = cosign.add_witness(actor=None, verifier_key=w.vkey, url=w.url)
    entries(0, 8)
    signed(django_capture_on_commit_callbacks)
    assert Cosignature.objects.count() == 1
    return w, witness


@pytest.mark.parametrize("extra", [0, 3], ids=["split-view", "rewritten-history"])
def test_a_rewritten_log_is_refused_by_the_witness_with_evidence(
    running, client, django_capture_on_commit_callbacks, extra
):
    w, witness = honest_log(running, django_capture_on_commit_callbacks)
    leaves = [f'{{"entry":{i},"tag":""}}'.encode() for i in range(8 + extra)]
    leaves[4] = b'{"entry":4,"tag":"rewritten"}'
    rewrite(leaves)
    checkpoint = forced(django_capture_on_commit_callbacks)
    assert checkpoint.tree_size == 8 + extra
    assert not Cosignature.objects.exists()
    witness.refresh_from_db()
    assert witness.last_status == Witness.Status.REFUSED
    assert "HTTP 422" in witness.last_message and "evidence kept" in witness.last_message
    kind = "split-view" if extra == 0 else "inconsistent"
    (found,) = w.evidence(kind)
    document = json.loads(found.read_text())
    proven, message = W.check_evidence(
        document, [W.parse_vkey(signing_key().vkey, sig_type=W.ED25519)]
    )
    assert proven, message
    assert w.witness.record(checkpoint.key_name).size == 8  # the witness kept the honest tree
    data = client.get("/ledger/checkpoint.json").json()
    assert data["cosignatures"] == []
    page = client.get("/ledger/").content.decode()
    assert "尚未联署最新检查点" not in page and "尚未联署" in page


# --- the system administrator's page ------------------------------------------------------------


def test_the_witness_page_is_refused_to_anonymous_and_other_roles(client, county, auditor):
    response = client.get("/ledger/witnesses/manage/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (county, auditor):
        assert login(client, user).get("/ledger/witnesses/manage/").status_code == 403
        response = client.post(
            "/ledger/witnesses/manage/", {"verifier_key": "x", "url": "http://x/"}
        )
        assert response.status_code == 403
    assert not Witness.objects.exists()


def test_the_system_administrator_adds_and_removes_witnesses(client, sysadmin, running, tmp_path):
    w = running()
    login(client, sysadmin)
    page = client.get("/ledger/witnesses/manage/")
    assert page.status_code == 200 and "还没有见证人" in page.content.decode()
    # A log key (type 0x01) is not a witness key: a clear message, nothing added.
    bad = client.post(
        "/ledger/witnesses/manage/", {"verifier_key": signing_key().vkey, "url": w.url}
    )
    assert bad.status_code == 200 and "见证人公钥格式不正确" in bad.content.decode()
    bad = client.post("/ledger/witnesses/manage/", {"verifier_key": w.vkey, "url": "ftp://x/"})
    assert "http://" in bad.content.decode()
    assert not Witness.objects.exists()
    done = client.post(
        "/ledger/witnesses/manage/",
        {"verifier_key": w.vkey, "url": w.url, "label": "县审计局", "reason": "审计局同意"},
    )
    assert done.status_code == 302
    witness = Witness.objects.get()
    assert witness.name == "audit.example/w1" and witness.added_by == "sysadmin"
    event = AuditEvent.objects.get(object_type="transparency.witness", action="create")
    assert event.actor == sysadmin and event.reason == "审计局同意"
    again = client.post("/ledger/witnesses/manage/", {"verifier_key": w.vkey, "url": w.url})
    assert "已有同名的见证人" in again.content.decode()
    # Removing needs a reason.
    client.post("/ledger/witnesses/manage/remove/", {"witness": witness.pk, "reason": ""})
    witness.refresh_from_db()
    assert witness.active
    client.post(
        "/ledger/witnesses/manage/remove/", {"witness": witness.pk, "reason": "合作协议到期"}
    )
    witness.refresh_from_db()
    assert not witness.active and witness.removal_reason == "合作协议到期"
    event = AuditEvent.objects.get(object_type="transparency.witness", action="update")
    assert event.reason == "合作协议到期"
    assert client.get("/ledger/witnesses.json").json() == {"witnesses": []}
    page = client.get("/ledger/witnesses/manage/").content.decode()
    assert "已移除" in page and "合作协议到期" in page


def test_the_operator_manages_witnesses_with_the_command(running):
    from io import StringIO

    from django.core.management import CommandError, call_command

    w = running()
    out = StringIO()
    call_command("ledger_witness", "operator-key", stdout=out)
    assert out.getvalue().strip() == signing_key().vkey
    with pytest.raises(CommandError, match="见证人公钥格式不正确"):
        call_command("ledger_witness", "add", "--key", signing_key().vkey, "--url", w.url)
    call_command("ledger_witness", "add", "--key", w.vkey, "--url", w.url, "--reason", "审计局同意")
    call_command("ledger_witness", "add", "--key", w.vkey, "--url", w.url, "--if-missing")
    assert Witness.objects.count() == 1
    event = AuditEvent.objects.get(object_type="transparency.witness", action="create")
    assert event.actor_username.startswith("manage.py:") and event.reason == "审计局同意"
    entries(0, 3)
    sign_checkpoint()
    out = StringIO()
    call_command("ledger_witness", "submit", stdout=out)
    assert "audit.example/w1: ok" in out.getvalue()
    assert Cosignature.objects.count() == 1
    out = StringIO()
    call_command("ledger_witness", "list", stdout=out)
    assert "latest cosignature: size 3" in out.getvalue()
    w.stop()
    entries(3, 1)
    sign_checkpoint()
    with pytest.raises(CommandError, match="did not cosign"):
        call_command("ledger_witness", "submit", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("ledger_witness", "remove", "audit.example/w1", "--reason", "x")
    call_command("ledger_witness", "remove", "audit.example/w1", "--reason", "合作协议到期")
    assert not Witness.objects.get().active


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE transparency_cosignature SET line = 'forged'",
        "DELETE FROM transparency_cosignature",
    ],
)
def test_a_stored_cosignature_can_be_neither_changed_nor_deleted(
    sql, running, django_capture_on_commit_callbacks
):
    from django.db import DatabaseError, transaction

    w = running()
    witness = cosign.add_witness(actor=None, verifier_key=w.vkey, url=w.url, label="县审计局")
    entries(0, 3)
    checkpoint = signed(django_capture_on_commit_callbacks)
    line = Cosignature.objects.get(checkpoint=checkpoint, witness=witness).line
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Cosignature.objects.get(checkpoint=checkpoint, witness=witness).line == line
