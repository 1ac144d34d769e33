"""The batch generation (monthly job, national bench) keeps the single-centre rules."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError

from chihuy.centres.choices import Role
from chihuy.core.testing.factories import MemberFactory
from chihuy.roster import services
from chihuy.roster.choices import DutyRole
from chihuy.roster.models import Assignment, Roster
from chihuy.roster.tests.factories import staff_centre

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 4, 24), dt.date(2026, 5, 7)


def test_batch_generates_every_centre_without_double_booking_a_shared_person(world, frozen):
    a = staff_centre(world.commune, per_agency=3)
    b = staff_centre(world.sibling, per_agency=3)
    # One health officer also serves the sibling commune: he may never be in two places at once.
    shared = a.officers["health"][0]
    MemberFactory(centre=world.sibling, user=shared.user, role=Role.DUTY_OFFICER, agency=b.health)
    rosters = services.roster_generate_many(centres=[world.commune, world.sibling], start=START, end=END)
    assert [r.centre_id for r in rosters] == [world.commune.pk, world.sibling.pk]
    assert all(r.pk and Assignment.objects.filter(roster=r).exists() for r in rosters)
    mine = list(Assignment.objects.filter(user=shared.user).order_by("start").values_list("start", "end"))
    assert mine
    for (_s1, e1), (s2, _e2) in itertools.pairwise(mine):
        assert e1 <= s2
    # Each roster carries its audit entry and its unfilled list, as a single generation does.
    from chihuy.audit.models import AuditEntry

    assert AuditEntry.objects.filter(object_id__in=[str(r.pk) for r in rosters]).count() >= 2


def test_batch_equals_one_by_one(world, frozen):
    staff_centre(world.commune, per_agency=3)
    single = services.roster_generate(centre=world.commune, start=START, end=END)
    one = sorted(Assignment.objects.filter(roster=single).values_list("member_id", "start", "role"))
    batch = services.roster_generate_many(centres=[world.commune], start=START, end=END)[0]
    assert batch.pk == single.pk  # the draft of the same period is redone, not duplicated
    again = sorted(Assignment.objects.filter(roster=batch).values_list("member_id", "start", "role"))
    assert one == again and Roster.objects.filter(centre=world.commune).count() == 1
    assert any(role == DutyRole.COMMAND for _m, _s, role in again)


def test_one_refused_centre_refuses_the_batch(world, frozen):
    staff_centre(world.commune, per_agency=3)
    staff_centre(world.sibling, per_agency=3)
    published = services.roster_generate(centre=world.sibling, start=START, end=END)
    services.roster_publish(roster=published)
    with pytest.raises(ValidationError):
        services.roster_generate_many(centres=[world.commune, world.sibling], start=START, end=END)
    assert not Roster.objects.filter(centre=world.commune).exists()
