"""Text that is safe to store and to show: the one normaliser for names and free text.

- `clean_name`: a person's or an organisation's name. NFKC (full-width letters and digits to
  half-width, compatibility forms folded), trimmed, every run of whitespace made one space.
- `clean_text`: free text (addresses, notes, comments, reasons). Trimmed, every run of spaces
  made one space; with `multiline=True` line breaks are kept (CR LF and CR become LF, at most one
  empty line in a row, each line trimmed).

Both refuse, with a Chinese message naming the problem and the code point: control characters
(category Cc; in multi-line text newline and tab are allowed), bidirectional overrides, isolates
and marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), zero-width characters (U+200B to
U+200D, U+2060, U+FEFF), any other invisible format character (category Cf) and lone surrogates.
Such characters make what a reader sees differ from what is stored (a reversed ID number, a name
that looks equal to another but is not) and never belong in a name or a comment.

The model fields at the end (`NameField`, `LineField`, `MultilineField`) apply the normaliser in
`to_python`, so `full_clean` (every service's `validate`), `fpa.core.bulk.clean_values` (the
imports' bulk services) and model forms all go through it; the import's `text` column parser calls
the same functions. Pure functions, no ORM.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from fpa.core.typing_aids import CharFieldBase as _CharField
from fpa.core.typing_aids import TextFieldBase as _TextField

BIDI = frozenset(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
)  # embeddings, overrides, isolates and the invisible direction marks
ZERO_WIDTH = frozenset([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF])
_BLANK_LINES = re.compile(r"\n{3,}")


class TextError(ValueError):
    """Text holding a character that must not be stored; the message is shown to users."""


def problem(value: str, *, multiline: bool = False) -> str | None:
    """The Chinese message for the first forbidden character of `value`, or None."""
    for ch in value:
        if ch.isprintable() or (ch in "\n\t" and multiline):
            continue
        category = unicodedata.category(ch)
        if category not in ("Cc", "Cf", "Cs"):
            continue  # spaces other than U+0020, line separators, private use, unassigned
        code = f"U+{ord(ch):04X}"
        if category == "Cc":
            if ch in "\n\r\t":
                return gettext("不能包含换行符或制表符，请写在一行内。")
            return gettext("不能包含控制字符（%(code)s），请删除后重新填写。") % {"code": code}
        if ord(ch) in BIDI:
            return gettext(
                "不能包含改变文字方向的控制字符（%(code)s）：它会让显示的内容与实际内容不一致。"
            ) % {"code": code}
        if ord(ch) in ZERO_WIDTH:
            return gettext("不能包含零宽字符等看不见的字符（%(code)s），请删除后重新填写。") % {
                "code": code
            }
        if category == "Cs":
            return gettext("包含无效的字符（%(code)s），请重新输入。") % {"code": code}
        return gettext("不能包含看不见的格式字符（%(code)s），请删除后重新填写。") % {"code": code}
    return None


def forbidden(ch: str, *, multiline: bool = False) -> bool:
    """Whether `clean_name`/`clean_text` refuse the character `ch`."""
    return problem(ch, multiline=multiline) is not None


def clean_name(raw: str) -> str:
    """A name as stored: NFKC, trimmed, whitespace runs collapsed; TextError if it cannot be."""
    if raw.isascii() and raw.isprintable():
        # Nothing to fold or refuse: ASCII printable has no control, format or odd space.
        return " ".join(raw.split()) if _needs_collapse(raw) else raw
    if not raw.isprintable() and (message := problem(raw)):
        raise TextError(message)
    value = unicodedata.normalize("NFKC", raw)
    if not value.isprintable() and (message := problem(value)):
        raise TextError(message)  # never reached for Unicode 15; kept so the promise is local
    return " ".join(value.split())


def clean_text(raw: str, *, multiline: bool = False) -> str:
    """Free text as stored: trimmed, runs of spaces collapsed, line breaks kept if `multiline`."""
    if raw.isprintable():
        # No control or format character, no line break: one line, collapse only if needed.
        return " ".join(raw.split()) if _needs_collapse(raw) else raw
    if multiline:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if message := problem(raw, multiline=multiline):
        raise TextError(message)
    if not multiline:
        return " ".join(raw.split())
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def _needs_collapse(value: str) -> bool:
    return "  " in value or value[:1] == " " or value[-1:] == " "


# --- model fields: the one place each channel goes through ------------------------------------


def _run(clean: Any, value: Any, **kwargs: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    try:
        return clean(value, **kwargs)
    except TextError as exc:
        raise ValidationError(str(exc), code="unsafe_text") from exc


class _Deconstructs:
    """Migrations record the Django base field: the normalisation is Python-side only, and the
    column is the same, so switching a field to these classes needs no migration."""

    base_path = ""

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        return name, self.base_path, args, kwargs


class NameField(_Deconstructs, _CharField):
    """The name of a person or an organisation (see `clean_name`)."""

    base_path = "django.db.models.CharField"

    def to_python(self, value: Any) -> Any:
        return _run(clean_name, super().to_python(value))


class LineField(_Deconstructs, _CharField):
    """One line of free text: an address, a reason, a short note (see `clean_text`)."""

    base_path = "django.db.models.CharField"

    def to_python(self, value: Any) -> Any:
        return _run(clean_text, super().to_python(value))


class MultilineField(_Deconstructs, _TextField):
    """Free text that may run over several lines: notes, comments, replies (see `clean_text`)."""

    base_path = "django.db.models.TextField"

    def to_python(self, value: Any) -> Any:
        return _run(clean_text, super().to_python(value), multiline=True)
