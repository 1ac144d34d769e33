"""R3 end to end: the commander's open page shows an urgent alert without a reload; he acknowledges it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from chihuy.alerts.choices import AlertStatus
from chihuy.alerts.models import Alert
from chihuy.alerts.services import alert_raise
from chihuy.centres.choices import Role, Sector
from chihuy.intake.models import IntakeRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _urgent_record(centre):
    return IntakeRecord.objects.create(
        centre=centre,
        number=f"{centre.short_code}-20261122-0042",
        tracking_code="BROWSER042",
        content="Phát hiện chùm ca sốt cao tại chợ",
        address="Chợ Tích Sơn",
        anonymous=True,
        urgent=True,
        urgency_reason="Chùm ca bệnh",
        category=Sector.ISOLATION,
    )


def test_commander_sees_and_acknowledges_a_live_alert(world, page, live_server, log_in):
    commander = world.user("commune", Role.COMMANDER)
    log_in(page, commander.username)
    expect(page.locator("#alert-live")).to_have_attribute("data-alert-stream", "open")
    url_before = page.url

    record = _urgent_record(world.commune)
    alert_raise(record=record)

    banner = page.locator(f"[data-alert-banner='{Alert.objects.get(record=record).pk}']")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(record.number)
    expect(banner).to_contain_text("Cách ly")
    assert page.url == url_before  # no reload

    banner.get_by_role("button", name="Xác nhận").click()
    expect(banner).to_have_count(0)
    alert = Alert.objects.get(record=record)
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == commander


def test_a_tab_opened_later_still_shows_the_waiting_alert(world, page, live_server, log_in):
    record = _urgent_record(world.commune)
    alert_raise(record=record)
    log_in(page, world.user("commune", Role.COMMANDER).username)
    expect(page.locator("[data-alert-banner]")).to_contain_text(record.number)
    page.goto(f"{live_server.url}/alerts/")
    expect(page.locator("main")).to_contain_text(record.number)
