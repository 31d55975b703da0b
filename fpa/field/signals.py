"""Signing out of a session ends the phones it registered (their data key is gone with it)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from fpa.field import services


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None or request is None:
        return
    services.devices_end_for_session(user=user, session_key=request.session.session_key)
