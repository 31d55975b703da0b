"""The ledger never signs a fork and never forgets (issue 10, item 9; docs/ledger.md,
"Refusing to sign a fork").

The audit's attack, reproduced: someone with write access to the database drops the append-only
triggers, rewrites a donation in the journal, rebuilds the log to match it and deletes the
checkpoint rows; then an anonymous visitor opens the public ledger. The server must refuse to
sign, record an alarm (audit row, public page, JSON) and `verify_ledger` must name the entry.
"""

from __future__ import annotations

import hashlib
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from fpa.core.models import AuditEvent
from fpa.fund import ledger_hook
from fpa.fund.models import JournalEntry
from fpa.transparency import witness
from fpa.transparency.keys import signing_key
from fpa.transparency.models import Checkpoint, LedgerAlarm, node_key
from fpa.transparency.services import (
    SigningRefused,
    b64,
    checkpoint_body,
    complete_nodes,
    root_at,
    sign_checkpoint,
)
from fpa.transparency.verify import verify_log
from tests.fund_helpers import county_fund, give

pytestmark = pytest.mark.django_db

N = 12
EDITED = 4  # the leaf index of donation number 5
TABLES = [
    "transparency_logleaf",
    "transparency_lognode",
    "transparency_checkpoint",
    "fund_journalentry",
    "fund_journalline",
]


@pytest.fixture
def ledger(client, county, finance, settings):
    """N donations; after each one a visitor reads the checkpoint, which signs a new one."""
    settings.FPA_LEDGER_CHECKPOINT_INTERVAL = 0
    fund = county_fund(county)
    for i in range(N):
        give(finance, fund, f"{100 + i}.00")
        assert client.get("/ledger/checkpoint.json").json()["tree_size"] == i + 1
    return fund


def q(name: str) -> str:
    return connection.ops.quote_name(name)


def drop_triggers(cursor) -> None:
    for table in TABLES:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")
            cursor.execute(f"DROP TRIGGER {table}_no_delete")


def rewrite_history(*, keep_checkpoints_up_to: int | None = None) -> None:
    """Multiply donation 5 by ten in the journal, rebuild the log (leaves and node cache) from
    the edited journal so that they agree, and delete checkpoint rows: all of them, or those
    larger than ``keep_checkpoints_up_to`` (None: keep them all)."""
    with connection.cursor() as cursor:
        drop_triggers(cursor)
        entry = JournalEntry.objects.get(leaf_index=EDITED)
        cursor.execute(
            "UPDATE fund_journalline SET debit = debit * 10, credit = credit * 10 "
            "WHERE entry_id = %s",
            [entry.pk],
        )
        if keep_checkpoints_up_to is not None:
            cursor.execute(
                "DELETE FROM transparency_checkpoint WHERE tree_size > %s",
                [keep_checkpoints_up_to],
            )
        cursor.execute("DELETE FROM transparency_lognode")
        cursor.execute("DELETE FROM transparency_logleaf")
        hashes = []
        for index, data in ledger_hook.rows():
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


def delete_all_checkpoints() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM transparency_checkpoint")


def assert_refused_and_shown(client, kind: str) -> None:
    signed_before = Checkpoint.objects.count()
    data = client.get("/ledger/checkpoint.json")
    if signed_before:  # the newest stored checkpoint is still served, marked under review
        assert data.status_code == 200
        assert data.json()["id"] == Checkpoint.objects.order_by("-id").first().pk
    else:
        assert data.status_code == 503
        assert data.json()["error"]["code"] == "under_review"
    body = data.json()
    assert body["under_review"] is True
    assert [a["kind"] for a in body["alarms"]] == [kind]
    for url in ("/ledger/checkpoint", "/ledger/leaves/3.json", "/ledger/consistency.json?first=1"):
        client.get(url)
    assert Checkpoint.objects.count() == signed_before  # nothing signed
    alarm = LedgerAlarm.objects.get()
    assert alarm.kind == kind and alarm.resolved_at is None
    audit = AuditEvent.objects.get(action="create", object_type="transparency.ledgeralarm")
    assert audit.reason == alarm.message and audit.actor is None
    page = client.get("/ledger/").content.decode()
    assert "账本正在审查中" in page and alarm.message in page
    status = client.get("/ledger/status.json").json()
    assert status["under_review"] is True and status["alarms"][0]["id"] == alarm.pk


