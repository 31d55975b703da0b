"""Insurance workbooks on the shared engine: the roster of a policy year in the insurer's layout
(序号-free: one row per insured person, name and ID number masked unless a full export), and the
claims list."""

from __future__ import annotations

from typing import Any

from fpa.core import excel
from fpa.insurance.models import Claim, Enrolment


def _sex(value: str) -> str:
    return {"M": "男", "F": "女"}.get(value, "")


ROSTER_SHEET = excel.Sheet(
    title="参保人员清单",
    columns=(
        excel.Column("被保险人姓名", "name", required=True, protected="name", width=12),
        excel.Column("证件类型", "id_kind", export=lambda e: "居民身份证", width=10),
        excel.Column("证件号码", "id_number", required=True, protected="id_number", width=22),
        excel.Column("性别", "sex", export=lambda e: _sex(e.sex), width=6),
        excel.Column("出生日期", "birth_date", kind=excel.DATE, width=12),
        excel.Column("保险起期", "covered_from", kind=excel.DATE, width=12),
        excel.Column("保险止期", "covered_to", kind=excel.DATE, width=12),
        excel.Column("人员类别", "source", export=lambda e: e.get_source_display(), width=12),
        excel.Column("所属协会", "association", export=lambda e: e.association.name, width=20),
        excel.Column("协会编码", "association_code", export=lambda e: e.association.code, width=14),
        excel.Column("状态", "status", export=lambda e: e.get_status_display(), width=8),
        excel.Column("退保日期", "removed_on", kind=excel.DATE, width=12),
        excel.Column("保单号", "policy_number", export=lambda e: e.policy_year.policy_number),
    ),
    key=("id_number",),
    related=("association", "policy_year"),
    notes=(
        "保险公司投保清单格式；姓名、证件号码默认打码，完整导出须有权限并填写原因（记入审计）。",
    ),
)


def _amount(claim: Any) -> Any:
    return claim.amount_paid if claim.amount_paid is not None else None


CLAIM_SHEET = excel.Sheet(
    title="理赔",
    columns=(
        excel.Column("编号", "id", required=True, kind=excel.NUMBER, width=8),
        excel.Column("被保险人", "insured", export=lambda c: c.enrolment.name, protected="name"),
        excel.Column("所属协会", "association", export=lambda c: c.association.name, width=20),
        excel.Column(
            "险种", "product", export=lambda c: c.enrolment.policy_year.product.name, width=20
        ),
        excel.Column("年度", "year", export=lambda c: c.enrolment.policy_year.year, width=6),
        excel.Column("出险日期", "event_on", kind=excel.DATE, width=12),
        excel.Column("出险类别", "kind", export=lambda c: c.get_kind_display(), width=10),
        excel.Column("报案日期", "reported_on", kind=excel.DATE, width=12),
        excel.Column("提交日期", "submitted_on", kind=excel.DATE, width=12),
        excel.Column("状态", "status", export=lambda c: c.get_status_display(), width=12),
        excel.Column("赔付/拒赔日期", "decided_on", kind=excel.DATE, width=12),
        excel.Column("赔付金额（元）", "amount_paid", export=_amount, kind=excel.NUMBER),
        excel.Column("拒赔原因", "refusal_reason", width=24),
        excel.Column("结案日期", "closed_on", kind=excel.DATE, width=12),
    ),
    key=("id",),
    related=("association", "enrolment__policy_year__product"),
    notes=("出险经过属敏感信息，不导出。",),
)

__all__ = ["CLAIM_SHEET", "ROSTER_SHEET", "Claim", "Enrolment"]
