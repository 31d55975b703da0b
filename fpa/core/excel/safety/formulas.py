"""Formula injection in what we write: a cell that would run as a formula is neutralised."""

from __future__ import annotations

import unicodedata

# --- formula injection in what we write -----------------------------------------------------

# The ASCII triggers, and their full-width forms, which some spreadsheet programs normalise.
FORMULA_TRIGGERS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
CONTROL_TRIGGERS = frozenset("\t\r\n")


def _invisible(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in {"Cf", "Cc", "Zs", "Zl", "Zp"}


def is_dangerous(text: str) -> bool:
    """Would a spreadsheet program treat this cell text as a formula (or a DDE payload)?"""
    if not text:
        return False
    if text[0] in CONTROL_TRIGGERS:
        return True
    visible = next((ch for ch in text if not _invisible(ch)), "")
    return visible in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """Prefix a single quote to any text that could be taken for a formula (OWASP CSV injection)."""
    return "'" + text if is_dangerous(text) else text


def unneutralise(text: str) -> str:
    """Undo `neutralise` on text read back, so that an exported file re-imports unchanged."""
    if text.startswith("'") and is_dangerous(text[1:]):
        return text[1:]
    return text
