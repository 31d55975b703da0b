"""Measure 14: congress and council composition by source, year over year, rolled up the tree,
read through the user's scope."""

from __future__ import annotations

import datetime

import pytest

from fpa.members.composition import composition_report, parse_year
from fpa.organizations.models import Association
from fpa.organizations.services import seat_add, seat_end
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA

pytestmark = pytest.mark.django_db


def seat(actor, code, year, source, body="council", name="代表"):  # type: ignore[no-untyped-def]
    return seat_add(
        actor=actor,
        association=Association.objects.get(code=code),
        name=name,
        body=body,
        source=source,
        term_year=year,
    )


def test_year_over_year_by_source_rolled_up(county):
    # given: 刘家峡镇 had one official and one worker on its council in 2024; in 2025 the official
    # stepped down and two grassroots members joined; a village congress delegate since 2025
    official = seat(county, LIUJIAXIA, 2024, "official")
    seat(county, LIUJIAXIA, 2024, "worker")
    seat_end(actor=county, seat=official, ended_on=datetime.date(2025, 6, 30))
    seat(county, LIUJIAXIA, 2025, "grassroots_member")
    seat(county, LIUJIAXIA, 2025, "grassroots_member")
    seat(county, DAZHUANG, 2025, "volunteer", body="congress")
    seat(county, YANGUOXIA, 2024, "social_sector")
    county_node = Association.objects.get(code="622923")
    # when
    report = composition_report(user=county, root=county_node, year=2025)
    # then the township line rolls up its village and compares with 2024
    line = next(x for x in report.lines if x.association and x.association.code == LIUJIAXIA)
    council = line.this["council"]
    assert council.by_source == {"worker": 1, "grassroots_member": 2}
    assert line.last["council"].by_source == {"worker": 1, "official": 1}
    assert line.change("council") == 1 and line.change("council", "official") == -1
    assert council.grassroots_share == 100.0 and line.share_change("council") == 50.0
    assert line.this["congress"].by_source == {"volunteer": 1}
    assert report.total.this["council"].total == 4  # 3 in 刘家峡镇, 1 in 盐锅峡镇
    assert report.total.last["council"].total == 3


def test_a_township_sees_only_its_subtree(county, township):
    seat(county, YANGUOXIA, 2024, "worker")
    seat(county, DAZHUANG, 2024, "worker")
    root = Association.objects.get(code=LIUJIAXIA)
    report = composition_report(user=township, root=root, year=2025)
    assert report.total.this["council"].total == 1
    outside = composition_report(
        user=township, root=Association.objects.get(code=YANGUOXIA), year=2025
    )
    assert outside.total.this["council"].total == 0  # read through the scope


@pytest.mark.parametrize(
    "text", ["abc", "1e6", "NaN", "\uff12\uff10\uff12\uff15", "1980", "3000", "20255"]
)
def test_bad_years(text):
    with pytest.raises(ValueError, match="年"):
        parse_year(text, today=datetime.date(2026, 11, 1))


def test_default_year_is_this_year():
    assert parse_year("", today=datetime.date(2026, 11, 1)) == 2026
    assert parse_year(" 2024 ", today=datetime.date(2026, 11, 1)) == 2024
