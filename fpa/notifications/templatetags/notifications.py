"""`{% navbar_account %}`: the signed-in navbar's right-hand items, with the unread figure (one
indexed count) beside 消息."""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from fpa.core import help
from fpa.core.links import link
from fpa.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def navbar_account(context: template.Context) -> SafeString:
    """`{% navbar_account %}` in base.html, for a signed-in user: help (this page's section of
    the guide), 消息 with the unread figure, 我的任务, the account (name · association) and the
    sign-out form. Written in Python like the menu (fpa.core.context_processors): as template
    nodes (an include, eight translations, the lazy user read a dozen times) they cost about a
    fifth of a millisecond on every page."""
    request = context["request"]
    user = request.user
    match = getattr(request, "resolver_match", None)
    token = str(context.get("csrf_token") or get_token(request))  # the page's one token
    unread = unread_count(user=user)
    badge = (
        f' <span class="badge rounded-pill text-bg-danger" id="nav-unread">{unread}'
        f'<span class="visually-hidden"> {escape(gettext("条未读"))}</span></span>'
        if unread
        else ""
    )
    name = escape(user.full_name or user.username)
    home = user.home_association
    where = f" · {escape(home.name)}" if home is not None else ""
    shown = f'<span class="d-xl-none d-xxl-inline">{where}</span>' if where else ""
    help_url = help.help_url(match.view_name if match else None, signed_in=True)
    return mark_safe(  # noqa: S308 - every value below is escaped, a number or a fixed text
        f'<li class="nav-item"><a class="nav-link" href="{escape(help_url)}" data-fpa-help>'
        f"{escape(gettext('帮助'))}</a></li>\n        "
        f'<li class="nav-item"><a class="nav-link" href="{escape(link("notifications:inbox"))}"'
        f' id="nav-inbox">{escape(gettext("消息"))}{badge}</a></li>\n        '
        f'<li class="nav-item"><a class="nav-link" href="{escape(link("core:job_list"))}">'
        f"{escape(gettext('我的任务'))}</a></li>\n        "
        f'<li class="nav-item"><a class="nav-link fpa-nav-user"'
        f' href="{escape(link("accounts:profile"))}" title="{name}{where}">{name}{shown}</a></li>'
        '\n        <li class="nav-item">\n          '
        f'<form method="post" action="{escape(link("accounts:logout"))}" class="d-inline">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">\n'
        '            <button class="btn btn-link nav-link" type="submit">'
        f"{escape(gettext('退出'))}</button>\n          </form>\n        </li>"
    )
