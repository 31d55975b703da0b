"""Migrants' needs (诉求) on the care mechanism (`fpa.core.care`): raised with an owner and a
deadline, overdue in the owner's to-do, resolved and closed through the core need services,
refused across scope and for other roles (services, pages, API); the page's query count does not
grow with the needs; the data migration keeps every row and its state; the owner rule a
transfer's acceptance applies (`services.may_own`)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fpa.core.care import services as core_care
from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.core.todo import todos_for
from fpa.migrants import selectors, services
from fpa.migrants.care import MIGRANT_CARE
from fpa.migrants.models import Need
from tests.conftest import DAZHUANG, SHANGQUAN
from tests.migrants_helpers import kind, migrant
from tests.test_api import api_client, assert_error

pytestmark = pytest.mark.django_db

LIST = "/migrants/"
TODAY = timezone.localdate


@pytest.fixture
def person(township):
    return migrant(township, DAZHUANG, name="马明")


def _record(actor, subject):
    return services.service_record(
        actor=actor, migrant=subject, kind=kind(), served_on=TODAY(), provider="村计生专干"
    )


def _ours(subject) -> QuerySet[Need]:
    return Need.objects.filter(migrant=subject)


# --- raised, overdue, closed through the core -------------------------------------------------


def test_raised_through_the_core_with_owner_deadline_and_the_service_it_came_from(
    township, village, person
):
    record = _record(township, person)
    due = TODAY() + datetime.timedelta(days=10)
    need = services.need_raise(
        actor=township,
        migrant=person,
        description="  子女就近入学  ",
        owner=village,
        due_date=due,
        raised_in=record,
    )
    stored = Need.objects.get(pk=need.pk)
    assert (stored.description, stored.owner_id, stored.due_date) == (
        "子女就近入学",
        village.pk,
        due,
    )
    assert stored.status == Need.Status.OPEN and stored.closed_on is None
    assert stored.raised_in_id == record.pk and list(record.needs.all()) == [stored]
    event = AuditEvent.objects.get(object_type="migrants.need", action="create")
    assert event.object_id == str(need.pk)
    assert event.scope_path == person.association.path
    # The core selector with the module's spec reads the same row, owner loaded.
    assert list(selectors.needs_of(user=township, migrant=person)) == [stored]
    assert list(selectors.needs_of(user=township, migrant=person, status="resolved")) == []
    # And the core service called directly with the spec is the same thing.
    direct = core_care.need_raise(MIGRANT_CARE, actor=township, subject=person, description="就业")
    assert _ours(person).count() == 2 and direct.migrant_id == person.pk


def test_overdue_need_is_in_its_owners_todo_until_closed(township, village, person):
    yesterday = TODAY() - datetime.timedelta(days=1)
    late = services.need_raise(
        actor=township, migrant=person, description="医保转移", owner=village, due_date=yesterday
    )
    services.need_raise(  # not near its deadline: not in the to-do
        actor=township,
        migrant=person,
        description="住房咨询",
        owner=village,
        due_date=TODAY() + datetime.timedelta(days=20),
    )
    services.need_raise(  # another owner's
        actor=township, migrant=person, description="就业培训", owner=township, due_date=yesterday
    )
    assert list(selectors.needs_due(user=village)) == [late]
    assert selectors.is_overdue(late)
    todo = {t.key: t for t in todos_for(village)}["migrants.needs_due"]
    assert todo.count == 1
    assert [n.title for n in todo.notices] == ["医保转移"]
    assert todo.notices[0].url == f"{LIST}{person.pk}/"

    with pytest.raises(ServiceError) as refused:
        services.need_update(actor=village, need=late, status="resolved")
    assert refused.value.field == "result"
    assert Need.objects.get(pk=late.pk).status == Need.Status.OPEN

    closed = services.need_update(
        actor=village, need=late, status=Need.Status.CLOSED, result="政策不支持，已当面答复"
    )
    assert closed.closed_on == TODAY() and not closed.is_open
    assert not selectors.is_overdue(closed)
    assert list(selectors.needs_due(user=village)) == []
    assert "migrants.needs_due" not in {t.key for t in todos_for(village)}
    update = AuditEvent.objects.get(object_type="migrants.need", action="update")
    assert update.object_id == str(late.pk)

    reopened = services.need_update(actor=village, need=late, status=Need.Status.IN_PROGRESS)
    assert reopened.closed_on is None and list(selectors.needs_due(user=village)) == [late]


# --- refused ---------------------------------------------------------------------------------


def test_refused_across_scope_and_for_other_roles(township, township2, finance, village, person):
    need = services.need_raise(actor=township, migrant=person, description="子女入学")
    foreign = migrant(township2, SHANGQUAN)
    with pytest.raises(NotAllowed):
        services.need_raise(actor=township2, migrant=person, description="越权登记")
    with pytest.raises(NotAllowed):
        services.need_raise(actor=finance, migrant=person, description="无权登记")
    with pytest.raises(NotAllowed):
        services.need_update(actor=township2, need=need, status="resolved", result="越权办结")
    # The owner must be able to open the record; the service record must be the migrant's.
    with pytest.raises(ServiceError) as refused:
        services.need_raise(actor=township, migrant=person, description="诉求", owner=township2)
    assert refused.value.field == "owner"
    with pytest.raises(ServiceError) as refused:
        services.need_raise(
            actor=township,
            migrant=person,
            description="诉求",
            raised_in=_record(township2, foreign),
        )
    assert refused.value.field == "raised_in"
    with pytest.raises(ServiceError) as refused:
        services.need_raise(actor=township, migrant=person, description=" ")
    assert refused.value.field == "description"
    assert list(_ours(person)) == [need]
    assert Need.objects.get(pk=need.pk).status == Need.Status.OPEN
    assert AuditEvent.objects.filter(object_type="migrants.need").count() == 1
    # Reads: another township sees none of it.
    assert not Need.objects.visible_to(township2).filter(pk=need.pk).exists()
    assert list(selectors.needs_due(user=township2)) == []
    assert list(selectors.need_owners(township2, person)) == []


def test_pages_raise_with_owner_and_refuse_others(client_for, township, township2, village, person):
    url = f"{LIST}{person.pk}/needs/new/"
    client = client_for(township)
    form = client.get(url).content.decode()
    assert 'name="owner"' in form and 'name="due_date"' in form
    assert f'value="{village.pk}"' in form and f'value="{township2.pk}"' not in form
    # An owner outside the choices (another township) is a form error; nothing is written.
    response = client.post(url, {"description": "子女入学咨询", "owner": township2.pk})
    assert response.status_code == 200
    assert "所选账号不存在或不在您的管辖范围内" in response.content.decode()
    response = client.post(url, {"description": "子女入学咨询", "due_date": "1999-01-01"})
    assert response.status_code == 200 and "办结期限不在合理范围内" in response.content.decode()
    assert not _ours(person).exists()
    due = TODAY() - datetime.timedelta(days=2)
    response = client.post(
        url, {"description": "子女入学咨询", "owner": village.pk, "due_date": due.isoformat()}
    )
    assert response.status_code == 302
    need = _ours(person).get()
    assert (need.owner_id, need.due_date) == (village.pk, due)
    page = client.get(f"{LIST}{person.pk}/").content.decode()
    assert "子女入学咨询" in page and "已超期" in page and due.isoformat() in page
    # Another township: 404 on the form, the update and the page; nothing changes.
    other = client_for(township2)
    assert other.get(url).status_code == 404
    response = other.post(f"{LIST}needs/{need.pk}/", {"status": "resolved", "result": "越权办结"})
    assert response.status_code == 404
    assert Need.objects.get(pk=need.pk).status == Need.Status.OPEN
    response = client.post(f"{LIST}needs/{need.pk}/", {"status": "resolved", "result": "已入学"})
    assert response.status_code == 302
    assert Need.objects.get(pk=need.pk).closed_on == TODAY()


def test_page_queries_do_not_grow_with_needs(
    client_for, township, village, person, django_assert_max_num_queries
):
    client = client_for(township)
    services.need_raise(actor=township, migrant=person, description="第1项", owner=village)
    client.get(f"{LIST}{person.pk}/")  # warm the caches
    with CaptureQueriesContext(connection) as one:
        client.get(f"{LIST}{person.pk}/")
    for n in range(2, 8):
        owner = village if n % 2 else township
        services.need_raise(actor=township, migrant=person, description=f"第{n}项", owner=owner)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(f"{LIST}{person.pk}/").content.decode()
    assert "第7项" in page and "第1项" in page


def test_api_detail_shows_owner_deadline_and_overdue(township, township2, village, person):
    yesterday = TODAY() - datetime.timedelta(days=1)
    services.need_raise(
        actor=township, migrant=person, description="医保转移", owner=village, due_date=yesterday
    )
    body = api_client(township).get(f"/api/v1/migrants/{person.pk}").json()
    [need] = body["needs"]
    assert need["owner"] == village.username
    assert need["due_date"] == yesterday.isoformat()
    assert need["overdue"] is True and need["status"] == "open" and need["closed_on"] is None
    assert_error(api_client(township2).get(f"/api/v1/migrants/{person.pk}"), 404, "not_found")


# --- the owner rule on a transfer, and the data migration ----------------------------------------


def test_may_own_follows_the_record(township, township2, village, person):
    assert services.may_own(village, person)
    assert services.may_own(township, person)
    assert not services.may_own(township2, person)
    village.is_active = False
    village.save(update_fields=["is_active"])
    assert not services.may_own(village, person)


def test_data_migration_keeps_every_row_and_its_state(township, person):
    migration = importlib.import_module("fpa.migrants.migrations.0005_need_states_on_core_care")
    made = {
        status: services.need_raise(actor=township, migrant=person, description=f"诉求{status}")
        for status in Need.Status.values
    }
    for status, need in made.items():
        Need.objects.filter(pk=need.pk).update(status=status)
    # Rows as the old model could leave them: closed without a date, open with one.
    Need.objects.filter(pk=made["resolved"].pk).update(closed_on=None)
    Need.objects.filter(pk=made["closed"].pk).update(closed_on=datetime.date(2024, 3, 1))
    Need.objects.filter(pk=made["open"].pk).update(closed_on=datetime.date(2024, 3, 1))
    before = {n.pk: (n.status, n.description, n.migrant_id) for n in Need.objects.all()}

    migration.keep_states(apps, None)

    after = {n.pk: n for n in Need.objects.all()}
    assert {pk: (n.status, n.description, n.migrant_id) for pk, n in after.items()} == before
    resolved = after[made["resolved"].pk]
    assert resolved.closed_on == timezone.localdate(resolved.updated_at)
    assert after[made["closed"].pk].closed_on == datetime.date(2024, 3, 1)  # kept
    assert after[made["open"].pk].closed_on is None
    assert after[made["in_progress"].pk].closed_on is None
