#!/usr/bin/env python
"""Enrolment by rule at scale: is the memory of `rule_enrol` flat in the number of people?

    # one command: builds two SQLite databases (10,000 and 100,000 special-family mothers on the
    # Yongjing tree), then runs the same rule on each under /usr/bin/time -v and prints a table
    .venv/bin/python bench/insurance_bench.py measure --sizes 10000 100000

    # the steps by hand
    .venv/bin/python bench/insurance_bench.py generate --people 100000 \
        --database bench/results/insurance-100000.sqlite3
    /usr/bin/time -v .venv/bin/python bench/insurance_bench.py enrol \
        --database bench/results/insurance-100000.sqlite3

`generate` (drops the file first) migrates a fresh SQLite database with `bench.settings`, loads the
real Yongjing division tree, creates the county account `bench_county`, and writes N active
bereaved families, each with a mother born 1950-1985 (valid synthetic ID numbers, encrypted with
their blind indexes) spread over the 134 villages, with `fpa.core.bulk.insert` (the families
registration's own writer). `enrol` creates a product (ages 18-80) and this year's policy, then
runs the rule "every active special-family mother aged 48 or more at the policy start" through
the real service `fpa.insurance.services.rule_enrol` as `bench_county` (one transaction, one audit
row per enrolment), prints the counts and the wall time as JSON, and runs it a second time to
show that it adds nobody. `measure` does both for each size and reads "Maximum resident set size"
from /usr/bin/time -v. Everything goes to bench/results/ (gitignored); nothing is committed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(ROOT))
BATCH = 5000
DAYS = 35 * 365  # mothers born 1950-1984


def setup(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def generate(people: int, database: Path) -> None:
    database.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    setup(database)
    from django.core.management import call_command
    from django.db import transaction

    from fpa.accounts.roles import Role
    from fpa.accounts.services import user_create
    from fpa.core import bulk
    from fpa.core.idnumbers import synthesize
    from fpa.families.models import Family, Person
    from fpa.organizations.divisions import YONGJING_FILE, read_file
    from fpa.organizations.models import Association
    from fpa.organizations.services import divisions_load

    call_command("migrate", verbosity=0)
    divisions_load(rows=read_file(YONGJING_FILE), valid_from=datetime.date(2023, 1, 1))
    user_create(
        actor=None,
        username="bench_county",
        password="bench-password-0123",
        full_name="bench county",
        home_association=Association.objects.get(code="622923"),
        roles=[Role.COUNTY_ADMIN],
    )
    villages = list(
        Association.objects.filter(kind=Association.Kind.VILLAGE).values_list("pk", flat=True)
    )
    started = time.monotonic()
    for first in range(0, people, BATCH):
        count = min(BATCH, people - first)
        with transaction.atomic():
            family_ids = bulk.reserve_ids(Family, count)
            families, persons = [], []
            for n, pk in enumerate(family_ids, start=first):
                # Unique (birth date, sequence) pairs: valid, distinct ID numbers.
                birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n % DAYS)
                families.append(
                    {
                        "id": pk,
                        "association_id": villages[n % len(villages)],
                        "kind": Family.Kind.BEREAVED,
                        "head_name": f"母亲{n}",
                    }
                )
                persons.append(
                    {
                        "family_id": pk,
                        "role": Person.Role.MOTHER,
                        "name": f"母亲{n}",
                        "id_number": synthesize("622923", birth, 2 * (n // DAYS) + 2),
                        "birth_date": birth,
                        "sex": "F",
                    }
                )
            bulk.insert(Family, families)
            bulk.insert(Person, persons)
    print(json.dumps({"people": people, "seconds": round(time.monotonic() - started, 1)}))


def enrol(database: Path) -> None:
    setup(database)
    from django.utils import timezone

    from fpa.accounts.models import User
    from fpa.insurance import rules, services
    from fpa.insurance.models import PolicyYear, Product
    from fpa.organizations.models import Association

    county = User.objects.get(username="bench_county")
    year = timezone.localdate().year
    policy = PolicyYear.objects.filter(year=year).first()
    if policy is None:
        product = services.product_create(
            actor=county,
            association=Association.objects.get(code="622923"),
            insurer="bench",
            name="计生家庭意外伤害保险",
            kind=Product.Kind.ACCIDENT,
            premium="100",
            min_age=18,
            max_age=80,
        )
        policy = services.policy_year_create(
            actor=county, product=product, year=year, fund_share="100"
        )
    rule = rules.Rule(source="parents", area="622923", sex="F", age_min=48)
    out: dict[str, Any] = {}
    for run in ("first", "second"):
        started = time.monotonic()
        result = services.rule_enrol(actor=county, policy_year=policy, rule=rule)
        out[run] = {**result, "seconds": round(time.monotonic() - started, 1)}
    print(json.dumps(out))


def _peak_kib(stderr: str) -> int:
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return int(found.group(1)) if found else 0


def measure(sizes: list[int]) -> None:
    rows = []
    for size in sizes:
        database = RESULTS / f"insurance-{size}.sqlite3"
        script = [sys.executable, __file__]
        subprocess.run(
            [*script, "generate", "--people", str(size), "--database", str(database)], check=True
        )
        done = subprocess.run(
            ["/usr/bin/time", "-v", *script, "enrol", "--database", str(database)],
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append((size, result, _peak_kib(done.stderr)))
    print("| people | enrolled | 2nd run adds | time (s) | peak RSS (MiB) |")
    print("|---:|---:|---:|---:|---:|")
    for size, result, peak in rows:
        first, second = result["first"], result["second"]
        print(
            f"| {size:,} | {first['written']:,} | {second['written']} | {first['seconds']} "
            f"| {peak / 1024:.0f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate")
    make.add_argument("--people", type=int, required=True)
    make.add_argument("--database", type=Path, required=True)
    run = commands.add_parser("enrol")
    run.add_argument("--database", type=Path, required=True)
    both = commands.add_parser("measure")
    both.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.people, args.database)
    elif args.command == "enrol":
        enrol(args.database)
    else:
        measure(args.sizes)


if __name__ == "__main__":
    main()
