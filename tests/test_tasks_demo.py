"""The task book's demo data: 永靖县's 21 measures, tasks in every status, the ladder (a 督办单
answered and one open, a 约谈), an approved extension and one waiting, and work on both sides'
to-do lists."""

from __future__ import annotations

from typing import Any

import pytest

from fpa.accounts.roles import Role
from fpa.core.demo import DemoCast
from fpa.tasks import rules, selectors
from fpa.tasks.demo import seed_tasks
from fpa.tasks.models import Extension, Measure, Supervision, Task
from tests.conftest import LIUJIAXIA, YANGUOXIA, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_status_and_the_ladder(
    county: Any,
    township: Any,
    township2: Any,
    village: Any,
    finance: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    vice_chair = make_user("vice-chair", "622923", Role.COUNTY_ADMIN)
    cast = DemoCast(
        county=county,
        finance=finance,
        township=township,
        townships={LIUJIAXIA: township, YANGUOXIA: township2},
        village=village,
        volunteer=None,
        vice_chair=vice_chair,
    )
    summary = seed_tasks(cast)
    assert summary["measures"] == 21 == Measure.objects.count()
    assert 10 <= Task.objects.filter(parent__isnull=True).count() <= 12
    statuses = {t.status_code for t in Task.objects.all()}
    assert statuses == {
        rules.NOT_STARTED,
        rules.ON_TRACK,
        rules.DUE_SOON,
        rules.OVERDUE,
        rules.DONE,
    }
    notices = Supervision.objects.filter(kind=Supervision.Kind.NOTICE)
    assert sorted(n.answered for n in notices) == [False, True]
    assert Supervision.objects.filter(kind=Supervision.Kind.INTERVIEW).count() == 1
    assert set(Extension.objects.values_list("status", flat=True)) == {"approved", "pending"}
    assert selectors.awaiting_acceptance(user=vice_chair).exists()
    assert selectors.extensions_waiting(user=county).exists()
    assert selectors.notices_unanswered(user=township2).exists()
    assert selectors.overdue_mine(user=township2).exists()


def test_every_demo_page_renders_for_each_side(
    client_for: Any,
    county: Any,
    township: Any,
    township2: Any,
    village: Any,
    finance: Any,
    auditor: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    from django.urls import reverse

    settings.MEDIA_ROOT = str(tmp_path)
    cast = DemoCast(
        county=county,
        finance=finance,
        township=township,
        townships={LIUJIAXIA: township, YANGUOXIA: township2},
        village=village,
        volunteer=None,
        vice_chair=make_user("vice-chair", "622923", Role.COUNTY_ADMIN),
    )
    seed_tasks(cast)
    for user in (county, township, township2, village, auditor):
        client = client_for(user)
        for name in ("tasks:list", "tasks:roadmap", "tasks:book", "tasks:measures"):
            assert client.get(reverse(name)).status_code == 200, (user.username, name)
        for task in Task.objects.visible_to(user):
            response = client.get(reverse("tasks:detail", args=[task.pk]))
            assert response.status_code == 200, (user.username, task.title)
