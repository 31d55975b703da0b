"""The family list page's compiled statements kept per worker (fpa.core.statements): the same
families as the ORM's list for every variant of its inputs, never one user's statement for
another, rows always current, and the filters' fragment kept per scope but fresh after a change
to the tree."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from fpa.accounts.models import Role
from fpa.core.statements import Statement, StatementMemo
from fpa.families import selectors, services
from fpa.families.models import Family
from fpa.organizations import services as org_services
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, login, make_user
from tests.test_api import fullwidth
from tests.test_families_services import HONGLIU, assign, assoc, mother, register, today


@pytest.fixture(autouse=True)
def _empty_memo() -> Any:
    selectors.LIST_STATEMENTS.clear()
    yield
    selectors.LIST_STATEMENTS.clear()


def _pks(page: Any) -> list[int]:
    return [item.pk for item in page.items]


def _same_page(user: Any, **kwargs: Any) -> list[int]:
    """The list page's rows and the ORM's list agree: families, order and both cursors."""
    rows = selectors.family_list_rows(user=user, **kwargs)
    models = selectors.family_list(user=user, **kwargs)
    assert _pks(rows) == _pks(models)
    assert (rows.next_cursor, rows.prev_cursor) == (models.next_cursor, models.prev_cursor)
    return _pks(rows)


def test_every_variant_lists_what_the_orm_lists(township, township2, county, volunteer):
    a = register(township, people=[mother(name="张桂兰")])
    b = register(township, code=HONGLIU, people=[mother(name="刘秀英")])
    c = register(township)
    services.family_change_status(
        actor=township, family=c, status="moved_out", effective_date=today(), reason="迁出"
    )
    d = register(township2, code=SHANGQUAN)
    assign(township, b, user=volunteer)
    for user in (township, township2, county, volunteer):
        for status in ("", Family.Status.ACTIVE, Family.Status.MOVED_OUT):
            for query in ("", "张桂", "zgl", fullwidth("LXY"), "nobody"):
                _same_page(user, status=status, query=query)
        _same_page(user, association=assoc(HONGLIU), status="")
        _same_page(user, ids=[b.pk, d.pk])
        assert _same_page(user, ids=[]) == []  # a foreign area's click-through
    # the same variant twice: the second is read from the memo and lists the same
    assert _same_page(county, status="") == [a.pk, b.pk, c.pk, d.pk]
    hits = selectors.LIST_STATEMENTS.hits
    assert _same_page(county, status="") == [a.pk, b.pk, c.pk, d.pk]
    assert selectors.LIST_STATEMENTS.hits == hits + 1
    # a contact person sees the family they look after, nothing of the township's
    assert _same_page(volunteer, status="") == [b.pk]


def test_keyset_pages_through_the_memo(township):
    families = [register(township) for _ in range(5)]
    pks = [f.pk for f in families]
    first = selectors.family_list_rows(user=township, size=2)
    assert _pks(first) == pks[:2] and first.prev_cursor is None
    second = selectors.family_list_rows(user=township, size=2, after=first.next_cursor)
    assert _pks(second) == pks[2:4] and second.prev_cursor == str(pks[2])
    third = selectors.family_list_rows(user=township, size=2, after=second.next_cursor)
    assert _pks(third) == pks[4:] and third.next_cursor is None
    back = selectors.family_list_rows(user=township, size=2, before=third.prev_cursor)
    assert _pks(back) == pks[2:4]
    for forged in ("1 OR 1=1", "\uff19", "-1", "x" * 300):
        assert _same_page(township, size=2, after=forged) == pks[:2]


def test_rows_are_read_every_time(township):
    """Only the statement is kept: a family registered after the first read is listed by the
    second, which compiles nothing."""
    first = register(township)
    assert _pks(selectors.family_list_rows(user=township)) == [first.pk]
    misses = selectors.LIST_STATEMENTS.misses
    second = register(township)
    assert _pks(selectors.family_list_rows(user=township)) == [first.pk, second.pk]
    assert selectors.LIST_STATEMENTS.misses == misses


def test_a_statement_is_never_another_users(township, township2, sysadmin):
    """Users with the same filters have statements of their own; a user who loses a role or is
    moved to another association gets a new one."""
    mine = register(township)
    theirs = register(township2, code=SHANGQUAN)
    assert _pks(selectors.family_list_rows(user=township)) == [mine.pk]
    assert _pks(selectors.family_list_rows(user=township2)) == [theirs.pk]
    twin = make_user("township-twin", LIUJIAXIA, Role.TOWNSHIP_STAFF)
    assert _pks(selectors.family_list_rows(user=twin)) == [mine.pk]

    from fpa.accounts.services import user_update

    township2.home_association = Association.objects.get(code=LIUJIAXIA)
    assert _pks(selectors.family_list_rows(user=township2)) == [mine.pk]
    user_update(actor=sysadmin, user=twin, full_name="", phone=None, is_active=False)
    twin.refresh_from_db()
    assert _pks(selectors.family_list_rows(user=twin)) == []


def test_the_capability_is_part_of_the_key(township, volunteer, sysadmin):
    """A village account that looks after one family and then is given family.view: the
    statement changes with the capability, not only with the account."""
    from fpa.accounts.models import UserRole

    other = register(township, code=HONGLIU)  # another village of the township
    looked_after = register(township, code=HONGLIU)
    assign(township, looked_after, user=volunteer)
    volunteer = type(volunteer).objects.get(pk=volunteer.pk)
    assert not volunteer.has_capability("family.view")
    assert _pks(selectors.family_list_rows(user=volunteer)) == [looked_after.pk]
    UserRole.objects.create(user=volunteer, role=Role.VILLAGE_STAFF)
    volunteer = type(volunteer).objects.get(pk=volunteer.pk)
    assert volunteer.has_capability("family.view")
    visible = _pks(selectors.family_list_rows(user=volunteer))
    assert visible == _pks(selectors.family_list(user=volunteer))
    assert looked_after.pk in visible
    assert other.pk not in visible  # HONGLIU is outside the volunteer's village
    mine = register(township)  # in the volunteer's village, DAZHUANG
    assert mine.pk in _pks(selectors.family_list_rows(user=volunteer))


def test_statement_applies_the_orms_converters(township):
    family = register(township)
    statement = Statement.compile(
        Family.objects.filter(pk=family.pk).values_list("registered_on", "created_at")
    )
    ((registered, created),) = statement.rows()
    assert isinstance(registered, datetime.date) and registered == family.registered_on
    assert created == Family.objects.get(pk=family.pk).created_at


def test_a_statement_that_matches_nothing_reads_nothing(township):
    register(township)
    statement = Statement.compile(Family.objects.filter(pk__in=[]).values_list("pk"))
    assert statement.sql == "" and statement.rows() == []


def test_the_memo_keeps_at_most_its_size():
    memo = StatementMemo(size=2)
    for n in range(3):
        memo.statement(n, lambda n=n: Family.objects.filter(pk=n).values_list("pk"))
    assert memo.misses == 3
    memo.statement(2, lambda: pytest.fail("kept"))
    memo.statement(0, lambda: Family.objects.filter(pk=0).values_list("pk"))
    assert memo.misses == 4 and memo.hits == 1


# --- the page --------------------------------------------------------------------------------------


def test_the_filters_fragment_follows_the_tree(
    kept_area_options, client, county, django_capture_on_commit_callbacks
):
    login(client, county)
    page = client.get("/families/").content.decode()
    assert "大庄村委会计生协" in page
    with django_capture_on_commit_callbacks(execute=True):
        org_services.association_rename(
            actor=county,
            association=Association.objects.get(code=DAZHUANG),
            name="大庄社区计生协",
            effective_date=datetime.date(2024, 1, 1),
        )
    page = client.get("/families/").content.decode()
    assert "大庄社区计生协" in page and "大庄村委会计生协" not in page
    # the chosen area and status are part of the fragment's key
    chosen = client.get(f"/families/?code={DAZHUANG}&status=moved_out").content.decode()
    assert f'<option value="{DAZHUANG}" selected' in chosen
    assert 'value="moved_out" selected' in chosen
    assert f'<option value="{DAZHUANG}" selected' not in client.get("/families/").content.decode()


def test_the_filters_fragment_is_per_scope(
    kept_area_options, client, client_for, township, township2
):
    login(client, township)
    assert DAZHUANG in client.get("/families/").content.decode()
    other = client_for(township2).get("/families/").content.decode()
    assert DAZHUANG not in other  # another township's villages are not offered


def test_the_search_box_is_never_kept(kept_area_options, client, township):
    """The name searched for is personal data: it is in the page, never in the fragment."""
    import pickle

    from django.core.cache import caches

    fragments = caches["fragments"]
    fragments.clear()
    login(client, township)
    page = client.get("/families/?q=马秀英").content.decode()
    assert 'value="马秀英"' in page
    stored = [pickle.loads(value) for value in fragments._cache.values()]
    assert any('name="status"' in value for value in stored)  # the filters were kept
    assert not any("马秀英" in value for value in stored)


def test_the_list_page_is_refused_outside_its_roles(client, volunteer, township):
    """A contact person sees only their families; anonymous visitors are sent to sign in."""
    register(township)
    response = client.get("/families/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    login(client, volunteer)
    assert client.get("/families/").status_code == 403
