"""Display limits for personal data (GB/T 35273): what a screen shows when it may not show all."""

from __future__ import annotations

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


MASKERS = {"id_number": mask_id_number, "phone": mask_phone}
