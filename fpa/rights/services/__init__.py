"""Writes of rights cases (权益维护): receipt, referral, follow-ups, closure, satisfaction,
reopening, and the list of kinds. Atomic and audited. Callers import from
`fpa.rights.services`."""

from fpa.rights.services.cases import (
    EDITABLE,
    case_close,
    case_follow_up,
    case_rate,
    case_receive,
    case_refer,
    case_reopen,
    case_update,
)
from fpa.rights.services.common import (
    EDIT,
    RECEIVERS,
    VIEW,
    default_days,
    may_manage_kinds,
)
from fpa.rights.services.kinds import kind_add, kind_update

__all__ = [
    "EDIT",
    "EDITABLE",
    "RECEIVERS",
    "VIEW",
    "case_close",
    "case_follow_up",
    "case_rate",
    "case_receive",
    "case_refer",
    "case_reopen",
    "case_update",
    "default_days",
    "kind_add",
    "kind_update",
    "may_manage_kinds",
]
