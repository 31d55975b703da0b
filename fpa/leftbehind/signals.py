"""The stored schedules follow the county's settings: a contact role's rules or a care kind's
mode changed (they are the families module's tables, edited in the admin) refreshes the
left-behind people they apply to, in the same transaction (`services.schedule`)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from fpa.families.models import CareKind, ContactRole


@receiver(post_save, sender=ContactRole, dispatch_uid="leftbehind.role_rules")
def role_saved(sender: Any, instance: ContactRole, created: bool, raw: bool, **kwargs: Any) -> None:
    if created or raw:
        return
    from fpa.leftbehind.services.schedule import refresh_for_role

    refresh_for_role(instance.pk)


@receiver(post_save, sender=CareKind, dispatch_uid="leftbehind.kind_mode")
def kind_saved(sender: Any, instance: CareKind, created: bool, raw: bool, **kwargs: Any) -> None:
    if created or raw:
        return
    from fpa.leftbehind.services.schedule import refresh_for_kind

    refresh_for_kind(instance.pk)
