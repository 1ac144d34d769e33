"""A duty officer logs a call with the keyboard alone (issue 3 §2); nothing here times anything."""

from __future__ import annotations

import pytest

from chihuy.centres.choices import Role, Sector

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_duty_officer_logs_a_call_with_the_keyboard_alone(world, page, live_server, log_in):
    from chihuy.intake.models import IntakeRecord

    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    officer = world.user("commune", Role.DUTY_OFFICER)
    log_in(page, officer.username)
    page.goto(f"{live_server.url}/intake/new/")

    # The phone box has the focus as soon as the page opens.
    assert page.evaluate("document.activeElement.name") == "reporter_phone"
    page.keyboard.type("0912 345 678")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "reporter_name"
    page.keyboard.type("Phạm Văn Dũng")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "location"
    page.keyboard.type("tich son")
    page.wait_for_selector("#intake-location-list [role=option][data-id]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("#id_jurisdiction") == str(world.commune.jurisdiction.pk)
    assert "Tích Sơn" in page.input_value("#id_location")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "content"
    page.keyboard.type("Khu trọ số 5 có hai người sốt cao, ho, mới đi từ vùng dịch về")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "category"
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.input_value("#id_category") == Sector.TREATMENT
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"{live_server.url}/intake/")

    record = IntakeRecord.objects.get()
    assert record.reporter_phone == "0912345678"
    assert record.reporter_name == "Phạm Văn Dũng"
    assert record.jurisdiction == world.commune.jurisdiction
    assert record.category == Sector.TREATMENT
    assert record.received_by == officer
    row = page.locator("table.intake-table tbody tr", has_text=record.number)
    assert row.count() == 1
    assert "chờ giao ban" in row.inner_text()
    assert problems == []


def test_duplicate_warning_and_route_advice_show_while_typing(world, page, live_server, log_in):
    from chihuy.intake.tests.factories import make_intake

    make_intake(
        centre=world.commune, reporter_phone="0912345678", content="Khu trọ số 5 có hai người sốt cao"
    )
    log_in(page, world.user("commune", Role.DUTY_OFFICER).username)
    page.goto(f"{live_server.url}/intake/new/")
    page.keyboard.type("0912345678")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("lien bao")
    page.wait_for_selector("#intake-location-list [role=option][data-id]")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector("#intake-route .intake-route")
    assert world.sibling.name in page.inner_text("#intake-route")
    page.keyboard.press("Tab")
    page.keyboard.type("khu tro so 5 hai nguoi sot cao")
    page.keyboard.press("Tab")
    page.wait_for_selector("#intake-duplicates .intake-warning")
    assert "Có thể trùng" in page.inner_text("#intake-duplicates")
