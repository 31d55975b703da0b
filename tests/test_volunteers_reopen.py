"""Safer vetting decisions: a refused volunteer application no longer blocks a new one, and the
township (or the county) reopens a refusal recorded by mistake, with a reason, audited. Refused
cases: another township, a village role, another role, anonymous, a person who applied again.
And the volunteer certificate carries the QR code of its public check."""

from __future__ import annotations

import base64
import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.qr import qr_data_uri
from fpa.organizations.models import Association
from fpa.volunteers import services
from fpa.volunteers.models import StatusChange, Volunteer
from tests.conftest import DAZHUANG, LIUJIAXIA
from tests.volunteers_helpers import active, apply, id_for, service

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db: Any) -> Any:
    cache.clear()
    yield
    cache.clear()


def refused(actor: Any, **kwargs: Any) -> Volunteer:
    volunteer = apply(DAZHUANG, **kwargs)
    return services.volunteer_vet(
        actor=actor, volunteer=volunteer, passed=False, notes="面谈未到，暂不通过"
    )


def public_form(number: str) -> dict[str, str]:
    return {
        "association": str(Association.objects.get(code=DAZHUANG).pk),
        "name": "再报名",
        "id_number": number,
        "phone": "13655550009",
        "consent_version": "1",
        "agree": "on",
        "website": "",
    }


def test_a_refused_applicant_may_apply_again_but_not_twice(
    client: Client, yongjing: Any, township: Any
) -> None:
    number = id_for(30)
    first = refused(township, id_number=number)
    assert first.status == Volunteer.Status.REFUSED
    response = client.post(reverse("volunteers:apply"), public_form(number))
    assert "报名已提交" in response.content.decode()
    second = Volunteer.objects.exclude(pk=first.pk).get()
    assert second.status == Volunteer.Status.APPLIED and second.consent.version == 1
    first.refresh_from_db()
    assert first.status == Volunteer.Status.REFUSED  # kept as history
    # while the new application is open, a third one is refused as before
    again = client.post(reverse("volunteers:apply"), public_form(number))
    assert "不能重复报名" in again.content.decode()
    assert Volunteer.objects.count() == 2


def test_the_refused_record_can_still_be_corrected_after_a_new_application(
    yongjing: Any, township: Any
) -> None:
    number = id_for(30)
    first = refused(township, id_number=number)
    apply(DAZHUANG, id_number=number)
    services.volunteer_update(actor=township, volunteer=first, address="新地址")
    first.refresh_from_db()
    assert first.address == "新地址"


def test_the_township_reopens_a_refused_vetting_with_a_reason_audited(
    client_for: Any, yongjing: Any, township: Any
) -> None:
    volunteer = refused(township)
    client = client_for(township)
    page = client.get(reverse("volunteers:detail", args=[volunteer.pk])).content.decode()
    assert 'id="reopen-form"' in page and "data-fpa-confirm" in page
    url = reverse("volunteers:reopen", args=[volunteer.pk])
    client.post(url, {"reason": ""})  # refused with a message
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.REFUSED
    response = client.post(url, {"reason": "考察结论录错，应为通过"}, follow=True)
    assert "已重新打开考察" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPLIED
    assert volunteer.vetted_on is None and volunteer.vetted_by is None
    assert volunteer.vetting_notes == ""
    change = StatusChange.objects.filter(volunteer=volunteer).first()
    assert change is not None and change.from_status == "refused" and change.to_status == "applied"
    assert "应为通过" in change.reason
    rows = AuditEvent.objects.filter(
        object_type="volunteers.volunteer", object_id=str(volunteer.pk)
    )
    status_row = rows.filter(changes__has_key="status").latest("id")
    assert status_row.actor == township and status_row.changes["status"] == ["refused", "applied"]
    notes_row = rows.filter(changes__has_key="vetting_notes").latest("id")
    assert notes_row.changes["vetting_notes"] == ["面谈未到，暂不通过", ""]
    assert notes_row.reason == "考察结论录错，应为通过"
    # it can be vetted again
    services.volunteer_vet(actor=township, volunteer=volunteer, passed=True, notes="复核通过")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.VETTED


def test_the_county_may_reopen_too(yongjing: Any, township: Any, county: Any) -> None:
    volunteer = refused(township)
    services.volunteer_reopen(actor=county, volunteer=volunteer, reason="县里复核")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPLIED


def test_reopening_is_refused_to_a_village_role_another_township_and_others(
    client: Client,
    client_for: Any,
    yongjing: Any,
    township: Any,
    township2: Any,
    village: Any,
    finance: Any,
) -> None:
    volunteer = refused(township)
    before = AuditEvent.objects.count()
    url = reverse("volunteers:reopen", args=[volunteer.pk])
    village_client = client_for(village)
    detail = village_client.get(reverse("volunteers:detail", args=[volunteer.pk]))
    assert 'id="reopen-form"' not in detail.content.decode()
    response = village_client.post(url, {"reason": "村里想重新打开"}, follow=True)
    assert "乡镇或县级" in response.content.decode()
    assert client_for(township2).post(url, {"reason": "外镇"}).status_code == 404
    assert client_for(finance).post(url, {"reason": "财务"}).status_code == 403
    anonymous = client.post(url, {"reason": "匿名"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(township).get(url).status_code == 405  # POST only
    with pytest.raises(NotAllowed):
        services.volunteer_reopen(actor=village, volunteer=volunteer, reason="村里想重新打开")
    with pytest.raises(NotAllowed):
        services.volunteer_reopen(actor=township2, volunteer=volunteer, reason="外镇")
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.REFUSED
    assert AuditEvent.objects.exclude(action__in=["login", "logout"]).count() == before


def test_only_a_refusal_is_reopened_and_not_after_a_new_application(
    yongjing: Any, township: Any
) -> None:
    pending = apply(DAZHUANG)
    with pytest.raises(ServiceError, match="考察未通过"):
        services.volunteer_reopen(actor=township, volunteer=pending, reason="不该打开")
    number = id_for(30)
    first = refused(township, id_number=number)
    apply(DAZHUANG, id_number=number)
    with pytest.raises(ServiceError, match="已重新报名"):
        services.volunteer_reopen(actor=township, volunteer=first, reason="录错了")
    first.refresh_from_db()
    assert first.status == Volunteer.Status.REFUSED


def test_the_certificate_carries_the_qr_code_of_its_public_check(
    client: Client, client_for: Any, yongjing: Any, township: Any, township2: Any
) -> None:
    volunteer = active(township, DAZHUANG, name="王证明")
    services.hours_record(
        actor=township, service=service(township, LIUJIAXIA), volunteer=volunteer, hours="5"
    )
    cert = services.certificate_issue(actor=township, volunteer=volunteer)
    html = client_for(township).get(reverse("volunteers:certificate", args=[cert.pk]))
    page = html.content.decode()
    check_path = reverse("volunteers:verify") + "?" + urlencode({"code": cert.code})
    assert f'data-check-path="{check_path}"' in page
    source = page.split('id="certificate-qr" src="', 1)[1].split('"', 1)[0]
    assert source.startswith("data:image/svg+xml;base64,")
    assert b"<svg" in base64.b64decode(source.split(",", 1)[1])
    # the code is this server's absolute check URL (the same text draws the same code)
    assert source == qr_data_uri("http://testserver" + check_path)
    # the path the QR code opens checks this certificate
    checked = client.get(check_path).content.decode()
    assert "真实有效" in checked and "王证明" in checked
    assert (
        client_for(township2).get(reverse("volunteers:certificate", args=[cert.pk])).status_code
        == 404
    )
