"""Ending a phone's offline work from the pages: the user on 我的账号, an account administrator on
the account's page; everyone else is refused and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fpa.field import services
from fpa.field.models import Device
from tests.conftest import DAZHUANG
from tests.test_families_services import assign, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(township: Any, volunteer: Any) -> Device:
    family = register(township, code=DAZHUANG)
    assign(township, family, user=volunteer, role="member_or_volunteer")
    return services.device_register(actor=volunteer, label="红米手机", session_key=None).device


def end_url(device: Device) -> str:
    return f"/field/devices/{device.pk}/end/"


def test_an_administrator_ends_a_lost_phone(phone: Device, client_for: Any, sysadmin: Any) -> None:
    admin = client_for(sysadmin)
    page = admin.get(f"/accounts/users/{phone.user_id}/")
    assert "红米手机" in page.content.decode()
    response = admin.post(end_url(phone))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/users/{phone.user_id}/"
    phone.refresh_from_db()
    assert (phone.ended_why, phone.ended_by_id) == ("revoked", sysadmin.pk)


def test_the_user_wipes_their_own_phone(phone: Device, client_for: Any, volunteer: Any) -> None:
    own = client_for(volunteer)
    assert "清除这台手机" in own.get("/accounts/profile/").content.decode()
    response = own.post(end_url(phone))
    assert response["Location"] == "/accounts/profile/"
    phone.refresh_from_db()
    assert phone.ended_why == "wiped"


def test_refused(phone: Device, client_for: Any, township: Any, village: Any) -> None:
    anonymous = Client().post(end_url(phone))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for other in (township, village):  # no account administration: not their phone, a 404
        assert client_for(other).post(end_url(phone)).status_code == 404
    assert client_for(township).get(end_url(phone)).status_code == 405
    assert client_for(township).post("/field/devices/99999999/end/").status_code == 404
    phone.refresh_from_db()
    assert phone.ended_at is None
