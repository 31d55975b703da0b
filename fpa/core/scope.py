"""Deny-by-default access: every view declares how it is scoped, or it is refused.

Three declarations exist:

* ``@public_view``: no login (sign-in page, language switch, public pages).
* ``@scoped_view(capability=...)``: signed in, holding the capability; the view reads only
  through selectors that take ``request.user``.
* ``@scoped_view(capability=..., model=M, kwarg="pk", field="pk", as_="family")``: as above, and
  the object named in the URL is loaded here, inside the user's subtree, before the view runs; an
  object outside it is a 404, exactly like one that does not exist (ids are not an oracle). The
  view receives it under the name `as_` (by default under the URL's own `kwarg`).

One predicate answers "is this association inside that user's subtree": `in_scope(user,
association)`; `require_in_scope` raises on it, and `Association.is_under(other)` is the same
question between two associations.

``ScopeEnforcementMiddleware`` refuses any view without a declaration. The API has its own
deny-by-default (global authentication in ``fpa.api``) and uses the same selectors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Self, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext

from fpa.core.actors import HasPath, Viewer, signed_in
from fpa.core.errors import NotAllowed


@dataclass(frozen=True)
class ScopeDeclaration:
    public: bool = False
    capability: str | None = None
    model: type[models.Model] | None = None
    kwarg: str = "pk"
    field: str = "pk"
    as_: str | None = None


def path_is_under(path: str, root: str) -> bool:
    """Materialised paths end with "/", so a prefix is a subtree ("/62/6229/" is not under
    "/62/622/")."""
    return bool(root) and path.startswith(root)


def covering_paths(path: str) -> list[str]:
    """The materialised paths of the association at `path` and of every one above it, root
    first ("/62/6229/" -> ["/62/", "/62/6229/"]): the associations whose scope covers it."""
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def scope_path_of(user: Viewer | None) -> str | None:
    """The materialised path of the user's home association, or None (sees nothing)."""
    if not signed_in(user) or not user.is_active:
        return None
    home = user.home_association
    return home.path if home is not None else None


def child_path(root: str, path: str) -> str | None:
    """The materialised path of the child of `root` that `path` lies in (itself, or under it),
    or None for `root` itself ("/62/", "/62/6229/622923/" -> "/62/6229/")."""
    rest = path[len(root) :] if path_is_under(path, root) else ""
    return root + rest.split("/", 1)[0] + "/" if rest else None


def sum_by_child(
    rows: Iterable[Any], *, root: str, path: str, fields: Iterable[str]
) -> dict[str, dict[str, int]]:
    """Rows grouped by association path (`path` names the row's path value), summed into the
    child of `root` each lies in: {child path: {field: sum}}. Rows of `root` itself are left
    out. A county's townships from one grouped query."""
    names = tuple(fields)
    found: dict[str, dict[str, int]] = {}
    for row in rows:
        child = child_path(root, row[path])
        if child is None:
            continue
        bucket = found.setdefault(child, dict.fromkeys(names, 0))
        for name in names:
            bucket[name] += row[name] or 0
    return found


_M = TypeVar("_M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[_M]):
    """Querysets of models that carry their association: `visible_to(user)` is the only way in.

    The model names the path of its association's materialised path in `scope_field`
    (e.g. "association__path"), and the filter is one indexed prefix condition.
    """

    def visible_to(self, user: Viewer) -> Self:
        path = scope_path_of(user)
        if path is None:
            return self.none()
        field: str = getattr(self.model, "scope_field")  # noqa: B009 (declared by each model)
        return self.filter(**{f"{field}__under": path})


def require(actor: Viewer | None, capability: str) -> None:
    """Services check the capability again, whoever called them (view, API, import, command)."""
    if not signed_in(actor) or not actor.has_capability(capability):
        raise NotAllowed(gettext("您的角色无权进行此操作。"))


def in_scope(user: Viewer | None, association: HasPath | None) -> bool:
    """Whether `association` (anything with a materialised `path`) lies in the user's subtree."""
    path = scope_path_of(user)
    return path is not None and association is not None and path_is_under(association.path, path)


def require_in_scope(actor: Viewer | None, association: HasPath | None) -> None:
    """Writes are refused outside the actor's subtree, whatever the caller passed in."""
    if not in_scope(actor, association):
        raise NotAllowed(gettext("该协会不在您的管辖范围内。"))


def public_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    view.fpa_scope = ScopeDeclaration(public=True)  # type: ignore[attr-defined]
    return view


def scoped_view(
    *,
    capability: str,
    model: type[models.Model] | None = None,
    kwarg: str = "pk",
    field: str = "pk",
    as_: str | None = None,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    declaration = ScopeDeclaration(
        capability=capability, model=model, kwarg=kwarg, field=field, as_=as_
    )

    def decorate(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_capability(capability):
                raise PermissionDenied(gettext("您的角色无权进行此操作。"))
            if model is not None:
                loaded = load_in_scope(model, user, **{field: kwargs.pop(kwarg)})
                kwargs[as_ or kwarg] = loaded
            return view(request, *args, **kwargs)

        wrapper.fpa_scope = declaration  # type: ignore[attr-defined]
        return wrapper

    return decorate


def load_in_scope(model: type[models.Model], user: Viewer, **lookup: Any) -> Any:
    try:
        return model.objects.visible_to(user).get(**lookup)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(gettext("记录不存在或不在您的管辖范围内。")) from exc


def declaration_of(view: Any) -> ScopeDeclaration | None:
    return getattr(view, "fpa_scope", None)


class ScopeEnforcementMiddleware:
    """Refuse every view that has not declared its scope (deny by default)."""

    exempt_namespaces = ("api",)

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and match.namespace in self.exempt_namespaces:
            return None
        if declaration_of(view_func) is None:
            raise PermissionDenied(gettext("该页面未声明访问范围，已拒绝。"))
        return None
