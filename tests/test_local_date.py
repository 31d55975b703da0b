"""Today is the local date of the deployment (Asia/Shanghai), not the machine's.

Between 16:00 and 24:00 UTC a machine running on UTC is a day behind Beijing. A check written with
`datetime.date.today()` then refuses today's date as "in the future", or accepts tomorrow's. CI
once failed 12 tests that way; ruff's DTZ rules now refuse `date.today()` in code and tests, and
these tests hold the rule at such a moment.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from fpa.core import clock, idnumbers, protected

# 17:30 UTC on 4 December is 01:30 on 5 December in Beijing.
EVENING_UTC = datetime.datetime(2026, 12, 4, 17, 30, tzinfo=datetime.UTC)
BEIJING_DAY = datetime.date(2026, 12, 5)


@pytest.fixture
def utc_evening():
    with time_machine.travel(EVENING_UTC, tick=False):
        clock._local_date.cache_clear()
        yield
    clock._local_date.cache_clear()


def test_the_local_date_is_beijing_s_while_utc_is_a_day_behind(settings, utc_evening):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert datetime.datetime.now(datetime.UTC).date() == datetime.date(2026, 12, 4)
    assert timezone.localdate() == BEIJING_DAY
    assert clock.local_today() == BEIJING_DAY
    assert EVENING_UTC.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).date() == BEIJING_DAY


def test_someone_born_today_in_beijing_has_a_valid_id_number(utc_evening):
    born_today = idnumbers.synthesize("622923", BEIJING_DAY, 11)
    assert protected.canonical("id_number", born_today) == born_today


def test_a_birth_date_of_tomorrow_in_beijing_is_refused(utc_evening):
    tomorrow = idnumbers.synthesize("622923", BEIJING_DAY + datetime.timedelta(days=1), 11)
    with pytest.raises(ValidationError, match="晚于今天"):
        protected.canonical("id_number", tomorrow)
