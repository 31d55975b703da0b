"""Roles and what each may do. Pure data: the one place capabilities are granted."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext
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
            # Connects other systems to the platform: the API tokens page (高级设置). The API
            # itself asks each module's own capability, whoever holds a token.
            "api.use",
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
            "activity.view",
            "activity.edit",
            "activity.approve",  # approves activities below it and sets campaigns
            # Sees the sensitive health follow-ups (PIPL art. 28) recorded in its subtree; staff
            # without it see only those they recorded themselves.
            "health.sensitive",
            "childcare.view",
            "childcare.edit",
            "insurance.view",
            "insurance.edit",  # reports claims, enrols one person
            "insurance.manage",  # products, policy years, enrolment by rule, premiums
            "migrant.view",
            "migrant.edit",
            "leftbehind.view",
            "leftbehind.edit",
            # Sees left-behind children's records (under 14: sensitive, PIPL art. 28, 31); staff
            # without it see only the children they are a contact person of.
            "leftbehind.children",
            "rights.view",
            "rights.edit",
            "overview.view",  # the overview page (驾驶舱) of its level
            "report.view",  # the reports up the chain of its subtree
            "report.submit",  # fills and submits its own association's reports
            "report.review",  # accepts or returns the reports of the associations below
            "report.kinds",  # declares custom report kinds and sets periods' due dates
            "cadre.view",  # the cadres' contact points and visits of its subtree
            "cadre.assign",  # gives cadres of its subtree villages or families as contact points
            "cadre.visit",  # a cadre: logs the visits of their own contact points
            "task.view",  # the reform task book (任务书) of its subtree
            # Sets tasks, delegates them, accepts or returns completions, reopens, supervises
            # (督促) and decides extensions: only tasks its own association set (fpa.tasks).
            "task.manage",
            # Reports progress, marks complete, answers 督办单 and asks for extensions on the
            # tasks assigned to its own association.
            "task.report",
            "assessment.view",  # the key-work assessment (重点工作考评) of its subtree
            "assessment.manage",  # schemes, rounds, phases, scorers, appeals, publication
            "assessment.score",  # scores the indicators it is the assigned scorer of
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
            "activity.view",
            "activity.edit",
            "activity.approve",
            "health.sensitive",
            "childcare.view",
            "childcare.edit",
            "insurance.view",
            "insurance.edit",
            "migrant.view",
            "migrant.edit",
            "leftbehind.view",
            "leftbehind.edit",
            "leftbehind.children",
            "rights.view",
            "rights.edit",
            "overview.view",
            "report.view",
            "report.submit",
            "report.review",
            "cadre.view",
            "cadre.assign",
            "cadre.visit",
            "task.view",
            "task.manage",
            "task.report",
            "assessment.view",  # its own township's results; the ranking once published
            "assessment.self",  # its township's self-assessment and appeals
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
            "activity.view",
            "activity.edit",
            "childcare.view",  # read only: the township and the county record and inspect
            "insurance.view",
            "insurance.edit",
            "migrant.view",
            "migrant.edit",
            "leftbehind.view",
            "leftbehind.edit",
            "rights.view",
            "rights.edit",
            "overview.view",
            "report.view",
            "report.submit",
            "task.view",
            "task.report",
        }
    ),
    # Finance records income and pays what was approved; it neither applies nor approves.
    Role.FINANCE: frozenset({"org.view", "fund.view", "fund.record", "fund.pay"}),
    Role.AUDITOR: frozenset(
        {
            "org.view",
            "audit.view",
            "fund.view",
            "activity.view",
            "childcare.view",
            "insurance.view",
            "overview.view",
            "report.view",
            "cadre.view",
            "task.view",
            "assessment.view",
        }
    ),
    Role.VOLUNTEER: frozenset({"volunteer.portal"}),
    # ledger.witnesses: the verifiable ledger's outside witnesses (add, remove, see failures).
    Role.SYSTEM_ADMIN: frozenset({"accounts.manage", "settings.manage", "ledger.witnesses"}),
    Role.SECURITY_ADMIN: frozenset({"roles.manage"}),
    Role.AUDIT_ADMIN: frozenset({"audit.view", "audit.view_all"}),  # the whole trail
}

ALL_CAPABILITIES = frozenset().union(*CAPABILITIES.values()) | {"account.self"}


def roles_granting(capability: str) -> list[str]:
    """The roles that grant `capability`."""
    return [role for role, granted in CAPABILITIES.items() if capability in granted]


def capabilities_of(roles: set[str]) -> frozenset[str]:
    granted: set[str] = {"account.self"}
    for role in roles:
        granted |= CAPABILITIES.get(role, frozenset())
    return frozenset(granted)


def role_conflict(roles: set[str]) -> str | None:
    """The reason a set of roles may not be held together, or None."""
    admin = roles & ADMIN_ROLES
    if admin and len(roles) > 1:
        return gettext("系统管理员、安全管理员、审计管理员须三员分立，不得兼任其他角色。")
    return None
