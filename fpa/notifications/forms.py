"""Forms of the inbox pages: the list's filters, and the choices per kind (one row per kind,
its fields named "<channel>:<kind>")."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fpa.notifications.selectors import PreferenceRow
from fpa.notifications.sending import Choice

STATES = [("", _("全部")), ("unread", _("未读")), ("read", _("已读"))]
SORTS = [("", _("最新在前")), ("oldest", _("最早在前"))]
CHANNELS = ("sms", "email", "digest")


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("状态"), required=False, choices=STATES)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部"))])
    sort = forms.ChoiceField(label=_("排序"), required=False, choices=SORTS)

    def __init__(self, *args: Any, kinds: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("全部")), *kinds]  # type: ignore[attr-defined]


class PreferencesForm(forms.Form):
    """A checkbox per kind and channel, initialised with the current choice."""

    def __init__(self, *args: Any, rows: Sequence[PreferenceRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for channel in CHANNELS:
                self.fields[f"{channel}:{row.key}"] = forms.BooleanField(
                    required=False, initial=getattr(row.choice, channel), label=row.label
                )

    def choices(self) -> dict[str, Choice]:
        data = self.cleaned_data
        return {
            row.key: Choice(
                sms=bool(data.get(f"sms:{row.key}")),
                email=bool(data.get(f"email:{row.key}")),
                digest=bool(data.get(f"digest:{row.key}")),
            )
            for row in self.rows
        }

    def table(self) -> list[dict[str, Any]]:
        """The rows as the template shows them: the kind and its three bound fields."""
        return [
            {"row": row, **{channel: self[f"{channel}:{row.key}"] for channel in CHANNELS}}
            for row in self.rows
        ]
