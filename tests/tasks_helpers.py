"""Shared set-up of the task book tests, through the real services."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fpa.organizations.models import Association
from fpa.tasks import services
from fpa.tasks.models import Measure, Task
from tests.conftest import LIUJIAXIA, YANGUOXIA

START = datetime.date(2026, 3, 1)
DEADLINE = datetime.date(2026, 9, 30)


def measure(actor: Any, number: int = 19, title: str = "坚持统筹推进") -> Measure:
    """The measure `number` of the actor's association's plan (added once)."""
    found = Measure.objects.filter(association=actor.home_association, number=number).first()
    return found or services.measure_create(actor=actor, number=number, title=title)


def county_task(county: Any, **overrides: Any) -> Task:
    """A task the county sets for itself (its own association is the responsible side)."""
    data: dict[str, Any] = {
        "measure": overrides.pop("measure", None) or measure(county),
        "title": "制定改革时间表、路线图、任务书",
        "association": Association.objects.get(code="622923"),
        "start_on": START,
        "deadline": DEADLINE,
        "deliverables": "印发任务书，明确牵头单位和完成时限。",
    }
    data.update(overrides)
    return services.task_create(actor=county, **data)


def delegated(county: Any, **overrides: Any) -> tuple[Task, Task, Task]:
    """A county task handed down to 刘家峡镇 and 盐锅峡镇: (parent, 刘家峡镇's, 盐锅峡镇's)."""
    parent = county_task(county, **overrides)
    ljx, ygx = services.task_delegate(
        actor=county,
        task=parent,
        associations=[
            Association.objects.get(code=LIUJIAXIA),
            Association.objects.get(code=YANGUOXIA),
        ],
    )
    return parent, ljx, ygx


def png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name: str = "plan.pdf") -> SimpleUploadedFile:
    data = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def tasks_world(county: Any, staff: Any, code: str) -> dict[Any, Any]:
    """One object of each of the task book's declared models in township `code`: a county task
    handed down to it, with a progress report and its file, a 督办单 and an extension request
    (for the deny-by-default walk, tests/test_scope_walk.py)."""
    from django.utils import timezone

    from fpa.tasks.models import Evidence, Extension, Supervision

    today = timezone.localdate()
    parent = county_task(
        county,
        title=f"{code}的改革任务",
        start_on=today - datetime.timedelta(days=30),
        deadline=today + datetime.timedelta(days=60),
    )
    (copy,) = services.task_delegate(
        actor=county, task=parent, associations=[Association.objects.get(code=code)]
    )
    report = services.report_add(
        actor=staff, task=copy, reported_on=today, text="已部署。", percent=20, files=[png()]
    )
    notice = services.notice_issue(
        actor=county,
        task=copy,
        problem="进度滞后",
        new_deadline=today + datetime.timedelta(days=10),
        required_answer="说明原因",
    )
    extension = services.extension_request(
        actor=staff,
        task=copy,
        requested_deadline=today + datetime.timedelta(days=90),
        reason="人手不足",
    )
    return {
        Task: copy,
        Supervision: notice,
        Extension: extension,
        Evidence: report.files.get(),
    }
