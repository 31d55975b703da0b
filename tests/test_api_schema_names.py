"""Every schema of /api/v1/openapi.json has a name of its own. django-ninja keeps one component
per name: when two modules' schemas share a name, the definition added last silently replaces
the other (`OpenAPISchema.add_schema_definitions` is a dict update), and every operation that
names the schema then documents the wrong fields. No error, no warning: the clash is caught
here by recording each definition as ninja adds it, and by the schema classes' names."""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from ninja import Schema
from ninja.openapi.schema import OpenAPISchema

from tests.test_api import api_client

ROOT = Path(__file__).resolve().parent.parent


def schema_owners() -> dict[str, set[str]]:
    """Each Schema class name of the API modules (fpa/*/api*.py), with the modules defining it."""
    owners: dict[str, set[str]] = {}
    for path in sorted(ROOT.glob("fpa/*/api*.py")):
        module = importlib.import_module(f"fpa.{path.parent.name}.{path.stem}")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                owners.setdefault(name, set()).add(module.__name__)
    return owners


def test_no_two_api_modules_define_a_schema_of_the_same_name() -> None:
    owners = schema_owners()
    assert len(owners) > 200  # the walk found the modules
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}


@pytest.mark.django_db
def test_the_openapi_document_never_merges_two_definitions(monkeypatch: Any, township: Any) -> None:
    added: dict[str, set[str]] = {}
    original = OpenAPISchema.add_schema_definitions

    def recording(self: OpenAPISchema, definitions: dict) -> None:
        for name, definition in definitions.items():
            added.setdefault(name, set()).add(json.dumps(definition, sort_keys=True))
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    response = api_client(township).get("/api/v1/openapi.json")
    assert response.status_code == 200
    components = response.json()["components"]["schemas"]
    assert set(added) <= set(components) and len(components) > 200
    merged = sorted(name for name, found in added.items() if len(found) > 1)
    assert merged == []
    # And each component is the definition the operations were documented with.
    for name, found in added.items():
        assert json.dumps(components[name], sort_keys=True) in found, name
