"""The organisation network's to-do kinds (fpa.core.todo): filings to review, filings returned."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.actors import Actor
from fpa.core.todo import Notice, TodoKind
from fpa.organizations import selectors


def _returned(user: Actor) -> list[Notice]:
    return [
        Notice(
            title=gettext("%(association)s 的备案（%(person)s）被退回")
            % {"association": filing.association.name, "person": filing.person.name},
            reason=filing.return_reason,
            url=reverse("organizations:detail", args=[filing.association.code]),
        )
        for filing in selectors.filings_returned_to(user=as_user(user))
    ]


KINDS = (
    TodoKind(
        key="organizations.filings_to_review",
        label=gettext_noop("待审核的备案"),
        capability="filing.review",
        count=lambda user: selectors.filings_to_review(user=as_user(user)).count(),
        url="organizations:filing_list",
        query="?to_review=1",
        order=40,
    ),
    TodoKind(
        key="organizations.filings_returned",
        label=gettext_noop("被退回的备案"),
        capability="filing.submit",
        count=lambda user: 0,  # shown as notices, each with its reason
        url="organizations:filing_list",
        query="?status=returned",
        order=41,
        notices=_returned,
    ),
)
