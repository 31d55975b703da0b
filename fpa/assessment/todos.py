"""The assessment's to-do kinds (fpa.core.todo): the township's self-assessment due, the scores a
scorer owes, and the appeals waiting for the county's answer."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.assessment import selectors
from fpa.core.todo import TodoKind

KINDS = (
    TodoKind(
        key="assessment.self",
        label=gettext_noop("待填写的考核自评"),
        capability="assessment.self",
        count=lambda user: selectors.self_due(user=as_user(user)),
        url="assessment:list",
        order=80,
    ),
    TodoKind(
        key="assessment.score",
        label=gettext_noop("待评分的考核指标"),
        capability="assessment.score",
        count=lambda user: selectors.scoring_due(user=as_user(user)),
        url="assessment:list",
        order=81,
    ),
    TodoKind(
        key="assessment.appeals",
        label=gettext_noop("待答复的考核申诉"),
        capability="assessment.manage",
        count=lambda user: selectors.appeals_waiting(user=as_user(user)).count(),
        url="assessment:list",
        order=82,
    ),
)
