"""The transfer lists of every module (fpa.core.transfer_pages on fpa.core.transfers): filters by
direction, status, requested and decided dates and the other association; whitelisted sorts with
the id as tie-break; keyset pages that keep the filters; the Excel export with the subject masked,
audited, and above EXPORT_INLINE_LIMIT rows a background job; bad filter values named and ignored;
refused cases (anonymous, another role, another township's rows)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
import python_calamine
from django.urls import reverse

from fpa.core import transfer_pages
from fpa.core import transfers as engine
from fpa.core.models import AuditEvent
from fpa.families.models import FamilyTransfer
from fpa.families.services import transfers
from fpa.families.services.transfers import FAMILIES
from fpa.migrants.services import transfers as migrant_transfers
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, all_text, content, follow_job, make_user
from tests.migrants_helpers import migrant
from tests.transfers_helpers import MOTHER, assoc, family_in, offer

pytestmark = pytest.mark.django_db

LIST = reverse("families:transfers")
D = datetime.date


def rows_of(data: bytes) -> tuple[str, list[list]]:
    """The first worksheet's name and rows (header first), dates as ISO text."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    name = book.sheet_names[0]
    rows = book.get_sheet_by_name(name).to_python()
    return name, [[c.isoformat() if isinstance(c, datetime.date) else c for c in r] for r in rows]


