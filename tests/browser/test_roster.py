"""A commander generates a month, publishes it, and sees it on the calendar."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_generate_publish_and_see_calendar(page, live_server, log_in, world):
    from chihuy.roster.tests.factories import staff_centre

    staff_centre(world.commune, per_agency=6)
    log_in(page, "commune_commander")
    page.goto(f"{live_server.url}/roster/centres/{world.commune.pk}/")
    from django.utils import timezone

    today = timezone.localdate()  # the centre's day, not the machine's (UTC)
    # From yesterday: just after midnight the duty day that started yesterday at 07:00 is on.
    page.fill("input[name=start]", (today - dt.timedelta(days=1)).strftime("%d/%m/%Y"))
    page.fill("input[name=end]", (today + dt.timedelta(days=6)).strftime("%d/%m/%Y"))
    page.click("text=Lập bản nháp")
    page.wait_for_load_state("networkidle")
    assert "Bản nháp" in page.content()
    page.click("text=Ban hành lịch trực")
    page.wait_for_load_state("networkidle")
    assert "Đã ban hành" in page.content()
    # The week three days ahead holds at least four days of the new roster, whatever today is.
    anchor = today + dt.timedelta(days=3)
    page.goto(f"{live_server.url}/roster/centres/{world.commune.pk}/?view=week&date={anchor:%Y-%m-%d}")
    page.wait_for_selector(".roster-item")
    assert page.locator(".roster-item").count() > 50
    page.wait_for_selector("#roster-on-duty")
    assert "Trực chỉ huy" in page.locator("#roster-on-duty").inner_text()
    page.click("text=Sau ›")
    page.wait_for_load_state("networkidle")
    assert "date=" in page.url
