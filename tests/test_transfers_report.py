"""需信息迁移人员 of the monthly report (计生特殊家庭月报): the families moved between associations
in the month, on both sides' reports, on the page and in the workbook's second sheet; waiting,
declined and other months' transfers are not listed; one query whatever their number."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from fpa.families import reports
from fpa.families.models import CareRecord, Family, FamilyTransfer, Need, StatusChange
from fpa.families.services import transfers
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA, content, follow_job, make_user
from tests.test_excel_engine import read_back
from tests.transfers_helpers import assoc, family_in, offer

pytestmark = pytest.mark.django_db

URL = "/families/monthly/"
MOVED = "迁走母亲"
DAY = datetime.date(2026, 3, 10)


def report_for(user: Any, code: str, day: datetime.date) -> reports.MonthlyReport:
    root = assoc(code)
    return reports.monthly_report(
        root=root,
        children=Association.objects.visible_to(user).filter(parent=root).order_by("code"),
        month=reports.month_of(day),
        families=Family.objects.visible_to(user),
        status_changes=StatusChange.objects.visible_to(user),
        care_records=CareRecord.objects.visible_to(user),
        needs=Need.objects.visible_to(user),
        transfers=FamilyTransfer.objects.visible_to(user),
    )


@pytest.fixture
def moves(township: Any, township2: Any) -> FamilyTransfer:
    """On 2026-03-10: one family moved from 大庄村 to 上泉村 (accepted), one declined, one
    waiting; in February another one moved."""
    with time_machine.travel(datetime.datetime(2026, 2, 20, 9, 0), tick=False):
        earlier = family_in(township, DAZHUANG, mother="二月迁走")
        transfers.family_transfer_accept(
            actor=township2, transfer=offer(township, earlier, SHANGQUAN)
        )
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, 0), tick=False):
        moved = family_in(township, DAZHUANG, mother=MOVED)
        transfer = offer(township, moved, SHANGQUAN, reason="投靠子女", to_address="上泉村五组")
        transfers.family_transfer_accept(actor=township2, transfer=transfer)
        declined = family_in(township, DAZHUANG, mother="被拒母亲")
        transfers.family_transfer_decline(
            actor=township2, transfer=offer(township, declined, SHANGQUAN), reason="不符"
        )
        offer(township, family_in(township, DAZHUANG, mother="等待母亲"), SHANGQUAN)
    return transfer


EXPECTED = reports.Move(
    head_name=MOVED,
    from_name="大庄村委会计生协",
    from_address="原村三组12号",
    to_name="上铨村委会计生协",
    to_address="上泉村五组",
    reason="投靠子女",
    moved_on=DAY,
)


def test_both_sides_and_the_county_list_the_move(township, township2, county, moves):
    assert report_for(township, LIUJIAXIA, DAY).moves == [EXPECTED]
    assert report_for(township2, YANGUOXIA, DAY).moves == [EXPECTED]
    assert report_for(county, "622923", DAY).moves == [EXPECTED]
    assert report_for(township2, SHANGQUAN, DAY).moves == [EXPECTED]  # the receiving village
    february = [m.head_name for m in report_for(county, "622923", datetime.date(2026, 2, 1)).moves]
    assert february == ["二月迁走"]
    assert report_for(county, "622923", datetime.date(2026, 4, 1)).moves == []


def test_a_township_on_neither_end_lists_nothing(yongjing, moves):
    third = make_user("township3", "622923102", "township_staff")
    assert report_for(third, "622923102", DAY).moves == []
    # Without the scoped queryset, the root alone bounds it (a root in the caller's scope).
    root = assoc("622923102")
    assert reports.moves_in_month(root=root, month=reports.month_of(DAY)) == []


def test_the_moves_are_one_query_whatever_their_number(
    township, township2, moves, django_assert_num_queries
):
    report = report_for(township, LIUJIAXIA, DAY)
    with django_assert_num_queries(1):
        assert len(report.moves) == 1
    with time_machine.travel(datetime.datetime(2026, 3, 12, 9, 0), tick=False):
        for n in range(3):
            family = family_in(township, DAZHUANG, mother=f"又迁母亲{n}")
            transfers.family_transfer_accept(
                actor=township2, transfer=offer(township, family, SHANGQUAN)
            )
    report = report_for(township, LIUJIAXIA, DAY)
    with django_assert_num_queries(1):
        assert len(report.moves) == 4


@time_machine.travel(datetime.datetime(2026, 3, 20, 9, 0), tick=False)
def test_the_page_and_the_workbook(client_for, township, moves):
    client = client_for(township)
    body = client.get(URL, {"month": "2026-03"}).content.decode()
    assert "需信息迁移人员" in body and "1 户" in body
    for text in (MOVED, "原村三组12号", "上泉村五组", "投靠子女", "2026-03-10"):
        assert text in body
    assert "被拒母亲" not in body and "等待母亲" not in body and "二月迁走" not in body
    response = follow_job(client, client.get(URL, {"month": "2026-03", "download": "xlsx"}))
    rows = read_back(content(response), "需信息迁移人员")
    assert rows[3][:7] == [
        "户主/联系人",
        "迁出协会",
        "原住址",
        "迁入协会",
        "新住址",
        "迁移原因",
        "迁移日期",
    ]
    assert rows[4][:7] == [
        MOVED,
        "大庄村委会计生协",
        "原村三组12号",
        "上铨村委会计生协",
        "上泉村五组",
        "投靠子女",
        "2026-03-10",
    ]
    assert len([r for r in rows[4:] if r and r[0]]) == 1
