"""Fields and helpers the family forms share."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fpa.core import protected
from fpa.core.forms import DateInput
from fpa.core.typing_aids import Text
from fpa.organizations.models import Association
from fpa.organizations.pickers import AssociationPicker

if TYPE_CHECKING:
    from fpa.accounts.models import User

DATE = DateInput()
ACCOUNT_ERROR = _("所选账号不存在或不在您的管辖范围内。")
HIDDEN_HELP = _("当前内容已隐藏；留空则不修改。")
EARLIEST = datetime.date(1900, 1, 1)


def _not_future(value: datetime.date | None, label: Text) -> datetime.date | None:
    if value and value > timezone.localdate():
        raise ValidationError(gettext("%(label)s不能晚于今天。") % {"label": label})
    if value and value < EARLIEST:
        raise ValidationError(gettext("%(label)s不在合理范围内。") % {"label": label})
    return value


def _near(value: datetime.date | None, label: Text) -> datetime.date | None:
    """A working date: not before 2000, not more than ten years ahead."""
    if value and not (
        datetime.date(2000, 1, 1) <= value <= timezone.localdate() + datetime.timedelta(days=3660)
    ):
        raise ValidationError(gettext("%(label)s不在合理范围内。") % {"label": label})
    return value


# --- fields ---------------------------------------------------------------------------------------


class ProtectedInput(forms.CharField):
    """An ID card or phone number as typed (full-width digits, spaces, a lowercase x): cleaned to
    the canonical form, or refused with the Chinese message of `fpa.core.protected.canonical`."""

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return protected.canonical(self.kind, value) if value else ""


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        home = obj.home_association.name if obj.home_association else "—"
        name = obj.full_name or obj.username
        if not obj.is_active:
            return gettext("%(name)s（%(home)s，已停用）") % {"name": name, "home": home}
        return gettext("%(name)s（%(home)s）") % {"name": name, "home": home}


def association_field(
    queryset: QuerySet[Association], label: Text, **kwargs: Any
) -> AssociationPicker:
    """The shared association picker (fpa.organizations.pickers) over the user's choices."""
    return AssociationPicker(queryset, label=label, **kwargs)


def account_field(queryset: QuerySet[User], label: Text, **kwargs: Any) -> AccountChoiceField:
    field = AccountChoiceField(label=label, queryset=queryset, **kwargs)
    field.error_messages["invalid_choice"] = ACCOUNT_ERROR
    return field


def _choices(choices: Any, blank: Text = "—") -> list[tuple[str, Text]]:
    return [("", blank), *choices]


GRADES = [("", "—"), ("1", _("一级")), ("2", _("二级")), ("3", _("三级")), ("4", _("四级"))]


def _grade(value: str) -> int | None:
    return int(value) if value else None
