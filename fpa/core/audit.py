"""Writing the audit trail. Services call these inside their own transaction, so a failed audit
write rolls the change back with it."""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import decimal
import functools
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models

from fpa.core.actors import Actor, Viewer, signed_in
from fpa.core.context import current_ip
from fpa.core.models import AuditEvent
from fpa.core.protected import BlindIndexField, Protected, ProtectedField

# Never copied into the audit trail, even as a hash.
SECRET_FIELDS = frozenset({"password"})


class MaskedValue(str):
    """The masked form of a protected value, as the audit trail stores it. Two of them compare by
    the full value, so a change that the mask hides (139****1234 to 139****1234) is still recorded
    as a change."""

    _protected: Protected

    def __new__(cls, value: Protected) -> MaskedValue:
        masked = super().__new__(cls, value.masked)
        masked._protected = value
        return masked

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MaskedValue):
            return bool(self._protected == other._protected)
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = str.__hash__


def _plain(value: Any) -> Any:
    if isinstance(value, Protected):
        return MaskedValue(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, datetime.date | datetime.datetime | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The audit-safe values of a model's concrete fields (protected values masked).

    Search hashes are left out, and a birth date beside an ID number is kept as its year only:
    the masked ID hides exactly the birth date, which the trail must not give back.
    """
    plan = _snapshot_plan(type(instance), tuple(fields) if fields else None)
    return _snapshot(plan, instance.__dict__, instance)


def snapshot_values(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    """`snapshot` of a row given as values by attribute name (a bulk service's rows)."""
    return _snapshot(_snapshot_plan(model, None), values, None)


@functools.cache
def _snapshot_plan(
    model: type[models.Model], fields: tuple[str, ...] | None
) -> tuple[tuple[str, str, str, bool], ...]:
    """(name, attname, protected kind, year only) for each field a snapshot holds."""
    concrete = model._meta.concrete_fields
    names = fields or [
        f.name
        for f in concrete
        if f.name not in {"created_at", "updated_at", *SECRET_FIELDS}
        and not isinstance(f, BlindIndexField)
    ]
    has_id = any(isinstance(f, ProtectedField) and f.kind == "id_number" for f in concrete)
    plan = []
    for name in names:
        field: Any = model._meta.get_field(name)
        kind = field.kind if isinstance(field, ProtectedField) else ""
        plan.append((name, field.attname, kind, name == "birth_date" and has_id))
    return tuple(plan)


def _snapshot(
    plan: tuple[tuple[str, str, str, bool], ...], values: dict[str, Any], instance: Any
) -> dict[str, Any]:
    out = {}
    for name, attname, kind, year_only in plan:
        # Deferred or not-yet-loaded attributes go through the instance (one query, as before).
        value = (
            values[attname] if attname in values or instance is None else getattr(instance, attname)
        )
        if not kind and value.__class__ in _AS_IS:  # most values: nothing to convert or mask
            out[name] = value
            continue
        if kind and value and not isinstance(value, Protected):
            value = Protected(str(value), kind)  # assigned but not yet cleaned: still masked
        if year_only and isinstance(value, datetime.date):
            value = value.year
        out[name] = _plain(value)
    return out


# Exactly these types (not subclasses: a choice is a str subclass, kept as it is by _plain too).
_AS_IS = frozenset({str, int, bool, type(None), float})


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def _actor_fields(actor: Viewer | None, username: str = "") -> dict[str, Any]:
    """Who acts, as every audit row records it. `actor` may be None (anonymous, failed login)."""
    if not signed_in(actor):
        actor = None
    home = actor.home_association if actor is not None else None
    return {
        "actor": actor,
        "actor_username": (actor.username if actor is not None else username)[:150],
        "actor_roles": ",".join(actor.role_codes) if actor is not None else "",
        "actor_association": home.code if home else "",
        "ip": current_ip(),
    }


_VIA: contextvars.ContextVar[str] = contextvars.ContextVar("fpa_audit_via", default="")


@contextlib.contextmanager
def audit_via(text: str) -> Iterator[None]:
    """Every audit row written inside the block says how the change came (e.g. "离线记录，设备
    #3，记录于 …"): put before the row's own reason. Used by the offline sync (`fpa.field`)."""
    token = _VIA.set(text)
    try:
        yield
    finally:
        _VIA.reset(token)


def _event(
    who: dict[str, Any],
    *,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    scope_path: str = "",
    reason: str = "",
    object_type: str = "",
    object_repr: str = "",
) -> AuditEvent:
    return AuditEvent(
        **who,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        scope_path=scope_path,
        changes=changes or {},
        reason=_with_via(reason)[:500],
    )


def _with_via(reason: str) -> str:
    via = _VIA.get()
    if not via:
        return reason
    return f"{via}；{reason}" if reason else via


def audit_record(
    *,
    actor: Viewer | None,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    scope_path: str = "",
    reason: str = "",
    object_type: str = "",
    object_repr: str = "",
    username: str = "",
) -> AuditEvent:
    """Append one audit row. `actor` may be None (anonymous, failed login)."""
    event = _event(
        _actor_fields(actor, username),
        action=action,
        obj=obj,
        changes=changes,
        scope_path=scope_path,
        reason=reason,
        object_type=object_type,
        object_repr=object_repr,
    )
    event.save(force_insert=True)
    return event


def audit_created_rows(
    *,
    actor: Viewer | None,
    groups: Iterable[
        tuple[type[models.Model], Iterable[tuple[dict[str, Any], str, str]], Iterable[str]]
    ],
) -> int:
    """One `create` row per object, as `audit_create` writes it for a saved object, for objects a
    bulk service wrote with `fpa.core.bulk.insert` (values by attribute name, completed with the
    defaults). Each group is (model, rows of (values, scope path, object repr), fields left out of
    the changes). One insert for all groups."""
    from fpa.core import bulk

    who = _actor_fields(actor)
    acting = who.pop("actor")
    who["actor_id"] = acting.pk if acting is not None else None
    events = []
    for model, rows, exclude in groups:
        skip = frozenset(exclude)
        object_type = model._meta.label_lower
        pk = model._meta.pk.attname
        events += [
            {
                **who,
                "action": AuditEvent.Action.CREATE,
                "object_type": object_type,
                "object_id": str(values[pk]),
                "object_repr": object_repr[:200],
                "scope_path": scope_path,
                "changes": {
                    k: [None, v] for k, v in snapshot_values(model, values).items() if k not in skip
                },
            }
            for values, scope_path, object_repr in rows
        ]
    return bulk.insert(AuditEvent, events)


def audit_create(
    *, actor: Actor | None, obj: models.Model, scope_path: str, reason: str = ""
) -> None:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=obj,
        changes={k: [None, v] for k, v in snapshot(obj).items()},
        scope_path=scope_path,
        reason=reason,
    )


def audit_update(
    *,
    actor: Actor | None,
    obj: models.Model,
    before: dict[str, Any],
    scope_path: str,
    reason: str = "",
) -> dict[str, list[Any]]:
    """Record what changed since `before`; returns the changes (empty: nothing is written)."""
    changes = diff(before, snapshot(obj, before.keys()))
    if changes:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=obj,
            changes=changes,
            scope_path=scope_path,
            reason=reason,
        )
    return changes


def changed_since(obj: models.Model, version: int) -> list[str]:
    """The labels of the fields that updates after `version` changed, read from the audit trail.

    Services that keep a `version` audit it with each update, so a refused stale save can tell the
    user what the other person changed.
    """
    rows = AuditEvent.objects.filter(
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        action=AuditEvent.Action.UPDATE,
    ).order_by("-id")[:50]
    names: set[str] = set()
    for row in rows:
        versions = row.changes.get("version")
        if versions and versions[0] is not None and int(versions[0]) >= version:
            names |= set(row.changes) - {"version"}
    return [str(field.verbose_name) for field in obj._meta.concrete_fields if field.name in names]
