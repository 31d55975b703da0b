"""What the network's pages share."""

from __future__ import annotations

from fpa.organizations.models import Association

ASSOCIATION = {"model": Association, "kwarg": "code", "field": "code"}
