"""Dependencies point down: `fpa.core` imports no app (the apps import core), and the demo data is
found through the seeders' registry, not through a list in a command."""

from __future__ import annotations

import ast
from pathlib import Path

from fpa.core.demo import demo_seeders

ROOT = Path(__file__).resolve().parent.parent
APPS = {p.name for p in (ROOT / "fpa").iterdir() if (p / "apps.py").exists()} - {"core"}


def app_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "fpa" and parts[1] in APPS:
                found.add(".".join(parts[:3]) if len(parts) > 2 else name)
    return found


def test_core_imports_no_app() -> None:
    assert {"families", "transparency", "demo", "dashboard"} <= APPS  # the walk sees the apps
    seen = set()
    for path in sorted((ROOT / "fpa" / "core").rglob("*.py")):
        for module in app_imports(path):
            seen.add((str(path.relative_to(ROOT)), module))
    assert seen == set(), "fpa.core must not import an app"


def test_the_apps_hooks_are_found_by_core() -> None:
    """The ledger's backup part and readiness check reach core through the registry."""
    from fpa.core.backup import backup_parts
    from fpa.core.health import checks

    assert [part.NAME for part in backup_parts()] == ["ledger"]
    assert list(checks()) == ["database", "migrations", "worker", "field_keys", "ledger_key"]


def test_every_module_with_demo_data_registers_its_seeder_in_order() -> None:
    labels = [label for label, _seed in demo_seeders()]
    assert labels == [
        "organizations",
        "families",
        "fund",
        "members",
        "volunteers",
        "activities",
        "childcare",
        "healthyfamilies",
        "insurance",
        "migrants",
        "leftbehind",
        "rights",
        "reports",
        "cadres",
        "tasks",
        "assessment",
    ]
    assert all(callable(seed) for _label, seed in demo_seeders())


def test_views_and_apis_read_through_selectors() -> None:
    """No page or API module reads a model itself (`Model.objects…`): reads are the
    selectors', which start from the user's scope."""
    modules = [
        *ROOT.glob("fpa/*/views.py"),
        *ROOT.glob("fpa/*/views/*.py"),
        *ROOT.glob("fpa/*/api.py"),
        ROOT / "fpa" / "api.py",
    ]
    assert len(modules) > 20
    found = []
    for path in modules:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], found
