"""The area filters' options kept per worker (fpa.organizations.selectors.area_options): read
once per scope and kinds, fresh after a change to the tree in this worker, never shared across
scopes, read again after FPA_AREA_OPTIONS_SECONDS."""

from __future__ import annotations

import datetime
from typing import Any

from fpa.families.views.common import AREA_KINDS
from fpa.organizations import services
from fpa.organizations.models import Association
from fpa.organizations.selectors import area_options
from tests.conftest import DAZHUANG, SHANGQUAN


def _labels(user: Any) -> dict[str, str]:
    return {o.code: o.label for o in area_options(user=user, kinds=AREA_KINDS)}


def test_read_once_per_scope_then_kept(
    kept_area_options: Any, township: Any, county: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        first = _labels(township)
    with django_assert_num_queries(0):
        again = _labels(township)
    assert again == first and DAZHUANG in first
    # another scope is never served this one's options
    assert SHANGQUAN not in first
    with django_assert_num_queries(1):
        wider = _labels(county)
    assert SHANGQUAN in wider and DAZHUANG in wider


def test_a_change_to_the_tree_shows_at_once(
    kept_area_options: Any, county: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The tree's services write with queryset updates (no model signal): each clears the copy
    when its transaction commits."""
    assert _labels(county)[DAZHUANG].endswith("大庄村委会计生协")
    with django_capture_on_commit_callbacks(execute=True):
        services.association_rename(
            actor=county,
            association=Association.objects.get(code=DAZHUANG),
            name="大庄社区计生协",
            effective_date=datetime.date(2024, 1, 1),
        )
    assert _labels(county)[DAZHUANG].endswith("大庄社区计生协")
    with django_capture_on_commit_callbacks(execute=True):
        services.association_close(
            actor=county,
            association=Association.objects.get(code=DAZHUANG),
            effective_date=datetime.date(2024, 6, 1),
        )
    assert DAZHUANG not in _labels(county)


def test_read_again_after_the_time(
    kept_area_options: Any, township: Any, monkeypatch: Any, django_assert_num_queries: Any
) -> None:
    import fpa.organizations.selectors as selectors

    clock = [1000.0]
    monkeypatch.setattr(selectors.time, "monotonic", lambda: clock[0])
    _labels(township)
    clock[0] += 59
    with django_assert_num_queries(0):
        _labels(township)
    clock[0] += 2
    with django_assert_num_queries(1):
        _labels(township)


def test_off_in_the_test_settings_reads_each_time(
    township: Any, django_assert_num_queries: Any
) -> None:
    for _ in range(2):
        with django_assert_num_queries(1):
            _labels(township)


def test_nothing_for_someone_without_a_scope(kept_area_options: Any, township: Any) -> None:
    township.is_active = False
    assert area_options(user=township, kinds=AREA_KINDS) == []
