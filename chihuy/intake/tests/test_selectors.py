from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chihuy.centres.choices import Sector
from chihuy.intake.choices import HandlingLevel, IntakeStatus
from chihuy.intake.selectors import (
    intake_duplicates,
    intake_for_briefing,
    intake_list,
    intake_route,
    intake_today,
)
from chihuy.intake.services import intake_forward, intake_set_status, routing_rule_set
from chihuy.intake.tests.factories import make_intake

pytestmark = pytest.mark.django_db


def test_list_visibility_own_descendants_never_sibling(world):
    own = make_intake(centre=world.commune)
    sib = make_intake(centre=world.sibling)
    commune_user = world.user("commune", "duty_officer")
    assert list(intake_list(user=commune_user, centre=world.commune)) == [own]
    assert sib not in intake_list(user=commune_user, centre=world.sibling)
    district_user = world.user("district", "commander")
    below = set(intake_list(user=district_user, centre=world.district, include_below=True))
    assert below == {own, sib}
    province_user = world.user("province", "standing")
    assert set(intake_list(user=province_user, centre=world.province, include_below=True)) == {own, sib}


def test_forwarded_record_becomes_visible_to_target_only_by_the_copy(world):
    record = make_intake(centre=world.commune)
    sibling_user = world.user("sibling", "duty_officer")
    assert not intake_list(user=sibling_user, centre=world.sibling).exists()
    copy = intake_forward(record=record, to_centre=world.sibling, reason="Sai địa bàn")
    assert list(intake_list(user=sibling_user, centre=world.sibling)) == [copy]
    assert record not in intake_list(user=sibling_user, centre=world.sibling)
    # The origin keeps its line in its own logbook, marked forwarded.
    mine = list(intake_list(user=world.user("commune", "duty_officer"), centre=world.commune))
    assert mine == [record] and mine[0].status == IntakeStatus.FORWARDED


def test_route_outside_area_names_the_lowest_centre(world):
    advice = intake_route(
        centre=world.commune, jurisdiction=world.sibling.jurisdiction, category=Sector.ISOLATION
    )
    assert advice is not None
    assert advice.centre == world.sibling
    assert advice.hotline == world.sibling.hotline
    assert (
        intake_route(centre=world.commune, jurisdiction=world.commune.jurisdiction, category="cach_ly")
        is None
    )
    assert intake_route(centre=world.commune, jurisdiction=None, category="cach_ly") is None


def test_route_follows_the_provinces_rule(world):
    routing_rule_set(centre=world.province, category=Sector.SECURITY, level=HandlingLevel.DISTRICT)
    advice = intake_route(
        centre=world.commune, jurisdiction=world.commune.jurisdiction, category=Sector.SECURITY
    )
    assert advice is not None and advice.centre == world.district
    assert "cấp huyện" in advice.reason
    # The district itself is right; the province is sent down to the district.
    assert (
        intake_route(centre=world.district, jurisdiction=world.commune.jurisdiction, category="an_ninh")
        is None
    )
    down = intake_route(centre=world.province, jurisdiction=world.sibling.jurisdiction, category="an_ninh")
    assert down is not None and down.centre == world.district
    # A province with no rule for the category keeps what is inside its area.
    assert (
        intake_route(centre=world.province, jurisdiction=world.sibling.jurisdiction, category="cach_ly")
        is None
    )
    routing_rule_set(centre=world.province, category=Sector.SECURITY, level="")
    assert (
        intake_route(centre=world.commune, jurisdiction=world.commune.jurisdiction, category="an_ninh")
        is None
    )


def test_routing_rule_only_at_province(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        routing_rule_set(centre=world.district, category=Sector.FOOD, level=HandlingLevel.PROVINCE)


def test_duplicates_same_phone_similar_content_two_hours(world):
    first = make_intake(
        centre=world.commune,
        reporter_phone="0912000111",
        content="Có 3 người sốt cao ở khu trọ số 5 đường Lê Lợi",
    )
    make_intake(
        centre=world.commune,
        reporter_phone="0912000111",
        content="Có người sốt ở khu trọ",
        received_at=timezone.now() - dt.timedelta(hours=3),
    )
    found = intake_duplicates(
        centre=world.commune, phone="+84912000111", content="3 nguoi sot cao khu tro so 5"
    )
    assert [d.record for d in found] == [first]
    assert (
        intake_duplicates(centre=world.commune, phone="0912000222", content="3 người sốt cao khu trọ số 5")
        == []
    )
    assert intake_duplicates(centre=world.commune, phone="0912000111", content="Mất điện cả khu phố") == []
    assert (
        intake_duplicates(centre=world.sibling, phone="0912000111", content="3 người sốt cao khu trọ") == []
    )
    assert intake_duplicates(centre=world.commune, phone="0912000111", content="", exclude_pk=first.pk) == []


def test_briefing_gets_non_urgent_since_last_briefing(world):
    now = timezone.now()
    early = make_intake(centre=world.commune, received_at=now - dt.timedelta(hours=30))
    normal = make_intake(centre=world.commune)
    make_intake(centre=world.commune, urgent=True, urgency_reason="Khẩn")
    gone = make_intake(centre=world.commune)
    intake_forward(record=gone, to_centre=world.sibling)
    make_intake(centre=world.sibling)
    assert list(intake_for_briefing(centre=world.commune)) == [normal]
    since = now - dt.timedelta(days=2)
    assert list(intake_for_briefing(centre=world.commune, since=since)) == [early, normal]
    intake_set_status(record=normal, status=IntakeStatus.IN_PROGRESS)
    assert list(intake_for_briefing(centre=world.commune)) == [normal]


def test_today(world):
    today = make_intake(centre=world.commune)
    make_intake(centre=world.commune, received_at=timezone.now() - dt.timedelta(days=1))
    assert list(intake_today(centre=world.commune)) == [today]
