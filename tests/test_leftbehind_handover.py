"""联系人交接 for the 三留守 registry: a contact person's people move to a successor in one
transaction, after a preview; audited with the reason; refused across scope (people of another
township stay, a successor outside the area is refused), for children without
`leftbehind.children`, for other roles and anonymous callers. The same core service serves the
special families (tests/test_families_services.py keeps covering their side)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fpa.core.errors import NotAllowed, ServiceError
from fpa.core.models import AuditEvent
from fpa.leftbehind import selectors, services
from fpa.leftbehind.models import LeftBehindContact, LeftBehindPerson
from tests.conftest import DAZHUANG, SHANGQUAN, make_user
from tests.leftbehind_helpers import HONGLIU, contact, person

URL = "/left-behind/handover/"


def today():
    return timezone.localdate()


@pytest.fixture
def successor(yongjing):
    return make_user("successor", DAZHUANG, "volunteer")


@pytest.fixture
def setup(township, township2, volunteer):
    mine = [person(township, DAZHUANG), person(township, HONGLIU, kind="woman")]
    for found in mine:
        contact(township, found, user=volunteer)
    theirs = person(township2, SHANGQUAN)
    outside = contact(township2, theirs, user=volunteer)
    return {"mine": mine, "theirs": theirs, "outside": outside}


def current(found: LeftBehindPerson) -> LeftBehindContact:
    return LeftBehindContact.objects.get(person=found, end_date__isnull=True)


def test_the_handover_moves_every_person_of_the_area_in_one_call(
    setup, township, volunteer, successor
):
    preview = selectors.handover_preview(user=township, from_user=volunteer)
    assert (preview.people, preview.children, preview.allowed) == (2, 0, True)
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    moved = services.contacts_hand_over(
        actor=township, from_user=volunteer, to_user=successor, on=today(), reason="工作调动"
    )
    assert sorted(c.person_id for c in moved) == sorted(p.pk for p in setup["mine"])
    for found in setup["mine"]:
        new = current(found)
        assert (new.user, new.name, new.start_date) == (successor, "successor", today())
        assert LeftBehindContact.objects.get(person=found, user=volunteer).end_date == today()
    # the person of another township stays with the leaving contact
    assert LeftBehindContact.objects.get(pk=setup["outside"].pk).end_date is None
    (event,) = AuditEvent.objects.filter(id__gt=mark)
    assert event.reason == "工作调动" and event.actor == township
    assert event.changes["people"] == [None, sorted(p.pk for p in setup["mine"])]
    assert event.changes["to_user"] == [None, successor.pk]
    # the successor now sees them; the leaving contact only the other township's person
    assert set(LeftBehindPerson.objects.visible_to(successor).values_list("pk", flat=True)) == {
        p.pk for p in setup["mine"]
    }
    assert list(LeftBehindPerson.objects.visible_to(volunteer).values_list("pk", flat=True)) == [
        setup["theirs"].pk
    ]
    with pytest.raises(ServiceError, match="没有正在联系的三留守人员"):
        services.contacts_hand_over(
            actor=township, from_user=volunteer, to_user=successor, on=today(), reason="再次"
        )


def test_refusals_change_nothing(setup, township, township2, village, volunteer, successor):
    before = list(LeftBehindContact.objects.order_by("pk").values_list("pk", "end_date"))
    cases = [
        ({"to_user": successor, "reason": ""}, ServiceError, "reason"),
        ({"to_user": volunteer, "reason": "调动"}, ServiceError, "to_user"),
        ({"to_user": None, "reason": "调动"}, ServiceError, "to_user"),
        # a successor of another township: outside the area
        ({"to_user": township2, "reason": "调动"}, ServiceError, "to_user"),
        (
            {"to_user": successor, "reason": "调动", "on": today().replace(year=today().year - 1)},
            ServiceError,
            "on",
        ),
    ]
    for kwargs, error, field in cases:
        data = {"on": today(), **kwargs}
        with pytest.raises(error) as refused:
            services.contacts_hand_over(actor=township, from_user=volunteer, **data)
        assert refused.value.field == field, kwargs
    # another township moves none of ours: it only finds its own person
    moved = services.contacts_hand_over(
        actor=township2,
        from_user=volunteer,
        to_user=None,
        to_name="新联系人",
        on=today(),
        reason="调动",
    )
    assert [c.person_id for c in moved] == [setup["theirs"].pk]
    # another role
    with pytest.raises(NotAllowed):
        services.contacts_hand_over(
            actor=volunteer, from_user=volunteer, to_user=successor, on=today(), reason="调动"
        )
    kept = [row for row in before if row[0] != setup["outside"].pk]
    after = LeftBehindContact.objects.filter(pk__in=[pk for pk, _ in kept]).order_by("pk")
    assert list(after.values_list("pk", "end_date")) == kept
    assert all(end is None for _, end in kept)


def test_children_need_the_children_capability(township, village, volunteer, successor):
    child = person(township, DAZHUANG, kind="child")
    elderly = person(township, DAZHUANG)
    contact(township, child, user=volunteer)
    contact(township, elderly, user=volunteer)
    # the village officer holds leftbehind.edit but not leftbehind.children
    preview = selectors.handover_preview(user=village, from_user=volunteer)
    assert (preview.people, preview.children, preview.allowed) == (2, 1, False)
    with pytest.raises(NotAllowed):
        services.contacts_hand_over(
            actor=village, from_user=volunteer, to_user=successor, on=today(), reason="调动"
        )
    assert current(child).user == volunteer and current(elderly).user == volunteer  # nothing moved
    assert selectors.handover_preview(user=township, from_user=volunteer).allowed
    services.contacts_hand_over(
        actor=township, from_user=volunteer, to_user=successor, on=today(), reason="调动"
    )
    assert current(child).user == successor


def test_the_page_previews_then_commits(client_for, setup, township, volunteer, successor):
    client = client_for(township)
    page = client.get(URL)
    assert page.status_code == 200
    assert list(page.context["form"].fields["from_user"].queryset) == [volunteer]
    data = {"from_user": volunteer.pk, "to_user": successor.pk, "on": today(), "reason": "退休"}
    preview = client.post(URL, data)
    html = preview.content.decode()
    assert preview.status_code == 200 and 'id="handover-preview"' in html and "2" in html
    assert current(setup["mine"][0]).user == volunteer  # the preview moved nothing
    done = client.post(URL, {**data, "confirm": "1"}, follow=True)
    assert "已将 volunteer 联系的 2 名三留守人员移交给 successor。" in done.content.decode()
    assert all(current(p).user == successor for p in setup["mine"])


def test_the_page_shows_bad_input_and_refuses_others(
    client, client_for, setup, township, township2, village, volunteer, finance
):
    client_t = client_for(township)
    bad = client_t.post(URL, {"from_user": volunteer.pk, "to_user": township2.pk, "on": today()})
    errors = bad.context["form"].errors
    assert "to_user" in errors and "reason" in errors
    # another township cannot pick an account of ours as the leaving contact
    other = client_for(township2).post(
        URL, {"from_user": volunteer.pk, "to_name": "新人", "on": today(), "reason": "调动"}
    )
    assert "from_user" in other.context["form"].errors
    assert 'id="handover-preview"' not in other.content.decode()
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    assert client_for(finance).get(URL).status_code == 403
    assert client_for(volunteer).get(URL).status_code == 403
    assert current(setup["mine"][0]).user == volunteer