def assert_verify_names(index: int) -> None:
    report = verify_log()
    assert not report.ok
    assert report.findings[0].index == index, report.findings
    with pytest.raises(CommandError, match=f"at index {index}:"):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())


def test_the_normal_path_signs_and_verifies(client, ledger, finance):
    heads = witness.read()
    assert [h.tree_size for h in heads] == list(range(N + 1))  # genesis, then one per read
    assert heads[-1].root_hash == root_at(N)
    give(finance, ledger, "5.00")
    give(finance, ledger, "6.00")
    data = client.get("/ledger/checkpoint.json").json()
    assert data["tree_size"] == N + 2 and data["under_review"] is False and data["alarms"] == []
    assert client.get(f"/ledger/leaves/{N + 1}.json").status_code == 200
    assert not LedgerAlarm.objects.exists()
    assert "账本正在审查中" not in client.get("/ledger/").content.decode()
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert f"OK: {N + 2} entries, {N + 2} checkpoints, sources fund" in out.getvalue()


def test_the_audit_attack_is_refused_and_reported(client, ledger):
    """Checkpoints deleted, history rewritten (log and journal together), anonymous request."""
    rewrite_history(keep_checkpoints_up_to=None)
    delete_all_checkpoints()
    assert_refused_and_shown(client, "missing")
    assert "no signed checkpoint" in LedgerAlarm.objects.get().message
    assert_verify_names(EDITED)
    message = verify_log().findings[0].message
    assert f"at entry {EDITED}:" in message
    assert any("no signed checkpoint" in str(f) for f in verify_log().findings)


def test_deleting_only_the_newest_checkpoints_is_noticed_by_the_remembered_heads(client, ledger):
    """The rows that remain are consistent with the forged log; only the heads kept outside the
    database show that the server signed more, and what."""
    rewrite_history(keep_checkpoints_up_to=EDITED)
    assert Checkpoint.objects.order_by("-id").first().tree_size == EDITED
    assert_refused_and_shown(client, "missing")
    assert "checkpoint rows were deleted" in LedgerAlarm.objects.get().message
    assert_verify_names(EDITED)


def test_a_checkpoint_contradicting_an_earlier_one_is_never_signed(client, ledger, finance):
    """History rewritten under the kept checkpoints, then a new donation: the next signature
    would contradict the signed ones."""
    rewrite_history(keep_checkpoints_up_to=None)
    give(finance, ledger, "7.00")
    data = client.get("/ledger/checkpoint.json").json()
    assert data["tree_size"] == N  # the last good checkpoint, not a new one
    assert_refused_and_shown(client, "fork")
    alarm = LedgerAlarm.objects.get()
    assert alarm.details["signed_size"] == N and alarm.details["tree_size"] == N + 1
    with pytest.raises(CommandError, match="审查"):
        call_command("sign_checkpoint", stdout=StringIO())  # the daily timer is refused too
    assert_verify_names(EDITED)


def test_verify_ledger_fails_on_two_inconsistent_signed_checkpoints(ledger):
    """A validly signed checkpoint whose root contradicts the one before it (as the server
    signed before this fix) fails the consecutive-pair consistency check."""
    key = signing_key()
    forged_root = hashlib.sha256(b"another history").digest()
    newest = Checkpoint.objects.order_by("-id").first()
    body = checkpoint_body(key.name, N, forged_root, newest.created_at)
    signature = key.sign(body.encode())
    Checkpoint.objects.create(
        tree_size=N,
        root_hash=forged_root,
        created_at=newest.created_at,
        key_name=key.name,
        key_id=key.key_id.hex(),
        signature=signature,
        body=body,
        note=f"{body}\n\u2014 {key.name} {b64(key.key_id + signature)}\n",
    )
    findings = [str(f) for f in verify_log().findings]
    assert any(f"is not consistent with checkpoint #{newest.pk}" in f for f in findings)
    with pytest.raises(SigningRefused):
        sign_checkpoint()  # the newest signed head contradicts the log: a fork
    assert LedgerAlarm.objects.get().kind == "fork"


