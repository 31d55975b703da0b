"""The demo (`make run`) shows a product, a policy year with enrolled parents, its premium grant
and claims (paid, overdue, reported), and the coverage page counts the insured families."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fpa.families import selectors as family_selectors
from fpa.insurance import selectors
from fpa.insurance.models import Claim, Enrolment, PolicyYear
from fpa.organizations.models import Association

pytestmark = pytest.mark.django_db


def test_demo_has_insurance(settings, tmp_path):
    from fpa.accounts.models import User

    settings.VAR_DIR = str(tmp_path)
    call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    year = PolicyYear.objects.get()
    assert year.grant is not None
    # 刘家峡镇's mothers by rule; the other townships are left for the county's rule in the
    # browser flow (tests/browser/test_insurance_browser.py), so the coverage can still move.
    assert Enrolment.objects.filter(policy_year=year, by_rule=True).count() >= 3
    assert set(Claim.objects.values_list("status", flat=True)) == {"paid", "submitted", "reported"}
    county = User.objects.get(username="demo-county")
    assert selectors.overdue_claims(user=county).count() == 1
    total, _children = family_selectors.coverage(
        user=county, root=Association.objects.get(code="622923")
    )
    assert 0 < total.insured < total.families
