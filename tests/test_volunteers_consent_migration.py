"""The consent extraction (volunteers/0003): the volunteer application's consent texts move into
core's one consent mechanism and every volunteer keeps the version it agreed to; and back.

Run on a database file of its own in a child process (a schema migration cannot run inside the
test's transaction, and the suite's database must stay at the latest state): migrate to just
before the move, write two versions and volunteers on each through the models of that state,
migrate to the latest, read back, migrate back and read again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import datetime, json
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from fpa.core.idnumbers import synthesize

BEFORE = [("volunteers", "0002_default_settings"), ("core", "0003_jobs_and_worker_beats")]
call_command("migrate", "core", "0003_jobs_and_worker_beats", verbosity=0)
call_command("migrate", "volunteers", "0002_default_settings", verbosity=0)
old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
Association = old.get_model("organizations", "Association")
OldText = old.get_model("volunteers", "ConsentText")
Volunteer = old.get_model("volunteers", "Volunteer")
village = Association.objects.create(
    code="622923100201", name="大庄村计生协", kind="village", path="/622923100201/", depth=1
)
one = OldText.objects.get(version=1)
two = OldText.objects.create(version=2, text="第二版报名同意书", effective_from=datetime.date(2025, 1, 1))
made = {}
for n, text in ((1, one), (2, two), (3, two)):
    v = Volunteer.objects.create(
        association=village, name=f"志愿者{n}", consent=text,
        id_number=synthesize("622923", datetime.date(1990, 1, n), n), phone=f"1365555000{n}",
        applied_on=datetime.date(2025, 2, n),
    )
    made[v.pk] = text.version
call_command("migrate", verbosity=0)
from fpa.core.models import ConsentText
from fpa.volunteers.models import Volunteer as NewVolunteer
forward = {
    "agreed": {str(v.pk): [v.consent.purpose, v.consent.version] for v in NewVolunteer.objects.all()},
    "texts": sorted(ConsentText.objects.filter(purpose="volunteer_application").values_list("version", "body")),
}
call_command("migrate", "volunteers", "0002_default_settings", verbosity=0)
back = MigrationExecutor(connection).loader.project_state(BEFORE).apps
OldVolunteer = back.get_model("volunteers", "Volunteer")
backward = {str(v.pk): v.consent.version for v in OldVolunteer.objects.select_related("consent")}
print(json.dumps({"made": {str(k): v for k, v in made.items()}, "forward": forward, "backward": backward}))
"""


def test_the_consent_move_keeps_each_volunteers_version_and_goes_back(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'main.sqlite3'}",
        "FPA_JOBS_DATABASE_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    data = json.loads(result.stdout.strip().splitlines()[-1])
    made, forward = data["made"], data["forward"]
    assert len(made) == 3 and sorted(made.values()) == [1, 2, 2]
    # every volunteer points at the same version, now a core consent text of its purpose
    assert forward["agreed"] == {pk: ["volunteer_application", v] for pk, v in made.items()}
    assert [version for version, _ in forward["texts"]] == [1, 2]
    assert forward["texts"][1][1] == "第二版报名同意书"
    assert "本人自愿报名成为计生协志愿者" in forward["texts"][0][1]
    # and back: the old table again, each volunteer on its version
    assert data["backward"] == made
