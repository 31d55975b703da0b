#!/usr/bin/env python
"""The care fund's public pages at a realistic volume: 100,000 donations, 20,000 grants.

    flock /tmp/fpa-heavy.lock .venv/bin/python bench/fund_bench.py            # SQLite
    flock /tmp/fpa-heavy.lock .venv/bin/python bench/fund_bench.py \
        --database-url postgres://fpa_ci:fpa_ci@127.0.0.1:5432/fpa_fund_bench  # PostgreSQL

Builds a fresh database (SQLite: bench/results/fund.sqlite3; PostgreSQL: the schema is dropped),
loads Yongjing, makes the county fund through the services, then bulk-loads three years of
donations, grants (paid, closed and in notice, spread over the 17 townships) and comments, and
rebuilds the cached balances, restricted pools and monthly totals from the journal with one
GROUP BY (what the posting service keeps in step row by row). Bulk rows carry no ledger leaf (the
log is benched by the ledger's own bench). Then it posts 50 more donations and 20 grant payments
through the real services (timed: posting cost at this volume), and requests every public page
with the Django test Client (full middleware, templates; no network), anonymous, WARMUP times and
then N times each, reporting median and p95 latency (query counts: tests/test_fund_views.py).
Figures go to bench/results/fund-<vendor>.json and are summarised in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DONATIONS = 100_000
GRANTS = 20_000
COMMENTS = 5_000
BATCH = 5_000


def setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("FPA_LEDGER_KEY", "YmVuY2gtb25seS1sZWRnZXIta2V5LXNlZWQtMDAwMDA=")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def reset(database_url: str) -> None:
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(rng: random.Random) -> dict:
    from django.db import connection, transaction
    from django.db.models import Sum

    from fpa.accounts.roles import Role
    from fpa.accounts.services import user_create
    from fpa.fund import services
    from fpa.fund.models import (
        Account,
        Balance,
        Donation,
        Feedback,
        Fund,
        Grant,
        JournalEntry,
        JournalLine,
        MonthlyTotal,
        RestrictedPool,
        Sequence,
    )
    from fpa.organizations.divisions import YONGJING_FILE, read_file
    from fpa.organizations.models import Association
    from fpa.organizations.services import divisions_load

    started = time.perf_counter()
    divisions_load(
        rows=read_file(YONGJING_FILE),
        valid_from=datetime.date(2023, 1, 1),
    )
    county_assoc = Association.objects.get(code="622923")

    def user(name: str, code: str, role: str):
        return user_create(
            actor=None,
            username=name,
            password="Bench-Passw0rd!",
            full_name=name,
            home_association=Association.objects.get(code=code),
            roles=[role],
        )

    county = user("bench_county", "622923", Role.COUNTY_ADMIN)
    finance = user("bench_finance", "622923", Role.FINANCE)
    township = user("bench_township", "622923100", Role.TOWNSHIP_STAFF)
    village = user("bench_village", "622923100201", Role.VILLAGE_STAFF)
    fund = services.fund_create(actor=county, association=county_assoc, name="永靖县生育关怀基金")
    services.rules_publish(actor=county, fund=fund, title="管理办法", body="第一条 ……" * 200)
    accounts = {a.code: a for a in Account.objects.all()}
    villages = list(Association.objects.filter(kind="village").order_by("code"))
    townships = {a.code: a for a in Association.objects.filter(kind="township")}
    today = datetime.date.today()
    start = today - datetime.timedelta(days=3 * 365)
    number = 0
    sequences: dict[tuple[str, int], int] = {}

    def next_number(kind: str, year: int) -> int:
        sequences[(kind, year)] = sequences.get((kind, year), 0) + 1
        return sequences[(kind, year)]

    # Donations, in batches: entries first (they get their ids), then lines and donations.
    for offset in range(0, DONATIONS, BATCH):
        batch = []
        for _ in range(min(BATCH, DONATIONS - offset)):
            number += 1
            day = start + datetime.timedelta(days=rng.randrange((today - start).days))
            enterprise = rng.random() < 0.3
            amount = Decimal(rng.choice([50, 100, 200, 500, 1000, 5000])) + Decimal(
                rng.randrange(100)
            )
            restricted = accounts["5104"] if rng.random() < 0.05 else None
            receipt = f"YJ-{day.year}-{next_number('receipt', day.year):06d}"
            income = accounts["4103" if enterprise else "4102"]
            batch.append((number, day, enterprise, amount, restricted, receipt, income))
        with transaction.atomic():
            entries = JournalEntry.objects.bulk_create(
                JournalEntry(
                    fund=fund,
                    number=n,
                    date=day,
                    kind="donation",
                    category=income,
                    receipt_number=receipt,
                    posted_by=finance,
                )
                for n, day, _, _, _, receipt, income in batch
            )
            JournalLine.objects.bulk_create(
                line
                for entry, (_, _, _, amount, restricted, _, income) in zip(
                    entries, batch, strict=True
                )
                for line in (
                    JournalLine(
                        entry=entry, account=accounts["1002"], debit=amount, restriction=restricted
                    ),
                    JournalLine(entry=entry, account=income, credit=amount, restriction=restricted),
                )
            )
            Donation.objects.bulk_create(
                Donation(
                    fund=fund,
                    receipt_number=receipt,
                    donor_name=f"捐赠人{n}",
                    donor_kind="enterprise" if enterprise else "individual",
                    form="cash",
                    channel="bank",
                    amount=amount,
                    restricted_purpose=restricted,
                    publish_name=rng.random() < 0.6,
                    received_on=day,
                    entry=entry,
                    recorded_by=finance,
                )
                for entry, (n, day, enterprise, amount, restricted, receipt, _) in zip(
                    entries, batch, strict=True
                )
            )
    loaded_donations = time.perf_counter()

    expense_codes = ["5101", "5102", "5103", "5104", "5105", "5108"]
    for offset in range(0, GRANTS, BATCH):
        batch = []
        for i in range(min(BATCH, GRANTS - offset)):
            number += 1
            place = rng.choice(villages)
            day = start + datetime.timedelta(days=rng.randrange((today - start).days))
            if offset + i >= GRANTS - 60:
                day = today - datetime.timedelta(days=rng.randrange(5))  # a few still in notice
            category = accounts[rng.choice(expense_codes)]
            amount = Decimal(rng.choice([300, 500, 800, 1000]))
            grant_no = f"YJZ-{day.year}-{next_number('grant', day.year):05d}"
            batch.append((number, place, day, category, amount, grant_no))
        with transaction.atomic():
            entries = JournalEntry.objects.bulk_create(
                JournalEntry(
                    fund=fund,
                    number=n,
                    date=day,
                    kind="grant",
                    category=category,
                    township_code=place.path.strip("/").split("/")[3],
                    grant_number=grant_no,
                    posted_by=finance,
                )
                for n, place, day, category, _, grant_no in batch
            )
            JournalLine.objects.bulk_create(
                line
                for entry, (_, _, _, category, amount, _) in zip(entries, batch, strict=True)
                for line in (
                    JournalLine(entry=entry, account=category, debit=amount),
                    JournalLine(entry=entry, account=accounts["1002"], credit=amount),
                )
            )
            Grant.objects.bulk_create(
                Grant(
                    fund=fund,
                    number=grant_no,
                    association=place,
                    township=townships[place.path.strip("/").split("/")[3]],
                    target="activity",
                    activity_name="活动",
                    category=category,
                    amount=amount,
                    purpose="（内部）",
                    status="paid" if (today - day).days < 7 else "closed",
                    applicant=village,
                    reviewed_by=township,
                    approved_by=county,
                    paid_by=finance,
                    paid_on=day,
                    entry=entry,
                    notice_until=day + datetime.timedelta(days=7),
                )
                for entry, (_, place, day, category, amount, grant_no) in zip(
                    entries, batch, strict=True
                )
            )
    Feedback.objects.bulk_create(
        Feedback(
            fund=fund,
            association=county_assoc,
            kind="comment",
            rating=rng.randint(1, 5),
            text=f"评价{i}",
            reply_due=today + datetime.timedelta(days=7 - i % 30),
        )
        for i in range(COMMENTS)
    )
    loaded_grants = time.perf_counter()

    # The caches, from the journal in one pass each.
    with transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(last_entry_number=number)
        for (kind, year), last in sequences.items():
            Sequence.objects.update_or_create(
                fund=fund, kind=kind, year=year, defaults={"last": last}
            )
        sums = JournalLine.objects.values("account").annotate(d=Sum("debit"), c=Sum("credit"))
        by_code = {a.pk: a for a in accounts.values()}
        Balance.objects.bulk_create(
            Balance(
                fund=fund,
                account_id=row["account"],
                amount=by_code[row["account"]].signed(row["d"], row["c"]),
            )
            for row in sums
        )
        pools = (
            JournalLine.objects.filter(restriction__isnull=False, account__kind="income")
            .values("restriction")
            .annotate(c=Sum("credit"), d=Sum("debit"))
        )
        RestrictedPool.objects.bulk_create(
            RestrictedPool(fund=fund, purpose_id=row["restriction"], amount=row["c"] - row["d"])
            for row in pools
        )
        from django.db.models.functions import TruncMonth

        months = (
            JournalLine.objects.annotate(month=TruncMonth("entry__date"))
            .values("month", "account")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        )
        MonthlyTotal.objects.bulk_create(
            MonthlyTotal(
                fund=fund,
                month=row["month"],
                account_id=row["account"],
                debit=row["d"],
                credit=row["c"],
            )
            for row in months
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    cached = time.perf_counter()

    # Real postings at this volume.
    posting = []
    for i in range(50):
        t = time.perf_counter()
        services.donation_record(
            actor=finance,
            fund=fund,
            donor_name=f"新捐赠人{i}",
            donor_kind="individual",
            form="cash",
            channel="bank",
            amount="100.00",
            received_on=today,
            publish_name=True,
        )
        posting.append(time.perf_counter() - t)
    paying = []
    grants = list(Grant.objects.filter(status="closed").order_by("pk")[:20])
    for grant in grants:
        new = services.grant_apply(
            actor=village,
            association=village.home_association,
            target="activity",
            category=grant.category,
            amount="200.00",
            purpose="bench",
            activity_name="活动",
        )
        new = services.grant_review(actor=township, grant=new, approve=True)
        new = services.grant_approve(actor=county, grant=new, approve=True)
        # Notice first (the default order): the notice ended yesterday, so finance may pay today.
        Grant.objects.filter(pk=new.pk).update(notice_until=today - datetime.timedelta(days=1))
        new.refresh_from_db()
        t = time.perf_counter()
        services.grant_pay(actor=finance, grant=new, source_account=accounts["1002"])
        paying.append(time.perf_counter() - t)
    return {
        "fund_code": fund.association.code,
        "load_seconds": {
            "donations": round(loaded_donations - started, 1),
            "grants_and_comments": round(loaded_grants - loaded_donations, 1),
            "caches": round(cached - loaded_grants, 1),
        },
        "posting_ms": {
            "donation_record median": round(statistics.median(posting) * 1000, 1),
            "grant_pay median": round(statistics.median(paying) * 1000, 1),
        },
        "rows": {
            "donations": Donation.objects.count(),
            "grants": Grant.objects.count(),
            "journal entries": JournalEntry.objects.count(),
            "journal lines": JournalLine.objects.count(),
            "monthly totals": MonthlyTotal.objects.count(),
        },
    }


def measure(code: str, n: int, warmup: int) -> list[dict]:
    from django.test import Client

    from fpa.fund.models import Donation, Grant

    middle_donation = Donation.objects.order_by("-id").values_list("id", flat=True)[DONATIONS // 2]
    middle_grant = Grant.objects.order_by("-id").values_list("id", flat=True)[GRANTS // 2]
    receipt = Donation.objects.order_by("id").values_list("receipt_number", flat=True)[12345]
    grant = Grant.objects.order_by("id").values_list("number", flat=True)[4321]
    base = f"/fund/public/{code}"
    pages = [
        ("home (balance, 12-month charts)", f"{base}/"),
        ("data.json", f"{base}/data.json"),
        ("donations, first page", f"{base}/donations/"),
        ("donations, page at 50,000", f"{base}/donations/?after={middle_donation}"),
        ("receipt verification", f"{base}/receipts/{receipt}/"),
        ("grants, first page", f"{base}/grants/"),
        ("grants, page at 10,000", f"{base}/grants/?after={middle_grant}"),
        ("grant detail + feedback", f"{base}/grants/{grant}/"),
        ("notices in objection period", f"{base}/notices/"),
        ("supervision (5,000 comments)", f"{base}/feedback/"),
        ("rules", f"{base}/rules/"),
        ("annual report", f"{base}/report/"),
    ]
    client = Client()
    out = []
    for label, url in pages:
        for _ in range(warmup):
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(n):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        times.sort()
        out.append(
            {
                "page": label,
                "url": url,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            }
        )
        row = out[-1]
        print(f"{label:34} {row['median_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{RESULTS / 'fund.sqlite3'}")
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="measure the database built before")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    setup(args.database_url)
    from django.db import connection

    if args.reuse:
        built = json.loads((RESULTS / f"fund-{connection.vendor}.json").read_text())
        built.pop("pages", None)
    else:
        reset(args.database_url)
        built = build(random.Random(2023))
    print(json.dumps(built, ensure_ascii=False, indent=2))
    pages = measure(built["fund_code"], args.n, args.warmup)
    result = {"vendor": connection.vendor, **built, "pages": pages}
    (RESULTS / f"fund-{connection.vendor}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
