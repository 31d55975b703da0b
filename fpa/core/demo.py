"""The demo seeders' registry: each module that has demo data names its seeder on its AppConfig
(`demo_seeder = "fpa.families.demo.seed"`), a function that takes the `DemoCast`. `seed_demo`
(in `fpa.demo`) calls them in INSTALLED_APPS order, so the network is there before the families,
and a new module adds its demo data without touching the command or core."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class DemoCast:
    """The demo accounts a seeder works with: the county admin, finance, the staff of the two
    demo townships (by township code), 刘家峡镇's own staff account, 大庄村's staff, the
    volunteer, and the county's second person who may approve (副会长, `vice_chair`): with one
    county administrator, a grant that administrator reviewed in place of a township still has
    someone to approve it (separation of duties)."""

    county: Any
    finance: Any
    township: Any
    townships: dict[str, Any]
    village: Any
    volunteer: Any
    vice_chair: Any = None


Seeder = Callable[[DemoCast], dict[str, int]]


def demo_seeders() -> Iterator[tuple[str, Seeder]]:
    """(app label, seeder) of every installed app that declares one, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        path = getattr(config, "demo_seeder", None)
        if path:
            yield config.label, import_string(path)
