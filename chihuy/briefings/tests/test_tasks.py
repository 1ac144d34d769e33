"""The daily run, the demo seed, and ``briefing_next`` (used by the reports dashboard)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chihuy.briefings.choices import BriefingKind, BriefingStatus
from chihuy.briefings.demo import seed_demo_briefings
from chihuy.briefings.models import Briefing
from chihuy.briefings.selectors import briefing_next
from chihuy.briefings.tasks import briefings_ensure_daily
from chihuy.briefings.tests.conftest import at
from chihuy.briefings.tests.factories import BriefingFactory, BriefingSettingsFactory
from chihuy.centres.choices import CentreStatus

pytestmark = pytest.mark.django_db


def test_daily_task_is_idempotent_and_skips_dissolved_centres(world, frozen):
    BriefingSettingsFactory(centre=world.province, days_ahead=2)
    BriefingSettingsFactory(centre=world.sibling, days_ahead=2)
    type(world.sibling).objects.filter(pk=world.sibling.pk).update(status=CentreStatus.DISSOLVED)
    assert briefings_ensure_daily.enqueue().return_value == 2
    assert briefings_ensure_daily.enqueue().return_value == 0
    assert set(Briefing.objects.values_list("centre_id", flat=True)) == {world.province.pk}


def test_demo_seed_gives_tomorrows_17h_briefing(world, frozen):
    b = seed_demo_briefings(world.province)
    assert b.kind == BriefingKind.REGULAR
    assert timezone.localtime(b.starts_at) == at(17, day=21)
    assert b.chair == world.user("province", "commander")
    assert b.points.filter(centre=world.district).exists()
    again = seed_demo_briefings(world.province)
    assert again.pk == b.pk
    assert Briefing.objects.filter(kind=BriefingKind.REGULAR).count() == 7


def test_briefing_next_is_the_one_not_over_yet(world, frozen):
    assert briefing_next(centre=world.province) is None
    earlier = BriefingFactory(
        centre=world.province, starts_at=at(8, 30), people=False
    )  # 08:30–09:30, running
    later = BriefingFactory(centre=world.province, starts_at=at(17), people=False)
    BriefingFactory(centre=world.province, starts_at=at(12), status=BriefingStatus.CANCELLED, people=False)
    BriefingFactory(centre=world.district, starts_at=at(10), people=False)
    assert briefing_next(centre=world.province) == earlier
    frozen.move_to(at(9, 31))
    assert briefing_next(centre=world.province) == later
    frozen.move_to(at(18, 1))
    assert briefing_next(centre=world.province) is None
    assert dt.timedelta(minutes=later.duration_minutes) == dt.timedelta(hours=1)


def test_schedule_command_creates_and_books_once(world, frozen, settings):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    BriefingSettingsFactory(centre=world.province, days_ahead=2)
    call_command("briefings_schedule")
    call_command("briefings_schedule")
    assert Briefing.objects.count() == 2
    (row,) = DBTaskResult.objects.filter(task_path="chihuy.briefings.tasks.briefings_ensure_daily")
    assert timezone.localtime(row.run_after) == at(6, day=21)
