"""Benchmark: generate one month of duty roster for (a) every centre of the demo province and
(b) one centre in each current commune (3,321) with 8 members each.

Uses a throwaway database: ``var/bench/roster.sqlite3`` (recreated each run), or, when
DATABASE_URL is set, a scratch database ``<name>_bench`` next to it on the same server.

Prints exactly one JSON line: seconds_province, seconds_national, unfilled, max_spread
(the largest difference in shift count between two members of the same agency and centre).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SQLITE_PATH = ROOT / "var" / "bench" / "roster.sqlite3"
MONTH = (dt.date(2026, 5, 1), dt.date(2026, 5, 31))


def _setup() -> tuple[str, str | None]:
    if not os.environ.get("DATABASE_URL"):
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chihuy.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0)
        return connection.vendor, None
    original = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{original}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return connection.vendor, original


def _national_centres() -> list:
    """A centre in each current commune: commander, deputy and two officers of Health, Police, Office."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from chihuy.centres.choices import AgencyKind, CentreLevel, CentreStatus, Role
    from chihuy.centres.models import Agency, Centre, Member
    from chihuy.jurisdictions.choices import Level, Structure
    from chihuy.jurisdictions.models import Jurisdiction

    communes = list(
        Jurisdiction.objects.filter(structure=Structure.CURRENT, level=Level.COMMUNE).order_by("code")
    )
    User = get_user_model()
    with transaction.atomic():
        centres = Centre.objects.bulk_create(
            [
                Centre(
                    name=f"TTCH {j.name}",
                    short_code=f"N{j.code}",
                    level=CentreLevel.COMMUNE,
                    jurisdiction=j,
                    status=CentreStatus.ACTIVE,
                )
                for j in communes
            ],
            batch_size=1000,
        )
        centres = list(Centre.objects.filter(short_code__startswith="N").order_by("pk"))
        for c in centres:
            c.path = f"/{c.pk}/"
        Centre.objects.bulk_update(centres, ["path"], batch_size=1000)
        kinds = [(AgencyKind.HEALTH, "YT"), (AgencyKind.POLICE, "CA"), (AgencyKind.OFFICE, "VP")]
        Agency.objects.bulk_create(
            [
                Agency(centre=c, name=short, short_name=short, kind=k, order=i)
                for c in centres
                for i, (k, short) in enumerate(kinds)
            ],
            batch_size=2000,
        )
        agencies = {(a.centre_id, a.kind): a.pk for a in Agency.objects.filter(centre__in=centres)}
        people = [(Role.COMMANDER, None), (Role.DEPUTY, None)] + [
            (Role.DUTY_OFFICER, k) for k, _s in kinds for _i in range(2)
        ]
        User.objects.bulk_create(
            [
                User(username=f"n{c.pk}_{i}", full_name=f"Cán bộ {i}", password="!")
                for c in centres
                for i in range(len(people))
            ],
            batch_size=2000,
        )
        users = dict(User.objects.filter(username__startswith="n").values_list("username", "pk"))
        Member.objects.bulk_create(
            [
                Member(
                    centre=c,
                    user_id=users[f"n{c.pk}_{i}"],
                    role=role,
                    agency_id=agencies[(c.pk, kind)] if kind else None,
                )
                for c in centres
                for i, (role, kind) in enumerate(people)
            ],
            batch_size=2000,
        )
    return centres


def _generate(centres) -> tuple[float, list]:
    from django.db import transaction

    from chihuy.roster.services import roster_generate_many

    started = time.perf_counter()
    # One batch, as the monthly job that drafts every centre's roster runs it.
    with transaction.atomic():
        rosters = roster_generate_many(centres=centres, start=MONTH[0], end=MONTH[1])
    return time.perf_counter() - started, rosters


def _stats(rosters) -> tuple[int, int]:
    from chihuy.roster.choices import DutyRole
    from chihuy.roster.models import Assignment

    unfilled = sum(len(r.unfilled) for r in rosters)
    counts: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    rows = Assignment.objects.filter(roster__in=[r.pk for r in rosters]).exclude(role=DutyRole.COMMAND)
    for centre_id, agency_id, member_id in rows.values_list("centre_id", "agency_id", "member_id").iterator(
        chunk_size=20000
    ):
        counts[(centre_id, agency_id)][member_id] += 1
    spread = 0
    for members in counts.values():
        spread = max(spread, max(members.values()) - min(members.values()))
    return unfilled, spread


def main() -> None:
    vendor, original_name = _setup()
    from django.db import connection

    from chihuy.centres.models import Centre
    from chihuy.core.demo import load_demo
    from chihuy.jurisdictions.services import jurisdictions_load
    from chihuy.roster.services import roster_setup

    try:
        jurisdictions_load(structure="both")
        load_demo()
        province = list(Centre.objects.order_by("path"))
        national = _national_centres()
        for c in [*province, *national]:  # set-up (default shifts and R1 staffing) is not generation
            roster_setup(centre=c)
        seconds_province, rosters_p = _generate(province)
        seconds_national, rosters_n = _generate(national)
        unfilled, spread = _stats(rosters_p + rosters_n)
        line = {
            "bench": "roster",
            "db": vendor,
            "centres_province": len(province),
            "centres_national": len(national),
            "seconds_province": round(seconds_province, 3),
            "seconds_national": round(seconds_national, 3),
            "unfilled": unfilled,
            "max_spread": spread,
        }
    finally:
        if original_name is not None:
            connection.creation.destroy_test_db(original_name, verbosity=0)
    print(json.dumps(line))


if __name__ == "__main__":
    main()