def test_verify_ledger_fails_on_entries_without_a_checkpoint(ledger):
    delete = "DELETE FROM transparency_checkpoint"
    with connection.cursor() as cursor:
        drop_triggers(cursor)
        cursor.execute(delete)
    witness.path().unlink()  # and the file of signed heads: only the rule is left
    findings = [str(f) for f in verify_log().findings]
    assert findings == [
        f"the log holds {N} entries but no signed checkpoint: the checkpoint history is missing"
    ]
    with pytest.raises(CommandError, match="no signed checkpoint"):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())


def test_an_unreadable_file_of_signed_heads_refuses_signing(client, ledger, finance):
    witness.path().write_text("{not json", encoding="utf-8")
    give(finance, ledger, "8.00")
    client.get("/ledger/checkpoint.json")
    assert LedgerAlarm.objects.get().kind == "invalid"
    assert Checkpoint.objects.order_by("-id").first().tree_size == N


def test_the_operator_signs_again_with_a_stated_reason(client, ledger):
    rewrite_history(keep_checkpoints_up_to=None)
    delete_all_checkpoints()
    client.get("/ledger/checkpoint.json")
    alarm = LedgerAlarm.objects.get()
    with pytest.raises(CommandError, match="审查"):
        call_command("sign_checkpoint", stdout=StringIO())
    with pytest.raises(CommandError, match="原因"):
        call_command("sign_checkpoint", reason=" ", stdout=StringIO())
    assert Checkpoint.objects.count() == 0
    out = StringIO()
    call_command("ledger_alarms", stdout=out)
    assert f"#{alarm.pk}" in out.getvalue() and "OPEN" in out.getvalue()
    assert "NOT signable" in out.getvalue()
    reason = "核查后确认：数据库已从 3 月 1 日备份恢复，重新签署"
    out = StringIO()
    call_command("sign_checkpoint", reason=reason, operator="ops-wang", stdout=out)
    assert f"size {N}" in out.getvalue()
    alarm.refresh_from_db()
    assert alarm.resolved_at is not None and alarm.resolution == reason
    assert alarm.resolved_by == "manage.py:ops-wang"
    resolved = AuditEvent.objects.get(action="update", object_type="transparency.ledgeralarm")
    assert resolved.reason == reason and resolved.actor_username == "manage.py:ops-wang"
    signed = AuditEvent.objects.get(action="create", object_type="transparency.checkpoint")
    assert signed.reason == reason and "no signed checkpoint" in json.dumps(signed.changes)
    data = client.get("/ledger/checkpoint.json").json()
    assert data["under_review"] is False and data["tree_size"] == N
    assert "账本正在审查中" not in client.get("/ledger/").content.decode()
    # The rewritten entry is still named: the heads signed before stay remembered.
    assert_verify_names(EDITED)


def test_alarms_are_resolved_only_with_a_reason(client, ledger):
    rewrite_history(keep_checkpoints_up_to=None)
    delete_all_checkpoints()
    client.get("/ledger/checkpoint.json")
    with pytest.raises(CommandError, match="原因"):
        call_command("ledger_alarms", resolve=True, stdout=StringIO())
    assert LedgerAlarm.objects.filter(resolved_at__isnull=True).count() == 1
    call_command("ledger_alarms", resolve=True, reason="误报：已核查", stdout=StringIO())
    assert not LedgerAlarm.objects.filter(resolved_at__isnull=True).exists()
    assert (
        AuditEvent.objects.filter(action="update", object_type="transparency.ledgeralarm").count()
        == 1
    )
    # Resolving is not signing: the next anonymous request checks again and refuses again.
    client.get("/ledger/checkpoint.json")
    assert LedgerAlarm.objects.filter(resolved_at__isnull=True).count() == 1
    assert Checkpoint.objects.count() == 0
