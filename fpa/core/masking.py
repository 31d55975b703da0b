"""Display limits for personal data (GB/T 35273): what a screen shows when it may not show all."""

from __future__ import annotations

import re
import unicodedata

from fpa.core.phones import area_code_length


def mask_id_number(value: str) -> str:
    """622923199001010026 -> 622923********0026: the birth date is hidden."""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; landlines keep the area code and the last four digits."""
    digits = value.replace("-", "")
    if len(digits) == 11 and digits.startswith("1"):
        return digits[:3] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    head = value.split("-")[0] if "-" in value else digits[: area_code_length(digits)]
    return head + "-" + "*" * (len(digits) - len(head) - 4) + digits[-4:]


def mask_name(value: str) -> str:
    """张三丰 -> 张**: for public pages where even a name must not identify a person."""
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


def mask_sensitive(value: str) -> str:
    """Health details of a sensitive record: nothing of them shows until revealed."""
    return "●●●●" if value else ""


MASKERS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "name": mask_name,
    "sensitive": mask_sensitive,
}


# A run of digits as people type them in free text: full-width digits (\d is Unicode), spaces,
# ideographic spaces and hyphens between them, and an ID number's final X.
_SEP = r"[\s\-\uff0d\u2014]*"
_NUMBER_RUN = re.compile(rf"\d(?:{_SEP}\d)+(?:{_SEP}[Xx\uff38\uff58])?")
_SPACES = re.compile(r"(\s+)")


def mask_numbers_in_text(text: str) -> str:
    """Free text with every ID number and phone number in it masked (as `mask_id_number` and
    `mask_phone` show them), however it was typed: full-width, spaced out or hyphenated.

    A run of digits is an ID number when it has 18 characters (17 digits and a digit or X) or 15
    digits, a mobile number when it has 11 digits starting 13 to 19, a landline when it has 10 to
    12 digits starting 0. Other numbers (amounts, years, grant numbers) are left as typed. A run
    that is none of these as a whole (a date typed just before a phone number) is tried group by
    group, its space-separated groups joined in the longest windows first."""
    if not any(ch.isdigit() for ch in text):
        return text
    return _NUMBER_RUN.sub(_mask_run, text)


def _mask_run(match: re.Match[str]) -> str:
    run = match.group()
    masked = _classify(run)
    if masked is not None:
        return masked
    parts = _SPACES.split(run)  # groups at even positions, the spaces between at odd ones
    out: list[str] = []
    i = 0
    while i < len(parts):
        for j in range(len(parts), i, -2):
            masked = _classify("".join(parts[i:j]))
            if masked is not None:
                out.append(masked)
                i = j
                break
        else:
            out.extend(parts[i : i + 2])  # the group and the spaces after it
            i += 2
    return "".join(out)


def _classify(run: str) -> str | None:
    chars = "".join(
        str(unicodedata.digit(ch)) if ch.isdigit() else "X" for ch in run if ch.isalnum()
    )
    if not chars or not chars[0].isdigit():
        return None
    if (
        chars[0] in "12345678"
        and (  # province codes are 11 to 82
            (len(chars) == 18 and chars[:17].isdigit()) or (len(chars) == 15 and chars.isdigit())
        )
    ):
        return mask_id_number(chars)
    if chars.isdigit() and len(chars) == 11 and chars[0] == "1" and chars[1] in "3456789":
        return mask_phone(chars)
    if chars.isdigit() and 10 <= len(chars) <= 12 and chars[0] == "0":
        return mask_phone(chars)
    return None
