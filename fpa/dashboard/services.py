"""The dashboard's one write: the audit row of an evaluation exported as a workbook."""

from __future__ import annotations

from django.utils.translation import gettext

from fpa.accounts.models import User
from fpa.core.audit import audit_record
from fpa.organizations.models import Association


def evaluation_exported(*, actor: User, area: Association, year: int, rows: int) -> None:
    audit_record(
        actor=actor,
        action="export",
        obj=area,
        scope_path=area.path,
        reason=gettext("导出%(year)s年改革评估%(rows)d行") % {"year": year, "rows": rows},
    )
