"""The contact roster (联系人名册) as printed: each family's head with the phone masked (revealed
one value at a time with a reason), the contact persons with their real names and their phones in
full for staff holding `personal.reveal`, one audit row per roster naming the contacts shown. A
role without the right cannot read the phones in full; other townships and roles are refused."""

from __future__ import annotations

import pytest

from fpa.core.errors import NotAllowed
from fpa.core.models import AuditEvent
from fpa.families import selectors, services
from fpa.families.models import Contact
from tests.conftest import DAZHUANG, YANGUOXIA
from tests.test_families_views import HONGLIU, assign, assoc, register

URL = "/families/roster/"


@pytest.fixture
def families(township, village):
    named = register(township, mother="名册母亲")
    assign(township, named, name="王干部", phone="13911112222")
    assign(township, named, role="township_cadre", user=village, phone="13933334444")
    alone = register(township, code=HONGLIU, mother="无人母亲")
    return named, alone


def reveals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL))


def test_contacts_in_full_heads_masked_one_audit_row(client_for, township, village, families):
    named, _ = families
    body = client_for(township).get(URL, {"code": DAZHUANG}).content.decode()
    assert "王干部 13911112222" in body
    assert f"{village.full_name} 13933334444" in body  # the account's name, its phone in full
    mother_phone = named.people.get(role="mother").phone
    assert mother_phone.masked in body and mother_phone.reveal_unchecked() not in body
    mother = named.people.get(role="mother")
    assert f"/families/people/{mother.pk}/reveal/phone/" in body  # revealed one by one
    assert "fpa-signatures" in body and "table-print-compact" in body
    [event] = reveals()
    contacts = sorted(Contact.objects.filter(family=named).values_list("pk", flat=True))
    assert event.changes == {"field": "phone", "contacts": contacts}
    assert event.actor == township and event.scope_path == assoc(DAZHUANG).path
    assert event.reason == services.contacts.ROSTER_REASON


def test_no_audit_row_when_no_contact_phone_is_shown(client_for, township, families):
    client_for(township).get(URL, {"code": HONGLIU})
    assert reveals() == []


def test_the_phones_in_full_need_the_right(finance, township, families):
    named, _ = families
    contacts = list(Contact.objects.filter(family=named))
    assert not selectors.may_see_contact_phones(finance)
    assert selectors.may_see_contact_phones(township)
    with pytest.raises(NotAllowed):
        services.roster_contact_phones(actor=finance, area=assoc(DAZHUANG), contacts=contacts)
    assert reveals() == []


def test_refused(client, client_for, township2, finance, auditor, volunteer, families):
    response = client_for(township2).get(URL, {"code": DAZHUANG})
    body = response.content.decode()
    assert response.context["foreign"] and "王干部" not in body and "13911112222" not in body
    own = client_for(township2).get(URL).content.decode()
    assert "名册母亲" not in own and assoc(YANGUOXIA).name in own
    for user in (finance, auditor, volunteer):
        assert client_for(user).get(URL).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert reveals() == []
