"""Reads of the audit trail: auditors and county admins see the trail of their own subtree; the
audit administrator (三员分立) sees the whole trail, including account events."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from fpa.core.actors import Viewer, signed_in
from fpa.core.models import AuditEvent
from fpa.core.pagination import Page, keyset_page
from fpa.core.scope import scope_path_of


def audit_visible(user: Viewer) -> QuerySet[AuditEvent]:
    if not signed_in(user) or not user.has_capability("audit.view"):
        return AuditEvent.objects.none()
    if user.has_capability("audit.view_all"):  # the audit administrator
        return AuditEvent.objects.all()
    path = scope_path_of(user)
    if path is None:
        return AuditEvent.objects.none()
    return AuditEvent.objects.filter(scope_path__under=path)


def audit_search(
    *,
    user: Viewer,
    query: str = "",
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    after: str | None = None,
    before: str | None = None,
    size: int = 50,
    descending: bool = True,
) -> Page:
    queryset = audit_visible(user)
    if action:
        queryset = queryset.filter(action=action)
    if query:
        queryset = queryset.filter(
            Q(actor_username=query) | Q(object_id=query) | Q(object_repr__contains=query)
        )
    tz = timezone.get_current_timezone()
    if date_from:
        queryset = queryset.filter(
            at__gte=datetime.datetime.combine(date_from, datetime.time(), tz)
        )
    if date_to:
        end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time(), tz)
        queryset = queryset.filter(at__lt=end)
    return keyset_page(
        queryset, key="id", after=after, before=before, size=size, descending=descending
    )
