"""Volunteers' services refuse what the forms cannot rule out and write nothing: pairing a
volunteer who is not active or from a future date, a team at the wrong level, a member from
outside the team's area or not in service (issue 11: refused cases for the untested branches)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from fpa.core.errors import NotAllowed, ServiceError
from fpa.families import services as family_services
from fpa.families.models import Family
from fpa.organizations.models import Association
from fpa.volunteers import services
from fpa.volunteers.models import Pairing, Team
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN
from tests.volunteers_helpers import active, apply, id_for

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


def family(actor: Any) -> Family:
    return family_services.family_register(
        actor=actor,
        association=Association.objects.get(code=DAZHUANG),
        kind=Family.Kind.BEREAVED,
        people=[{"role": "mother", "name": "结对母亲", "id_number": id_for(60)}],
    )


def test_only_an_active_volunteer_pairs_and_not_from_a_future_date(
    yongjing: Any, township: Any
) -> None:
    target = family(township)
    applicant = apply(DAZHUANG)  # applied, not vetted yet
    with pytest.raises(ServiceError) as caught:
        services.pairing_create(
            actor=township, volunteer=applicant, family=target, start_date=timezone.localdate()
        )
    assert caught.value.field == "volunteer"
    ready = active(township, DAZHUANG)
    with pytest.raises(ServiceError) as caught:
        services.pairing_create(actor=township, volunteer=ready, family=target, start_date=TOMORROW)
    assert caught.value.field == "start_date"
    assert not Pairing.objects.exists()


def test_a_township_cannot_pair_its_volunteer_with_another_townships_family(
    yongjing: Any, township: Any, township2: Any
) -> None:
    target = family(township)
    theirs = active(township2, SHANGQUAN)
    with pytest.raises(NotAllowed):
        services.pairing_create(
            actor=township2, volunteer=theirs, family=target, start_date=timezone.localdate()
        )
    assert not Pairing.objects.exists()


def test_a_team_needs_a_known_level_that_fits_its_association(yongjing: Any, township: Any) -> None:
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    with pytest.raises(ServiceError) as caught:
        services.team_create(actor=township, association=liujiaxia, level="legion", name="某队")
    assert caught.value.field == "level"
    with pytest.raises(ServiceError):  # a corps (总队) is a county's, not a township's
        services.team_create(
            actor=township, association=liujiaxia, level=Team.Level.CORPS, name="刘家峡总队"
        )
    assert not Team.objects.exists()


def test_a_team_takes_only_active_volunteers_of_its_area(
    yongjing: Any, township: Any, county: Any
) -> None:
    dazhuang = Association.objects.get(code=DAZHUANG)
    team = services.team_create(
        actor=township, association=dazhuang, level=Team.Level.SQUADRON, name="大庄中队"
    )
    elsewhere = active(county, SHANGQUAN)
    with pytest.raises(ServiceError) as caught:
        services.team_add_member(actor=county, team=team, volunteer=elsewhere)
    assert caught.value.field == "volunteer"
    applicant = apply(DAZHUANG)
    with pytest.raises(ServiceError) as caught:
        services.team_add_member(actor=township, team=team, volunteer=applicant)
    assert caught.value.field == "volunteer"
    assert team.members.count() == 0
