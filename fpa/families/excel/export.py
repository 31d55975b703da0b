"""The families export (masked or full) and the import template."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.http import FileResponse

from fpa.core import excel
from fpa.core.scope import scope_path_of
from fpa.families.excel.columns import FAMILY_SHEET, MASKED_SHEET
from fpa.families.models import Family, Person

if TYPE_CHECKING:
    from fpa.accounts.models import User

# --- export ---------------------------------------------------------------------------------------


def families_for_export(*, user: User, include_all: bool = False) -> QuerySet:
    """The families of the user's subtree (in register only, unless `include_all`), with their
    people, in tree order. The query count does not depend on the number of families."""
    path = scope_path_of(user)
    queryset = Family.objects.visible_to(user)
    queryset = queryset.filter(association__path__under=path) if path else queryset.none()
    if not include_all:
        queryset = queryset.filter(status=Family.Status.ACTIVE)
    return (
        queryset.select_related("association")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.order_by("id"), to_attr="sheet_people")
        )
        .order_by("association__path", "id")
    )


def families_export(
    *, user: User, include_all: bool = False, reveal: bool = False, reason: str = ""
) -> FileResponse:
    """Masked (the kind hidden) unless `reveal`, which needs personal.reveal and a reason."""
    return excel.export_response(
        FAMILY_SHEET if reveal else MASKED_SHEET,
        families_for_export(user=user, include_all=include_all),
        actor=user,
        reveal=reveal,
        reason=reason,
    )


def families_template() -> FileResponse:
    return excel.template_response(FAMILY_SHEET)
