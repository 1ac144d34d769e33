"""Issue 6 §7–8 end to end: a district directive to all its communes, a commune carries its part
out with a file, the district board shows progress per commune; a channel message with a
record link is read and its receipt shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chihuy.centres.choices import Role
from chihuy.directives.choices import TaskStatus
from chihuy.directives.models import Task, TaskAttachment
from chihuy.intake.tests.factories import make_intake
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "directives"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


_OPENED: list = []


@pytest.fixture(autouse=True)
def _close_contexts():
    yield
    while _OPENED:
        _OPENED.pop().close()


def _fresh(page):
    """A new browser context: the next person logs in on his own machine."""
    context = page.context.browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    _OPENED.append(context)
    fresh = context.new_page()
    fresh.set_default_timeout(15000)
    return fresh


def test_directive_to_all_communes_is_carried_out_and_tracked(world, page, live_server, log_in, tmp_path):
    # The district commander gives the directive to all its communes (checked by default).
    log_in(page, world.user("district", Role.COMMANDER).username)
    page.goto(f"{live_server.url}/directives/new")
    page.fill("input[name=title]", "Rà soát người về từ vùng dịch")
    page.fill("textarea[name=description]", "Lập danh sách, báo cáo trước 17:00.")
    page.select_option("select[name=source_kind]", "document")
    page.fill("input[name=document_number]", "123/UBND-VP")
    due = timezone.localdate() + dt.timedelta(days=2)
    page.fill("input[name=deadline_date]", due.strftime("%d/%m/%Y"))
    page.fill("input[name=deadline_time]", "17:00")
    page.select_option("select[name=priority]", "high")
    expect(page.locator("input[name=assignee_centres]")).to_have_count(2)
    _shot(page, "01-new-directive")
    page.get_by_role("button", name="Giao nhiệm vụ").click()
    expect(page.locator(".messages")).to_contain_text("Đã giao nhiệm vụ")
    task = Task.objects.get()
    assert task.assignments.count() == 2

    # A commune officer accepts, posts progress with a file, then reports it done.
    page = _fresh(page)
    log_in(page, world.user("commune", Role.MEMBER).username)
    page.goto(f"{live_server.url}/directives/mine/")
    page.get_by_role("link", name="Rà soát người về từ vùng dịch").click()
    expect(page.locator("main")).not_to_contain_text("Liên Bảo")  # a sibling's part stays hidden
    mine = task.assignments.get(assignee_centre=world.commune)
    form = page.locator(f"form[data-report='{mine.pk}']")
    form.locator("select").select_option("accept")
    form.get_by_role("button", name="Gửi cập nhật").click()
    expect(page.locator(".messages")).to_contain_text("Đã nhận")
    form = page.locator(f"form[data-report='{mine.pk}']")
    form.locator("select").select_option("progress")
    form.locator("input[type=number]").fill("60")
    form.locator("textarea").fill("Đã lập danh sách 42 hộ.")
    scan = tmp_path / "danh-sach.pdf"
    scan.write_bytes(b"%PDF-1.4\n% test\n")
    form.locator("input[type=file]").set_input_files(str(scan))
    form.get_by_role("button", name="Gửi cập nhật").click()
    expect(page.locator(".messages")).to_contain_text("60%")
    expect(page.locator(".task-history")).to_contain_text("danh-sach.pdf")
    _shot(page, "02-commune-progress")
    form = page.locator(f"form[data-report='{mine.pk}']")
    form.locator("select").select_option("done")
    form.locator("textarea").fill("Đã gửi danh sách cho trạm y tế.")
    form.get_by_role("button", name="Gửi cập nhật").click()
    expect(page.locator(".messages")).to_contain_text("Hoàn thành")
    mine.refresh_from_db()
    assert mine.status == TaskStatus.DONE and TaskAttachment.objects.count() == 1

    # The district board shows progress per commune.
    page = _fresh(page)
    log_in(page, world.user("district", Role.COMMANDER).username)
    page.goto(f"{live_server.url}/directives/")
    card = page.locator(f"[data-task='{task.pk}']")
    expect(card).to_be_visible()
    expect(card.locator("progress[aria-label='Trung tâm chỉ huy phường Tích Sơn: 100%']")).to_have_count(1)
    expect(card.locator("progress[aria-label='Trung tâm chỉ huy phường Liên Bảo: 0%']")).to_have_count(1)
    expect(page.locator("[data-column='in_progress']")).to_contain_text("Rà soát người về")
    _shot(page, "03-district-board")
    page.select_option("select[name=status]", "done")  # HTMX filter
    expect(page.locator("#board")).not_to_contain_text("Rà soát người về")
    page.goto(f"{live_server.url}/directives/{task.pk}/")
    expect(page.locator("main")).to_contain_text("1/2 nơi hoàn thành")
    _shot(page, "04-district-task-detail")


def test_channel_message_with_a_record_link_is_read(world, page, live_server, log_in):
    record = make_intake(centre=world.commune)
    log_in(page, world.user("commune", Role.STANDING).username)
    page.goto(f"{live_server.url}/announcements/")
    page.fill("textarea[name=body]", f"Đề nghị tổ y tế xác minh ngay #{record.number}")
    page.get_by_role("button", name="Gửi").click()
    message = page.locator("[data-message]").last
    expect(message).to_contain_text("đã xem 0/4")
    _shot(page, "05-channel-posted")

    reader = _fresh(page)
    log_in(reader, world.user("commune", Role.MEMBER).username)
    reader.goto(f"{live_server.url}/announcements/")
    link = reader.locator("a.record-link", has_text=record.number)
    expect(link).to_have_attribute("href", f"/intake/{record.pk}/")
    expect(reader.locator("[data-message]").last).to_contain_text("đã xem 1/4")
    _shot(reader, "06-channel-reader")

    # The author's open page updates by polling: the receipt shows without a reload.
    expect(page.locator("[data-message]").last).to_contain_text("đã xem 1/4", timeout=12000)
    page.locator("[data-message]").last.locator("summary").click()
    expect(page.locator("[data-message]").last).to_contain_text("member commune")
    _shot(page, "07-channel-receipt")
    link.click()
    expect(reader.locator("h1")).to_contain_text(record.number)
