"""The protected personal field: one type for ID card and phone numbers.

Stored encrypted (see fpa.core.crypto), searched through a keyed hash in a sibling column, shown
masked. The Python value is a `Protected` object whose str() is the masked form, so a template
that prints the field can never leak it; the full value comes out only through
`fpa.core.services.protected_reveal`, which checks the permission and writes a read-audit row.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from fpa.core import clock, crypto, idnumbers, phones, text
from fpa.core.masking import MASKERS
from fpa.core.typing_aids import CharFieldBase as _CharField
from fpa.core.typing_aids import TextFieldBase as _TextField

# "name" and "sensitive" hold a person's name and health details of a sensitive record (PIPL
# art. 28): encrypted like the numbers, shown masked, revealed only through the audited reveal.
KINDS = ("id_number", "phone", "name", "sensitive")


def canonical(kind: str, raw: str) -> str:
    """Validate and normalise; raises ValidationError with the user-facing Chinese message."""
    return _canonical(kind, raw, clock.local_today())


@functools.lru_cache(maxsize=1024)
def _canonical(kind: str, raw: str, today: datetime.date) -> str:
    # Cached: saving one record checks the same number several times (clean, blind index, save).
    # The day is part of the key because "born after today" depends on it.
    try:
        if kind == "id_number":
            return idnumbers.parse(raw, today=today).value
        if kind == "name":
            return text.clean_name(raw)
        if kind == "sensitive":
            return text.clean_text(raw, multiline=True)
        return phones.parse(raw)
    except (idnumbers.IdNumberError, phones.PhoneError, text.TextError) as exc:
        raise ValidationError(str(exc), code="invalid") from exc


class Protected:
    """A personal value that prints masked. `reveal_unchecked()` is for the reveal service only."""

    __slots__ = ("_value", "kind")

    def __init__(self, value: str, kind: str) -> None:
        self._value = value
        self.kind = kind

    @property
    def masked(self) -> str:
        return MASKERS[self.kind](self._value)

    def reveal_unchecked(self) -> str:
        return self._value

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<Protected {self.kind} {self.masked}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Protected):
            return (self.kind, self._value) == (other.kind, other._value)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.kind, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


def blind_index(kind: str, raw: str) -> str:
    """The search hash of a value as typed by a user (normalised the same way as when stored)."""
    return crypto.keyring().blind_index(canonical(kind, raw), purpose=kind)


class ProtectedField(_TextField):
    """Encrypted personal value; pair it with a `BlindIndexField(source=...)` for exact search."""

    def __init__(self, *args: Any, kind: str = "id_number", **kwargs: Any) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown protected kind {kind!r}")
        self.kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    @property
    def crypto_context(self) -> str:
        # Binds a ciphertext to its column: a value copied into another column will not open.
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return None
        return Protected(crypto.keyring().decrypt(value, context=self.crypto_context), self.kind)

    def to_python(self, value: Any) -> Any:
        if value is None or value == "" or isinstance(value, Protected):
            return value or None
        return Protected(canonical(self.kind, str(value)), self.kind)

    def get_prep_value(self, value: Any) -> Any:
        value = self.to_python(value)
        if value is None:
            return None
        return crypto.keyring().encrypt(value.reveal_unchecked(), context=self.crypto_context)

    def value_to_string(self, obj: models.Model) -> str:
        value: Any = self.value_from_object(obj)
        return value.masked if value else ""

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        defaults: dict[str, Any] = {"form_class": forms.CharField, "max_length": 32}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)

    def get_lookup(self, lookup_name: str) -> Any:
        # Ciphertexts are randomised: any lookup but isnull is meaningless. Search the hash column.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class BlindIndexField(_CharField):
    """Keyed hash of a ProtectedField's value, filled on save, for exact search and duplicates."""

    def __init__(self, *args: Any, source: str = "", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        field: Any = model_instance._meta.get_field(self.source)
        value = field.to_python(getattr(model_instance, self.source))
        digest = (
            crypto.keyring().blind_index(value.reveal_unchecked(), purpose=field.kind)
            if value
            else ""
        )
        setattr(model_instance, self.attname, digest)
        return digest