def shown(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-transfer="(\d+)"', response.content.decode())]


@pytest.fixture
def four(township, township2):
    """Seen from 盐锅峡镇: t1 waiting (incoming), t2 declined (incoming), t3 accepted (incoming),
    t4 waiting (outgoing, to 大庄村), requested on the 10th of months 1 to 4 of 2024."""
    t1 = offer(township, family_in(township, DAZHUANG), SHANGQUAN)
    t2 = offer(township, family_in(township, DAZHUANG), SHANGQUAN)
    t3 = offer(township, family_in(township, DAZHUANG), SHANGQUAN)
    t4 = offer(township2, family_in(township2, SHANGQUAN, mother="对向母亲"), DAZHUANG)
    transfers.family_transfer_decline(actor=township2, transfer=t2, reason="地址不在本村")
    transfers.family_transfer_accept(actor=township2, transfer=t3)
    for month, t in enumerate((t1, t2, t3, t4), start=1):
        FamilyTransfer.objects.filter(pk=t.pk).update(requested_on=D(2024, month, 10))
    FamilyTransfer.objects.filter(pk=t2.pk).update(decided_on=D(2024, 2, 20))
    FamilyTransfer.objects.filter(pk=t3.pk).update(decided_on=D(2024, 3, 15))
    return [t.pk for t in (t1, t2, t3, t4)]


def test_filters_apply_alone_and_together(client_for, township2, four):
    t1, t2, t3, t4 = four
    client = client_for(township2)
    cases = {
        "": {t1, t2, t3, t4},
        "status=requested": {t1, t4},
        "status=declined": {t2},  # the other modules' word for a refusal
        "status=accepted": {t3},
        "direction=incoming": {t1, t2, t3},
        "direction=outgoing": {t4},
        "direction=incoming&status=requested": {t1},
        "requested_from=2024-02-01&requested_to=2024-03-31": {t2, t3},
        "decided_from=2024-03-01": {t3},
        "decided_to=2024-02-28": {t2},
        f"other={DAZHUANG}": {t1, t2, t3, t4},
        f"direction=outgoing&other={DAZHUANG}": {t4},
        f"direction=incoming&other={SHANGQUAN}": set(),
        "other=999999999999": set(),
    }
    for query, expected in cases.items():
        assert set(shown(client.get(f"{LIST}?{query}"))) == expected, query
    body = client.get(f"{LIST}?status=cancelled").content.decode()
    assert "没有符合条件的移交申请" in body
    # The waiting count links to the incoming waiting ones.
    page = client.get(LIST).content.decode()
    assert 'id="waiting-count">1<' in page


def test_sorts_are_whitelisted_and_stable(client_for, township2, four):
    t1, t2, t3, t4 = four
    client = client_for(township2)
    assert shown(client.get(LIST)) == [t4, t3, t2, t1]  # newest request first
    assert shown(client.get(f"{LIST}?sort=requested")) == [t1, t2, t3, t4]
    assert shown(client.get(f"{LIST}?sort=decided")) == [t2, t3, t1, t4]  # waiting last
    assert shown(client.get(f"{LIST}?sort=decided_desc")) == [t3, t2, t4, t1]
    assert shown(client.get(f"{LIST}?sort=status")) == [t1, t4, t3, t2]
    # The same day for all: the id breaks the tie, in the sort's direction.
    FamilyTransfer.objects.update(requested_on=D(2024, 5, 1))
    assert shown(client.get(f"{LIST}?sort=requested")) == sorted(four)
    assert shown(client.get(f"{LIST}?sort=requested_desc")) == sorted(four, reverse=True)


def test_pages_keep_the_filters_and_never_repeat(client_for, township2, four, monkeypatch):
    t1, t2, t3, t4 = four
    monkeypatch.setattr(transfer_pages, "PAGE_SIZE", 2)
    client = client_for(township2)
    first = client.get(f"{LIST}?direction=incoming&sort=requested")
    assert shown(first) == [t1, t2]
    nxt = re.search(r'href="(\?[^"]*)" rel="next"', first.content.decode())
    assert nxt is not None
    link = nxt.group(1).replace("&amp;", "&")
    assert "direction=incoming" in link and "sort=requested" in link
    second = client.get(LIST + link)
    assert shown(second) == [t3]
    # The engine's pages: the same rows once each, whatever the page size.
    seen, after = [], None
    while True:
        page = engine.transfer_page(
            FAMILIES,
            user=township2,
            filters=engine.TransferFilters(),
            sort="status",
            after=after,
            size=1,
        )
        seen += [t.pk for t in page.items]
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert seen == [t1, t4, t3, t2]
    # A forged cursor gives the first page.
    assert shown(client.get(f"{LIST}?sort=requested&after=abc")) == [t1, t2]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=bogus", "状态"),
        ("sort=id;drop", "排序"),
        ("requested_from=2024-13-45", "申请日期从"),
        ("decided_from=2024-03-01&decided_to=2024-02-01", "结束日期不能早于开始日期"),
        ("other=abc", "协会编码应为数字"),
        ("direction=sideways", "方向"),
    ],
)
def test_bad_filter_values_are_named_and_ignored(client_for, township2, four, query, message):
    client = client_for(township2)
    response = client.get(f"{LIST}?{query}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "筛选条件有误，已忽略" in body and message in body
    # The export refuses while a value is wrong, and writes nothing.
    refused = client.get(f"{LIST}?{query}&export=xlsx")
    assert refused.status_code == 302 and refused["Location"] == LIST
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_export_is_the_lists_rows_masked_and_audited(client_for, township2, four):
    t1 = four[0]
    client = client_for(township2)
    response = client.get(f"{LIST}?direction=incoming&sort=requested&export=xlsx")
    assert response.status_code == 200
    data = content(response)
    _name, rows = rows_of(data)
    assert rows[0][:3] == ["移交对象", "转出协会编码", "转出协会"]
    assert [r[6] for r in rows[1:]] == ["2024-01-10", "2024-02-10", "2024-03-10"]
    assert [r[7] for r in rows[1:]] == ["待接收", "已拒绝", "已接收"]
    assert [r[1] for r in rows[1:]] == [DAZHUANG] * 3 and rows[2][9] == "地址不在本村"
    assert all(r[0] == "迁***" for r in rows[1:])  # masked as a name
    text = all_text(data)
    assert MOTHER.encode() not in text
    family = FamilyTransfer.objects.get(pk=t1).family
    for person in family.people.all():
        if person.id_number:
            assert person.id_number.reveal_unchecked().encode() not in text
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor_id == township2.pk and event.changes["rows"] == 3
    assert event.changes["filters"] == {"direction": "incoming"}
    assert event.object_type == "families.familytransfer"


def test_a_large_export_runs_as_a_job(client_for, township2, four, monkeypatch):
    monkeypatch.setattr(transfer_pages, "EXPORT_INLINE_LIMIT", 2)
    client = client_for(township2)
    response = client.get(f"{LIST}?sort=requested&export=xlsx")
    download = follow_job(client, response)
    _name, rows = rows_of(content(download))
    assert [r[7] for r in rows[1:]] == [
        "待接收",
        "已拒绝",
        "已接收",
        "待接收",
    ]
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor_id == township2.pk and event.changes["rows"] == 4
    # Up to the limit it is the response itself.
    inline = client.get(f"{LIST}?direction=outgoing&export=xlsx")
    assert inline.status_code == 200 and inline["Content-Type"].startswith("application/vnd")


def test_refused_callers_and_other_townships_see_nothing(client, client_for, township2, four):
    anonymous = client.get(f"{LIST}?export=xlsx")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    finance = make_user("finance-x", LIUJIAXIA, "finance")
    assert client_for(finance).get(LIST).status_code == 403
    assert client_for(finance).get(f"{LIST}?export=xlsx").status_code == 403
    # A township at neither end: no rows, in the list or the export.
    third = make_user("third-township", "622923102", "township_staff")
    other = client_for(third)
    assert shown(other.get(LIST)) == []
    assert shown(other.get(f"{LIST}?other={DAZHUANG}")) == []
    data = content(other.get(f"{LIST}?export=xlsx"))
    _name, rows = rows_of(data)
    assert len(rows) == 1 and rows[0][0] == "移交对象"
    # The sender's side sees its three outgoing and the one coming to it.
    sender = client_for(make_user("sender-b", LIUJIAXIA, "township_staff"))
    assert len(shown(sender.get(LIST))) == 4


def test_the_list_costs_a_bounded_number_of_queries(
    client_for, township, township2, four, django_assert_max_num_queries
):
    client = client_for(township2)
    client.get(LIST)
    with django_assert_max_num_queries(20) as few:
        assert len(shown(client.get(f"{LIST}?direction=incoming&sort=decided"))) == 3
    for _ in range(3):
        offer(township, family_in(township, DAZHUANG), SHANGQUAN)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(shown(client.get(f"{LIST}?direction=incoming&sort=decided"))) == 6


def test_the_migrants_list_filters_and_exports_masked(client_for, township, township2):
    record = migrant(township, DAZHUANG)
    transfer = migrant_transfers.migrant_transfer_offer(
        actor=township, migrant=record, to_association=assoc(SHANGQUAN), reason="到外镇务工"
    )
    url = reverse("migrants:transfers")
    client = client_for(township2)
    assert shown(client.get(f"{url}?direction=incoming&status=requested")) == [transfer.pk]
    assert shown(client.get(f"{url}?direction=outgoing")) == []
    data = content(client.get(f"{url}?export=xlsx"))
    full = str(record.name.reveal_unchecked())
    assert full.encode() not in all_text(data)
    name, rows = rows_of(data)
    assert rows[1][0] == full[0] + "*" * (len(full) - 1)
    assert name == "流动人口移交" and len(rows) == 2
