"""The pages of insurance, migrants and enterprise profiles, 三留守, rights cases and the transfers
in English (the second UI language): no Chinese left in their chrome once the data (association
names, the configurable lists' names) is taken out. Chinese stays the default."""

from __future__ import annotations

from typing import Any

import pytest

from fpa.accounts.models import User
from fpa.families.models import CareKind, ContactRole
from fpa.migrants import places
from fpa.migrants.models import ServiceKind
from fpa.organizations.models import Association
from fpa.rights.models import CaseKind
from tests.english import (  # noqa: F401 (the autouse fixture)
    chinese_left,
    data_words,
    default_language_afterwards,
    english,
)

pytestmark = pytest.mark.django_db

PAGES = [
    "/insurance/",
    "/insurance/claims/",
    "/migrants/",
    "/migrants/new/",
    "/migrants/counts/",
    "/migrants/enterprises/",
    "/migrants/transfers/",
    "/left-behind/",
    "/left-behind/new/",
    "/rights/",
    "/rights/new/",
    "/rights/figures/",
    "/families/transfers/",
]


def data() -> list[str]:
    values = list(Association.objects.values_list("name", flat=True))
    values += list(User.objects.values_list("full_name", flat=True))
    values.append("永靖县计划生育协会")  # the deployment's name in the footer
    values += [name for _code, name in places.provinces()]  # the origin filter's provinces
    for model in (CareKind, ContactRole, ServiceKind, CaseKind):
        values += list(model.objects.values_list("name", flat=True))
    return data_words(values)


@pytest.mark.parametrize("url", PAGES)
def test_the_page_has_no_chinese_chrome_in_english(county: Any, url: str) -> None:
    response = english(county).get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert chinese_left(html, data()) == [], url


def test_chinese_stays_the_default(client_for: Any, county: Any) -> None:
    assert "流动人口" in client_for(county).get("/migrants/").content.decode()
