"""The assessment's demo data, seeded after the task book's: 永靖县's scheme of this year (100
points, the task book's share of tasks done on time among its computed indicators), a round in
the appeal window with frozen values, and an appeal waiting for the county; every page renders
for each side."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from fpa.accounts.roles import Role
from fpa.assessment import selectors
from fpa.assessment.demo import seed_assessment
from fpa.assessment.models import Appeal, Round, Scheme, Snapshot
from fpa.core.demo import DemoCast
from fpa.families.selectors import needs_closed_on_time
from fpa.organizations.models import Association
from fpa.organizations.selectors import filings_current
from fpa.reports.selectors import monthly_reports_on_time
from fpa.tasks.demo import seed_tasks
from fpa.tasks.selectors import tasks_done_on_time
from fpa.volunteers.selectors import confirmed_hours_under
from tests.conftest import LIUJIAXIA, YANGUOXIA, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(
    county: Any,
    township: Any,
    township2: Any,
    village: Any,
    finance: Any,
    settings: Any,
    tmp_path: Any,
) -> Round:
    settings.MEDIA_ROOT = str(tmp_path)
    cast = DemoCast(
        county=county,
        finance=finance,
        township=township,
        townships={LIUJIAXIA: township, YANGUOXIA: township2},
        village=village,
        volunteer=None,
        vice_chair=make_user("vice-chair", "622923", Role.COUNTY_ADMIN),
    )
    seed_tasks(cast)
    summary = seed_assessment(cast)
    assert summary == {"assessment_indicators": 13, "assessment_appeals": 1}
    return Round.objects.get()


def test_the_demo_round_waits_in_the_appeal_window(seeded: Round, county: Any) -> None:
    scheme = Scheme.objects.get()
    assert scheme.published and sum(i.weight for i in scheme.indicators.all()) == 100
    assert seeded.phase == Round.Phase.APPEAL and seeded.frozen_at is not None
    assert list(selectors.appeals_waiting(user=county)) == list(Appeal.objects.all())
    # the task book's indicator is frozen from the task book's own selector
    frozen = Snapshot.objects.get(
        round=seeded, indicator__computed_key="tasks.done_on_time", association__code=LIUJIAXIA
    )
    done, due = tasks_done_on_time(
        association=frozen.association, year=scheme.year, until=seeded.cutoff
    )
    assert (frozen.numerator, frozen.denominator) == (done, due)


def test_the_modules_indicators_are_frozen_from_their_own_selectors(
    seeded: Round, county: Any
) -> None:
    """The indicators the organisations, families, volunteers and reports modules declare are
    in the demo scheme and frozen from those modules' selectors, as the county reads them."""
    year, cutoff = seeded.scheme.year, seeded.cutoff
    day = min(cutoff, datetime.date(year, 12, 31))
    area = Association.objects.get(code=LIUJIAXIA)
    expected = {
        "organizations.filings_current": filings_current(user=county, root=area, on=day),
        "families.needs_closed_on_time": needs_closed_on_time(
            user=county, root=area, year=year, until=cutoff
        ),
        "reports.monthly_on_time": monthly_reports_on_time(
            user=county, association=area, year=year, until=cutoff
        ),
    }
    for key, (numerator, denominator) in expected.items():
        frozen = Snapshot.objects.get(round=seeded, indicator__computed_key=key, association=area)
        assert (frozen.numerator, frozen.denominator) == (numerator, denominator), key
    hours = Snapshot.objects.get(
        round=seeded,
        indicator__computed_key="volunteers.hours_per_thousand_members",
        association=area,
    )
    assert hours.numerator == confirmed_hours_under(
        user=county, association=area, year=year, until=cutoff
    )


def test_every_demo_page_renders_for_each_side(
    seeded: Round, client_for: Any, county: Any, township: Any, township2: Any, auditor: Any
) -> None:
    for user in (county, township, township2, auditor):
        client = client_for(user)
        for url in (
            reverse("assessment:list"),
            reverse("assessment:scheme", args=[seeded.scheme_id]),
            reverse("assessment:round", args=[seeded.pk]),
        ):
            assert client.get(url).status_code == 200, (user.username, url)
        for township_ in selectors.townships_visible(user=user, round_=seeded):
            url = reverse("assessment:sheet", args=[seeded.pk, township_.code])
            assert client.get(url, {"live": "1"}).status_code == 200, (user.username, url)
    # a township opens its own sheet only
    own = client_for(township)
    assert own.get(reverse("assessment:sheet", args=[seeded.pk, YANGUOXIA])).status_code == 404
