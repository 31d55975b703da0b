"""The member report shows, beside the migrant members, the migrants in the register (流动人口登记,
from the migrants' one selector) per association: the same number as the migrants' counts page;
another township's are not counted, and its report is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest

from fpa.migrants import selectors as migrant_selectors
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN
from tests.migrants_helpers import migrant

pytestmark = pytest.mark.django_db


def test_the_member_report_counts_the_registered_migrants(
    client_for: Any, township: Any, township2: Any, auditor: Any
) -> None:
    migrant(township, DAZHUANG)
    migrant(township, DAZHUANG, direction="outflow")
    migrant(township2, SHANGQUAN)  # another township's
    page = client_for(township).get("/members/counts/", {"code": LIUJIAXIA}).content.decode()
    assert "流动人口登记（在册）" in page
    total = re.search(r"<td data-registered-migrants-total>(\d+)</td>", page)
    assert total is not None and total.group(1) == "2"
    assert re.findall(r"<td data-registered-migrants>(\d+)</td>", page).count("2") == 1
    area = Association.objects.get(code=LIUJIAXIA)
    assert migrant_selectors.migrant_counts(user=township, root=area).total.total == 2


def test_another_townships_report_is_refused(
    client_for: Any, township: Any, township2: Any
) -> None:
    migrant(township2, SHANGQUAN)
    page = client_for(township).get("/members/counts/", {"code": "622923101"}).content.decode()
    assert "所选协会不存在或不在您的管辖范围内" in page
    assert "data-registered-migrants" not in page
