"""A commander changes a shift time and the staffing, records a leave, regenerates the draft and
sees the person off duty on his leave day (issue 4)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = ARTIFACTS / "roster"


def _settle(page) -> None:
    # Every request saves the session (SESSION_SAVE_EVERY_REQUEST); let the page's own
    # background requests finish so that they do not race the next submission on SQLite.
    page.wait_for_load_state("networkidle")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_settings_leave_and_regenerate(page, live_server, log_in, world):
    from chihuy.roster.models import Assignment, Roster, ShiftDefinition, StaffingRule
    from chihuy.roster.tests.factories import staff_centre

    staffed = staff_centre(world.commune, per_agency=6)
    centre = world.commune
    log_in(page, "commune_commander")
    page.goto(f"{live_server.url}/roster/centres/{centre.pk}/")
    _settle(page)
    page.click("text=Cài đặt lịch trực")
    page.wait_for_selector("#roster-shifts")
    _settle(page)
    _shot(page, "settings")

    # A morning shift ending at 12:00 without moving the afternoon one is refused, clearly.
    page.fill("input[name='shift-1-start_time']", "12:00")
    page.click("#roster-shifts button[type=submit]")
    page.wait_for_selector("#roster-shifts .errorlist")
    _settle(page)
    assert "trùng giờ từ 12:00 đến 13:00" in page.locator("#roster-shifts").inner_text()
    _shot(page, "shift-overlap-refused")
    page.fill("input[name='shift-0-end_time']", "12:00")
    page.fill("input[name='shift-1-start_time']", "12:00")
    page.click("#roster-shifts button[type=submit]")
    page.wait_for_selector(".msg-success")
    _settle(page)
    assert ShiftDefinition.objects.get(centre=centre, name="Ca 1").end_time == dt.time(12)
    assert "12:00" in page.locator("#roster-staffing thead").inner_text()

    # Two police officers on the evening shift.
    ca3 = ShiftDefinition.objects.get(centre=centre, name="Ca 3")
    page.fill(f"input[name='p_{staffed.police.pk}_{ca3.pk}']", "2")
    page.click("#roster-staffing button[type=submit]")
    page.wait_for_selector(".msg-success")
    _settle(page)
    assert StaffingRule.objects.get(agency=staffed.police, shift=ca3).primary_count == 2
    _shot(page, "settings-saved")

    # A first draft for three days.
    start = dt.date.today() + dt.timedelta(days=1)
    end = start + dt.timedelta(days=2)
    leave_day = start + dt.timedelta(days=1)
    page.goto(f"{live_server.url}/roster/centres/{centre.pk}/")
    _settle(page)
    page.fill("input[name=start]", start.strftime("%d/%m/%Y"))
    page.fill("input[name=end]", end.strftime("%d/%m/%Y"))
    page.click("text=Lập bản nháp")
    page.wait_for_selector("text=Bản nháp")
    _settle(page)
    roster = Roster.objects.get(centre=centre)
    assert roster.assignments.filter(agency=staffed.health, start__hour=12).exists()  # local time
    on_leave = next(
        m
        for m in staffed.officers["health"]
        if Assignment.objects.filter(roster=roster, member=m, start__date=leave_day).exists()
    )

    # His leave, recorded by the commander: warned that he already has duties that day.
    page.goto(f"{live_server.url}/roster/centres/{centre.pk}/leave/")
    _settle(page)
    page.select_option("select[name=member]", str(on_leave.pk))
    page.fill("input[name=start]", leave_day.strftime("%d/%m/%Y"))
    page.fill("input[name=end]", leave_day.strftime("%d/%m/%Y"))
    page.fill("input[name=reason]", "Nghỉ phép năm")
    page.click("#roster-leave-form button[type=submit]")
    page.wait_for_selector(".msg-warning")
    _settle(page)
    assert "cần sửa các ca đó" in page.locator(".messages").inner_text()
    assert "Nghỉ phép năm" in page.locator(".roster-leave-table").inner_text()
    _shot(page, "leave-recorded")

    # Regenerate the same period: the draft is replaced and he is off that day.
    page.goto(f"{live_server.url}/roster/centres/{centre.pk}/")
    _settle(page)
    page.fill("input[name=start]", start.strftime("%d/%m/%Y"))
    page.fill("input[name=end]", end.strftime("%d/%m/%Y"))
    page.click("text=Lập bản nháp")
    page.wait_for_selector("table.roster-table")
    _settle(page)
    rows = page.locator("table.roster-table tbody tr", has_text=leave_day.strftime("%d/%m/%Y"))
    assert rows.count() > 10
    assert str(on_leave.user) not in " ".join(rows.all_inner_texts())
    assert str(on_leave.user) in page.locator("table.roster-table").inner_text(), "works the other days"
    _shot(page, "regenerated")
