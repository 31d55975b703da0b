"""A special family's page leads to its records in the other modules (its insurance enrolments,
its rights cases), and those pages refuse a family of another township."""

from __future__ import annotations

from typing import Any

import pytest

from tests import insurance_helpers

pytestmark = pytest.mark.django_db

DAZHUANG = "622923100201"  # 大庄村, 刘家峡镇
SHANGQUAN = "622923101201"  # a village of 盐锅峡镇


def test_the_family_page_links_to_its_insurance_and_rights_cases(
    client_for: Any, township: Any
) -> None:
    family = insurance_helpers.family(township, DAZHUANG)
    page = client_for(township).get(f"/families/{family.pk}/").content.decode()
    assert f'href="/insurance/families/{family.pk}/" id="family-insurance"' in page
    assert f'href="/rights/family/{family.pk}/" id="family-rights"' in page
    client = client_for(township)
    assert client.get(f"/insurance/families/{family.pk}/").status_code == 200
    assert client.get(f"/rights/family/{family.pk}/").status_code == 200


def test_another_townships_family_is_refused_on_both(
    client_for: Any, township: Any, township2: Any
) -> None:
    foreign = insurance_helpers.family(township2, SHANGQUAN)
    client = client_for(township)
    assert client.get(f"/insurance/families/{foreign.pk}/").status_code in {403, 404}
    assert client.get(f"/rights/family/{foreign.pk}/").status_code in {403, 404}
