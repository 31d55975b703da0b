"""Text that is safe to store and show (`fpa.core.text`): the normaliser's rules, its properties,
and the same refusal in a form, an import row (a real workbook) and an API call, nothing written."""

# Look-alike and invisible characters are the point of these inputs.
# ruff: noqa: RUF001

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from fpa.core import text
from fpa.core.models import AuditEvent
from fpa.core.text import TextError, clean_name, clean_text
from fpa.members import excel as member_excel
from fpa.members.models import Member
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG
from tests.members_helpers import apply, new_id_number
from tests.test_api import api_client, assert_error
from tests.test_members_excel import row, workbook

# One representative of every class refused, with the word the message must contain.
FORBIDDEN = [
    pytest.param("\u202e", "文字方向", id="RLO-override"),
    pytest.param("\u202a", "文字方向", id="LRE-embedding"),
    pytest.param("\u2066", "文字方向", id="LRI-isolate"),
    pytest.param("\u2069", "文字方向", id="PDI-isolate"),
    pytest.param("\u200b", "零宽", id="ZWSP"),
    pytest.param("\u200d", "零宽", id="ZWJ"),
    pytest.param("\u2060", "零宽", id="word-joiner"),
    pytest.param("\ufeff", "零宽", id="BOM"),
    pytest.param("\x00", "控制字符", id="NUL"),
    pytest.param("\x1b", "控制字符", id="ESC"),
    pytest.param("\x7f", "控制字符", id="DEL"),
    pytest.param("\x85", "控制字符", id="NEL"),
]


def code_of(ch: str) -> str:
    return f"U+{ord(ch):04X}"


# --- the rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("ch", "word"), FORBIDDEN)
def test_every_forbidden_class_is_refused_with_a_message_naming_it(ch, word):
    for clean in (clean_name, clean_text, lambda v: clean_text(v, multiline=True)):
        with pytest.raises(TextError) as caught:
            clean(f"张{ch}三")
        assert word in str(caught.value) and code_of(ch) in str(caught.value)


def test_line_breaks_and_tabs_only_in_multiline_text():
    for ch in "\n\r\t":
        with pytest.raises(TextError, match="换行符或制表符"):
            clean_name(f"张{ch}三")
        with pytest.raises(TextError, match="换行符或制表符"):
            clean_text(f"大庄村{ch}2号")
    assert clean_text("  第一行  有   空格 \r\n\r\n\r\n\n\t第二行\t\t末尾  \n", multiline=True) == (
        "第一行 有 空格\n\n第二行 末尾"
    )


def test_names_are_folded_trimmed_and_collapsed():
    assert clean_name("\u3000ＺＨＡＮＧ\u3000\u3000ｗｅｉ１２３ ") == "ZHANG wei123"
    assert clean_name("张  三") == "张 三"
    assert clean_name("e\u0301") == "\u00e9"
    assert clean_name("Wang") == "Wang"  # the fast path returns the same object
    # Free text is not NFKC-folded (an address keeps its full-width number as typed).
    assert clean_text("  大庄村\u3000\u3000１号  ") == "大庄村 １号"


NAMES = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from("张三李四 \u3000\t\n\r\u200b\u202e\u2066\ufeffＡ１\u00a0\u2028"),
    ),
    max_size=40,
)


def never_forbidden(value: str, *, multiline: bool) -> bool:
    return not any(text.forbidden(ch, multiline=multiline) for ch in value)


@given(NAMES)
@settings(max_examples=1500, deadline=None)
def test_name_normaliser_is_idempotent_and_never_lets_a_forbidden_character_through(raw):
    try:
        once = clean_name(raw)
    except TextError:
        assert not never_forbidden(unicodedata.normalize("NFKC", raw), multiline=False)
        return
    assert clean_name(once) == once
    assert never_forbidden(once, multiline=False)
    assert once == once.strip() and "  " not in once
    assert unicodedata.is_normalized("NFKC", once)


