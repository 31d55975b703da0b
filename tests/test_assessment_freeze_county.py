"""A county's freeze reads the families' figures once for the whole county (each indicator's
`prepare`), and every township's frozen value is the one its own reading gives."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fpa.assessment import services
from fpa.assessment.models import Indicator, Snapshot
from fpa.assessment.registry import registered_indicators
from fpa.core.scope import child_path, sum_by_child
from fpa.core.todo import one_reading, share_ahead, shared
from fpa.families import services as family_services
from fpa.families.models import Support
from tests.assessment_helpers import COUNTY, advance, assoc, round_in
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, YANGUOXIA
from tests.test_families_services import HONGLIU, assign, register

pytestmark = pytest.mark.django_db

FAMILY_KEYS = (
    "families.three_coverages",
    "families.visits_on_schedule",
    "volunteers.pairing_share",
    "families.needs_closed_on_time",
    "organizations.filings_current",
)
REGISTERED = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with time_machine.travel(datetime.datetime(2026, 12, 5, 10, 0), tick=False):
        yield


def families_in_two_townships(township: Any, township2: Any) -> None:
    """刘家峡镇: three families (one with a contact, a doctor and a green channel), 盐锅峡镇: one
    with a doctor only, so the townships' values differ."""
    full = register(township, code=DAZHUANG, registered_on=REGISTERED)
    register(township, code=HONGLIU, registered_on=REGISTERED)
    register(township, code=LIUJIAXIA, registered_on=REGISTERED)
    elsewhere = register(township2, code=SHANGQUAN, registered_on=REGISTERED)
    assign(township, full, name="联系人", start_date=REGISTERED)
    for kind in (Support.Kind.DOCTOR, Support.Kind.GREEN_CHANNEL):
        family_services.support_add(
            actor=township, family=full, kind=kind, provider="卫生院", start_date=REGISTERED
        )
    family_services.support_add(
        actor=township2,
        family=elsewhere,
        kind=Support.Kind.DOCTOR,
        provider="卫生院",
        start_date=REGISTERED,
    )
    # needs due before the cut-off: 刘家峡镇 one closed in time and one still open, 盐锅峡镇 one
    # closed in time
    with time_machine.travel(datetime.datetime(2026, 5, 10, 10, 0), tick=False):
        on_time = family_services.need_raise(
            actor=township, family=full, description="申请临时救助", due_date=june(30)
        )
        family_services.need_raise(
            actor=township, family=full, description="修缮房屋", due_date=june(15)
        )
        theirs = family_services.need_raise(
            actor=township2, family=elsewhere, description="就医陪护", due_date=june(1)
        )
        family_services.need_update(actor=township, need=on_time, status="resolved", result="已办")
        family_services.need_update(actor=township2, need=theirs, status="resolved", result="已办")


def june(day: int) -> datetime.date:
    return datetime.date(2026, 6, day)


def frozen_round(county: Any) -> Any:
    scheme = services.scheme_create(actor=county, county=assoc(COUNTY), year=2026, title="方案")
    weights = (Decimal(40), Decimal(20), Decimal(20), Decimal(10), Decimal(10))
    for position, (key, weight) in enumerate(zip(FAMILY_KEYS, weights, strict=True), start=1):
        services.indicator_save(
            actor=county,
            scheme=scheme,
            area="特殊家庭",
            name=key,
            weight=weight,
            kind=Indicator.Kind.COMPUTED,
            computed_key=key,
            position=position,
        )
    scheme = services.scheme_publish(actor=county, scheme=scheme)
    return advance(county, round_in(county, scheme), 2)


