"""Two commanders booking the same person at once: the per-person lock row serialises them."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from chihuy.roster import services
from chihuy.roster.choices import DutyRole
from chihuy.roster.models import Assignment

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs a server database for two connections"
    ),
]


def test_two_editors_never_double_book(world):
    from chihuy.roster.tests.factories import staff_centre

    s = staff_centre(world.commune, per_agency=6)
    future = dt.date.today() + dt.timedelta(days=40)
    roster = services.roster_generate(centre=s.centre, start=future, end=future)
    person = s.officers["health"][0]
    Assignment.objects.filter(user=person.user).delete()
    start = dt.datetime.combine(future, dt.time(8), tzinfo=dt.UTC)
    first_locked, release = threading.Event(), threading.Event()
    outcome: dict[str, str] = {}

    def editor(name: str, offset: int, hold: bool) -> None:
        try:
            with transaction.atomic():
                services.assignment_create(
                    roster=roster,
                    member=person,
                    role=DutyRole.PRIMARY,
                    start=start + dt.timedelta(hours=offset),
                    end=start + dt.timedelta(hours=offset + 4),
                )
                if hold:
                    first_locked.set()
                    release.wait(5)
            outcome[name] = "ok"
        except ValidationError as exc:
            outcome[name] = exc.messages[0]
        finally:
            connections.close_all()

    a = threading.Thread(target=editor, args=("a", 0, True))
    a.start()
    first_locked.wait(5)
    b = threading.Thread(target=editor, args=("b", 1, False))
    b.start()
    b.join(0.5)
    assert b.is_alive(), "the second editor must wait for the first one's lock"
    release.set()
    a.join()
    b.join()
    assert outcome["a"] == "ok"
    assert "hai nơi cùng lúc" in outcome["b"]
    assert Assignment.objects.filter(user=person.user).count() == 1
