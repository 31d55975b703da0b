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
