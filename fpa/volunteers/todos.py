"""The volunteers module's to-do kinds (fpa.core.todo): applications to vet, hours to certify,
agreements and certificates to renew."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.core.todo import TodoKind
from fpa.volunteers import selectors

KINDS = (
    TodoKind(
        key="volunteers.applications",
        label=gettext_noop("待考察的志愿者报名"),
        capability="volunteer.edit",
        count=lambda user: selectors.applications(user=as_user(user)).count(),
        url="volunteers:list",
        query="?status=applied",
        order=60,
    ),
    TodoKind(
        key="volunteers.hours",
        label=gettext_noop("待确认的服务时长"),
        capability="volunteer.edit",
        count=lambda user: selectors.pending_hours(user=as_user(user)).count(),
        url="volunteers:pending",
        order=61,
    ),
    TodoKind(
        key="volunteers.renewals",
        label=gettext_noop("待续签的服务协议"),
        capability="volunteer.edit",
        count=lambda user: selectors.renewals_due(user=as_user(user)).count(),
        url="volunteers:renewals",
        order=62,
    ),
)