@given(NAMES, st.booleans())
@settings(max_examples=1500, deadline=None)
def test_text_normaliser_is_idempotent_and_never_lets_a_forbidden_character_through(raw, multi):
    try:
        once = clean_text(raw, multiline=multi)
    except TextError:
        assert not never_forbidden(raw.replace("\r", "\n"), multiline=multi)
        return
    assert clean_text(once, multiline=multi) == once
    assert never_forbidden(once, multiline=multi)
    assert "  " not in once and "\r" not in once and "\n\n\n" not in once
    if not multi:
        assert "\n" not in once


# --- the three channels: a form, an import row, an API call ---------------------------------------

pytestmark = pytest.mark.django_db


def nothing_written(before_audit: int) -> None:
    assert not Member.objects.exists()
    assert AuditEvent.objects.count() == before_audit


@pytest.mark.parametrize(("ch", "word"), FORBIDDEN)
def test_a_form_refuses_it_and_writes_nothing(client_for, village, ch, word):
    client = client_for(village)
    audit = AuditEvent.objects.count()
    body = {
        "association": Association.objects.get(code=DAZHUANG).pk,
        "kind": "individual",
        "name": f"李{ch}四",
        "id_number": new_id_number(),
        "applied_on": timezone.localdate().isoformat(),
    }
    response = client.post(reverse("members:apply"), body)
    assert response.status_code == 200
    page = response.content.decode()
    if ch == "\x00":
        # Django's form field refuses NUL before the model field sees it, with its own message.
        assert "空字符" in page
    else:
        assert word in page and code_of(ch) in page
    nothing_written(audit)
    # and the address, a free-text field, is refused the same way
    body.update(name="李四", address=f"大庄村{ch}2号")
    page = client.post(reverse("members:apply"), body).content.decode()
    assert ("空字符" if ch == "\x00" else word) in page
    nothing_written(audit)


@pytest.mark.parametrize(("ch", "word"), FORBIDDEN)
def test_an_import_row_refuses_it_and_writes_nothing(township, ch, word):
    audit = AuditEvent.objects.count()
    data = workbook(row(new_id_number(), name=f"王{ch}五"), row(new_id_number(), name="赵六"))
    importer = member_excel.MemberImporter(actor=township)
    report = importer.dry_run(data)
    assert not report.ok
    assert any("第2行" in m and "姓名" in m and word in m for m in report.messages), report.messages
    assert not importer.commit(data).committed
    nothing_written(audit)


def test_an_import_folds_full_width_names(township):
    data = workbook(row(new_id_number(), name="ＷＡＮＧ　ｗｕ１", address="  大庄村   3号 "))
    assert member_excel.MemberImporter(actor=township).commit(data).committed
    stored = Member.objects.get()
    assert (stored.name, stored.address) == ("WANG wu1", "大庄村 3号")


@pytest.mark.parametrize(("ch", "word"), FORBIDDEN)
def test_an_api_call_refuses_it_and_writes_nothing(village, ch, word):
    client = api_client(village)  # issuing the token is audited: count after it
    audit = AuditEvent.objects.count()
    body = {
        "association": DAZHUANG,
        "kind": "individual",
        "name": f"赵{ch}六",
        "id_number": new_id_number(),
    }
    response = client.post("/api/v1/members", body, content_type="application/json")
    error = assert_error(response, 400, "invalid")
    assert word in error["message"] and code_of(ch) in error["message"]
    nothing_written(audit)


def test_services_fold_full_width_names_whatever_the_channel(village):
    created = apply(village, DAZHUANG, name="　ＬＩ　　ｓｉ　", address="  大庄村\u3000 2号 ")
    created.refresh_from_db()
    assert (created.name, created.address) == ("LI si", "大庄村 2号")


def test_anonymous_cannot_reach_the_form_or_the_api(client):
    response = client.post(reverse("members:apply"), {"name": "张\u202e三"})
    assert response.status_code == 302 and not Member.objects.exists()
    assert client.post("/api/v1/members", {}, content_type="application/json").status_code == 401
