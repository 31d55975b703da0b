"""The task list's reads: the subtree's ids narrow the query (so PostgreSQL reads a township's
tasks by the association index) without widening what the scope lets a user see."""

from __future__ import annotations

from typing import Any

import pytest

from fpa.organizations.models import Association
from fpa.tasks import selectors
from tests.conftest import DAZHUANG, LIUJIAXIA, YANGUOXIA
from tests.tasks_helpers import delegated

pytestmark = pytest.mark.django_db


def listed(user: Any, **filters: Any) -> list[int]:
    page = selectors.task_list(user=user, filters=selectors.Filters(**filters))
    return [task.pk for task in page.items]


def test_the_subtree_ids_are_read_up_to_the_limit(county: Any, monkeypatch: Any) -> None:
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    ids = selectors._subtree_ids(liujiaxia.path)
    assert ids is not None
    assert set(ids) == set(
        Association.objects.filter(path__startswith=liujiaxia.path).values_list("pk", flat=True)
    )
    assert Association.objects.get(code=DAZHUANG).pk in ids
    assert Association.objects.get(code=YANGUOXIA).pk not in ids
    # a subtree larger than the limit is left to the scope's path condition alone
    monkeypatch.setattr(selectors, "SUBTREE_IDS", len(ids) - 1)
    assert selectors._subtree_ids(liujiaxia.path) is None


@pytest.mark.parametrize("limit", [selectors.SUBTREE_IDS, 1])
def test_the_list_is_the_same_narrowed_or_not(
    county: Any, township: Any, township2: Any, monkeypatch: Any, limit: int
) -> None:
    # given a county task handed down to 刘家峡镇 and 盐锅峡镇
    parent, ljx, ygx = delegated(county)
    monkeypatch.setattr(selectors, "SUBTREE_IDS", limit)
    # then each side lists what its scope holds, with the ids or without them (limit 1)
    assert sorted(listed(county)) == sorted([parent.pk, ljx.pk, ygx.pk])
    assert listed(township) == [ljx.pk]
    assert listed(township2) == [ygx.pk]
    # and a filter on another township's association narrows to its ids, not past the scope
    yanguoxia = Association.objects.get(code=YANGUOXIA)
    assert listed(township, association=yanguoxia) == []
    assert listed(county, association=yanguoxia) == [ygx.pk]
