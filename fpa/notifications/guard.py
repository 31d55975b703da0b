"""Messages never carry sensitive personal data: what `check` refuses.

A message is read on a phone's lock screen, in a shared office mailbox, by whoever stands near.
Its words may name an association, a report, a grant's number or a family's masked reference;
never an ID number, a phone number, or a word that tells what kind of special family it is or
what happened to its child (domain guide, rules on personal data: PIPL art. 28). Person names
cannot be checked against the protected registries here, so publishers name families by their
masked reference only (`fpa.core.events`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from django.utils.translation import gettext

from fpa.core.errors import ServiceError
from fpa.core.masking import mask_numbers_in_text

logger = logging.getLogger(__name__)

# 18-digit (or legacy 15-digit) ID numbers and mainland mobile numbers, as typed; the masking
# module's classifier also catches them spaced out, hyphenated or in full-width digits.
ID_NUMBER = re.compile(r"(?<![0-9])(?:[1-8][0-9]{16}[0-9Xx]|[1-8][0-9]{14})(?![0-9Xx])")
MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# Words that reveal a special family's kind or a child's death or disability.
WORDS = (
    "失独",
    "伤残",
    "死亡",
    "去世",
    "病故",
    "残疾",
    "致残",
    "独生子女死亡",
    "子女死亡",
    "离世",
    "身故",
    "亡故",
    "逝世",
    "夭折",
    "自杀",
    "手术并发症",
    "特别扶助",
    "特扶",
    "精神疾病",
    "精神病",
)


class SensitiveContent(ServiceError):
    code = "sensitive"


def problems(texts: Iterable[str]) -> list[str]:
    """What is wrong with these words (empty when they may be sent): the kinds of data found,
    never the data itself (the result goes to the log)."""
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        if ID_NUMBER.search(text) and "id_number" not in found:
            found.append("id_number")
        if MOBILE.search(text) and "phone" not in found:
            found.append("phone")
        if mask_numbers_in_text(text) != text and "number" not in found:
            found.append("number")
        found += [f"word:{word}" for word in WORDS if word in text and f"word:{word}" not in found]
    return found


def check(*texts: str, kind: str = "") -> None:
    """Raise `SensitiveContent` (and log what was found, not the words) when any of `texts`
    carries an ID number, a phone number or a revealing word."""
    found = problems(texts)
    if found:
        logger.warning("notification refused (kind %s): carries %s", kind, ", ".join(found))
        raise SensitiveContent(
            gettext("消息含有身份证号、电话号码或敏感词语，不能发送。"), code="sensitive"
        )
