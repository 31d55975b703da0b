"""The checkpoint notice (docs/ledger.md, "Posting checkpoints outside the platform"): the text to
post outside the platform, the A4 notice, each checkpoint's own page with the consistency proof
to today's, the daily command; refused and unavailable cases."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fpa.core.qr import qr_data_uri
from fpa.transparency import merkle
from fpa.transparency.models import Checkpoint
from fpa.transparency.notice import hex_groups
from fpa.transparency.services import append_leaf, sign_checkpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(settings):
    """Five entries signed at size 5, then eight more: checkpoints of size 0, 5 and 13."""
    settings.FPA_LEDGER_CHECKPOINT_INTERVAL = 0
    data = [f"entry-{i}".encode() for i in range(13)]
    for leaf in data[:5]:
        append_leaf(leaf)
    first = sign_checkpoint()
    for leaf in data[5:]:
        append_leaf(leaf)
    latest = sign_checkpoint()
    return data, first, latest


def test_the_notice_text_carries_the_signed_note_and_where_to_check(client, log):
    data, _, latest = log
    response = client.get("/ledger/notice.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    text = response.content.decode()
    root = merkle.mth(data)
    assert "条目数：13\n" in text
    assert f"根哈希：{base64.b64encode(root).decode()}\n" in text
    assert f"根哈希（十六进制）：{hex_groups(root)}\n" in text
    assert f"核对网址：http://testserver/ledger/checkpoints/{latest.pk}/\n" in text
    # The note is at the end, byte for byte as signed, and its first line starts a line.
    assert text.endswith(latest.note)
    assert f"\n\n{latest.note}" in text


def test_hex_groups_are_the_root_in_fours():
    assert hex_groups(bytes(range(32))) == " ".join(
        bytes(range(32)).hex()[i : i + 4] for i in range(0, 64, 4)
    )
    assert len(hex_groups(bytes(32)).split(" ")) == 16


def test_the_notice_text_follows_the_language(client, log):
    text = client.get("/ledger/notice.txt", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Entries: 13\n" in text
    assert "条目数" not in text
    assert text.endswith(log[2].note)  # the signed note never changes with the language


def test_the_printable_notice(client, log):
    _, _, latest = log
    response = client.get("/ledger/notice/")
    assert response.status_code == 200
    html = response.content.decode()
    check_path = f"/ledger/checkpoints/{latest.pk}/"
    assert f'src="{qr_data_uri("http://testserver" + check_path)}"' in html
    assert f'data-check-path="{check_path}"' in html
    assert '<td id="notice-size">13</td>' in html
    assert f'<code id="notice-root">{base64.b64encode(bytes(latest.root_hash)).decode()}' in html
    # The text to copy and the note on the sheet.
    assert 'id="notice-text"' in html and 'data-fpa-copy="#notice-text"' in html
    assert latest.body.split("\n")[2] in html
    assert "— " + latest.key_name in html


def test_an_older_checkpoint_links_a_proof_that_today_extends_it(client, log):
    _, first, latest = log
    response = client.get(f"/ledger/checkpoints/{first.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    link = "/ledger/consistency.json?first=5&amp;second=13"
    assert f'href="{link}"' in html
    assert '<td id="checkpoint-size">5</td>' in html
    proof = client.get(link.replace("&amp;", "&")).json()["consistency_proof"]
    assert merkle.verify_consistency(
        5,
        13,
        bytes(first.root_hash),
        bytes(latest.root_hash),
        [base64.b64decode(h) for h in proof],
    )
    assert "这就是最新的检查点" not in html
    newest = client.get(f"/ledger/checkpoints/{latest.pk}/").content.decode()
    assert "这就是最新的检查点" in newest


@pytest.mark.parametrize("pk", ["abc", "-1", "\uff11", "1e3", "999999"])
def test_a_bad_or_unknown_checkpoint_id_is_not_found(client, log, pk):
    assert client.get(f"/ledger/checkpoints/{pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/ledger/notice/", "/ledger/notice.txt", "/ledger/checkpoints/1/"])
def test_only_get_is_answered(client, log, url):
    assert client.post(url).status_code == 405
    assert Checkpoint.objects.count() == 3


def test_the_pages_cost_the_same_whatever_the_history(client, log, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        client.get("/ledger/notice/")
    for i in range(13, 40):
        append_leaf(f"entry-{i}".encode())
        sign_checkpoint()
    with CaptureQueriesContext(connection) as many:
        client.get("/ledger/notice/")
        client.get("/ledger/checkpoints/2/")
    assert len(many) <= 2 * len(few) + 2
    with CaptureQueriesContext(connection) as again:
        client.get("/ledger/notice/")
    assert len(again) == len(few)


def test_under_review_without_a_checkpoint_nothing_is_published(client, log):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER transparency_checkpoint_append_only ON transparency_checkpoint"
            )
        else:
            cursor.execute("DROP TRIGGER transparency_checkpoint_no_delete")
        cursor.execute("DELETE FROM transparency_checkpoint")
    page = client.get("/ledger/notice/")
    assert page.status_code == 503
    assert "账本正在审查中" in page.content.decode()
    assert client.get("/ledger/notice.txt").status_code == 503
    assert Checkpoint.objects.count() == 0  # nothing was signed over the gap
    with pytest.raises(CommandError, match="under review"):
        call_command("ledger_notice", "--base-url", "https://fpa.example.cn")


def test_the_daily_command_writes_the_same_text(client, log, tmp_path: Path):
    _, _, latest = log
    out = io.StringIO()
    call_command(
        "ledger_notice", "--base-url", "https://fpa.example.cn/", "--out", tmp_path, stdout=out
    )
    files = list(tmp_path.iterdir())
    assert len(files) == 1 and files[0].name.endswith("-13.txt")
    assert out.getvalue().strip() == str(files[0])
    text = files[0].read_text(encoding="utf-8")
    assert f"https://fpa.example.cn/ledger/checkpoints/{latest.pk}/\n" in text
    served = client.get("/ledger/notice.txt").content.decode()
    assert text == served.replace("http://testserver", "https://fpa.example.cn")
    printed = io.StringIO()
    call_command("ledger_notice", "--base-url", "https://fpa.example.cn", stdout=printed)
    assert printed.getvalue() == text


def test_the_command_refuses_a_bad_base_url(log):
    with pytest.raises(CommandError, match="http"):
        call_command("ledger_notice", "--base-url", "javascript:alert(1)")


def test_the_ledger_page_links_the_notice(client, log):
    html = client.get("/ledger/").content.decode()
    assert 'href="/ledger/notice/"' in html
