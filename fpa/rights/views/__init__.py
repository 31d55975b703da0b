"""Rights-case pages: the cases and their steps (`cases`), the figures, a family's cases and the
kinds (`pages`); `common` holds what they share. `fpa.rights.urls` routes to these names."""

from fpa.rights.views.cases import (
    case_list,
    close,
    detail,
    edit,
    follow_up,
    rate,
    receipt,
    receive,
    refer,
    reopen,
    reveal,
)
from fpa.rights.views.pages import family_cases, figures, kinds

__all__ = [
    "case_list",
    "close",
    "detail",
    "edit",
    "family_cases",
    "figures",
    "follow_up",
    "kinds",
    "rate",
    "receipt",
    "receive",
    "refer",
    "reopen",
    "reveal",
]
