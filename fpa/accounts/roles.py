"""Roles and what each may do. Pure data: the one place capabilities are granted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    TOWNSHIP_STAFF = "township_staff", _("乡镇专干")
    VILLAGE_STAFF = "village_staff", _("村（社区）专干")
    FINANCE = "finance", _("财务人员")
    AUDITOR = "auditor", _("监督员（只读）")
    VOLUNTEER = "volunteer", _("志愿者")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# 三员分立: each of these is held alone, never with another role.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
OTP_REQUIRED_ROLES = frozenset({Role.COUNTY_ADMIN, Role.FINANCE, *ADMIN_ROLES})

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COUNTY_ADMIN: frozenset(
        {
            "job.manage",  # sees and cancels the background jobs of the subtree
            "org.view",
            "org.edit",
            "staff.edit",
            "filing.submit",
            "filing.review",
            "body.edit",
            "audit.view",
            "personal.reveal",
            "family.view",
            "family.edit",
            "family.rates",
            "fund.view",
            "fund.apply",
            "fund.review",
            "fund.approve",
            "fund.reply",
            "fund.rules",
            "member.view",
            "member.edit",
            "member.approve",
            "volunteer.view",
            "volunteer.edit",
        }
    ),
    Role.TOWNSHIP_STAFF: frozenset(
        {
            "org.view",
            "org.edit",
            "staff.edit",
            "filing.submit",
            "filing.review",
            "body.edit",
            "personal.reveal",
            "family.view",
            "family.edit",
            "fund.view",
            "fund.apply",
            "fund.review",
            "fund.reply",
            "member.view",
            "member.edit",
            "member.approve",
            "volunteer.view",
            "volunteer.edit",
        }
    ),
    Role.VILLAGE_STAFF: frozenset(
        {
            "org.view",
            "staff.edit",
            "filing.submit",
            "body.edit",
            "personal.reveal",
            "family.view",
            "family.edit",
            "fund.view",
            "fund.apply",
            "member.view",
            "member.edit",
            "member.approve",
            "volunteer.view",
            "volunteer.edit",
        }
    ),
    # Finance records income and pays what was approved; it neither applies nor approves.
    Role.FINANCE: frozenset({"org.view", "fund.view", "fund.record", "fund.pay"}),
    Role.AUDITOR: frozenset({"org.view", "audit.view", "fund.view"}),
    Role.VOLUNTEER: frozenset({"volunteer.portal"}),
    Role.SYSTEM_ADMIN: frozenset({"accounts.manage", "settings.manage"}),
    Role.SECURITY_ADMIN: frozenset({"roles.manage"}),
    Role.AUDIT_ADMIN: frozenset({"audit.view", "audit.view_all"}),  # the whole trail
}

ALL_CAPABILITIES = frozenset().union(*CAPABILITIES.values()) | {"account.self"}


def capabilities_of(roles: set[str]) -> frozenset[str]:
    granted: set[str] = {"account.self"}
    for role in roles:
        granted |= CAPABILITIES.get(role, frozenset())
    return frozenset(granted)


def role_conflict(roles: set[str]) -> str | None:
    """The reason a set of roles may not be held together, or None."""
    admin = roles & ADMIN_ROLES
    if admin and len(roles) > 1:
        return "系统管理员、安全管理员、审计管理员须三员分立，不得兼任其他角色。"
    return None