def test_each_township_frozen_as_its_own_reading_gives(county: Any, township: Any, township2: Any):
    # given families with different coverage in two townships and a round over the three
    # families indicators
    families_in_two_townships(township, township2)
    round_ = frozen_round(county)
    # when the county freezes the round (the county's figures read once)
    services.round_freeze(actor=county, round_=round_)
    # then every township's snapshot is what the indicator computes for that township alone
    # (no reading shared, nothing prepared)
    registry = registered_indicators()
    snapshots = Snapshot.objects.filter(round=round_).select_related("indicator", "association")
    assert snapshots.count() == len(FAMILY_KEYS) * len(services.townships_of(assoc(COUNTY)))
    for frozen in snapshots:
        alone = registry[frozen.indicator.computed_key].compute(
            county, frozen.association, 2026, round_.cutoff
        )
        assert (frozen.value, frozen.numerator, frozen.denominator) == (
            alone.value,
            alone.numerator,
            alone.denominator,
        ), (frozen.indicator.computed_key, frozen.association.code)
    # and the values are the data's, not zeros: 刘家峡镇 3 families, 3 of 9 coverages
    by_code = {(s.indicator.computed_key, s.association.code): s for s in snapshots}
    liujiaxia = by_code["families.three_coverages", LIUJIAXIA]
    assert (liujiaxia.numerator, liujiaxia.denominator) == (3, 9)
    yanguoxia = by_code["families.three_coverages", YANGUOXIA]
    assert (yanguoxia.numerator, yanguoxia.denominator) == (1, 3)
    assert by_code["volunteers.pairing_share", LIUJIAXIA].denominator == 3
    assert by_code["volunteers.pairing_share", YANGUOXIA].denominator == 1
    needs = by_code["families.needs_closed_on_time", LIUJIAXIA]
    assert (needs.numerator, needs.denominator) == (1, 2)
    needs = by_code["families.needs_closed_on_time", YANGUOXIA]
    assert (needs.numerator, needs.denominator) == (1, 1)


def family_queries(captured: CaptureQueriesContext) -> int:
    return sum('"families_family"' in query["sql"] for query in captured.captured_queries)


def filing_queries(captured: CaptureQueriesContext) -> int:
    return sum('"organizations_filing"' in query["sql"] for query in captured.captured_queries)


def test_the_families_are_read_once_per_county_not_per_township(
    county: Any, township: Any, township2: Any
):
    # given a round over the three families indicators in a county of 17 townships
    families_in_two_townships(township, township2)
    round_ = frozen_round(county)
    townships = services.townships_of(assoc(COUNTY))
    assert len(townships) == 17
    # when it is frozen
    with CaptureQueriesContext(connection) as freeze:
        services.round_freeze(actor=county, round_=round_)
    # then the families table is read by the county's coverage query, its families report
    # (four grouped queries) and its needs (one), not once per township (6 x 17 = 102 before)
    assert family_queries(freeze) <= 6
    # and the filings by one grouped query for the county (17 before)
    assert filing_queries(freeze) == 1
    # and one township's values alone still read the families through its own queries
    registry = registered_indicators()
    with CaptureQueriesContext(connection) as alone, one_reading():
        for key in FAMILY_KEYS:
            registry[key].compute(county, townships[0], 2026, round_.cutoff)
    assert 1 <= family_queries(alone) <= 6
    assert filing_queries(alone) == 1


def test_share_ahead_keeps_nothing_outside_a_reading() -> None:
    calls: list[str] = []

    def compute() -> dict[str, Any]:
        calls.append("county")
        return {"k": 1}

    # outside a reading nothing is computed, and `shared` computes its own value
    assert share_ahead(compute) is False
    assert calls == []
    assert shared("k", lambda: 2) == 2
    # inside one, the value shared ahead is found, and a value already read is not replaced
    with one_reading():
        assert shared("other", lambda: 5) == 5
        assert share_ahead(lambda: {"k": 1, "other": 6}) is True
        assert shared("k", lambda: 2) == 1
        assert shared("other", lambda: 7) == 5


def test_rows_are_summed_into_the_child_they_lie_in() -> None:
    root = "/62/6229/622923/"
    assert child_path(root, root) is None
    assert child_path(root, "/62/6229/622924/622924100/") is None  # outside
    assert child_path(root, root + "622923100/") == root + "622923100/"
    assert child_path(root, root + "622923100/622923100201/") == root + "622923100/"
    rows = [
        {"path": root, "n": 5},  # the root's own: left out
        {"path": root + "622923100/", "n": 1},
        {"path": root + "622923100/622923100201/", "n": 2},
        {"path": root + "622923101/622923101201/", "n": None},
    ]
    assert sum_by_child(rows, root=root, path="path", fields=["n"]) == {
        root + "622923100/": {"n": 3},
        root + "622923101/": {"n": 0},
    }
