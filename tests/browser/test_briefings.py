"""Issue 6 §1–6 end to end at the city (R26: the city meets its ward centres): an ad-hoc
briefing is scheduled; a venue change 10 minutes before is refused; a member asks to be
absent and the commander allows it; the agenda is built and reordered, minutes and a
conclusion are written, the conclusion becomes a task in one click, attendance is taken,
the minutes are published, and the commune completes the task on the directives pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from chihuy.briefings.choices import AbsenceStatus, Attendance, BriefingStatus, VenueKind
from chihuy.briefings.models import Briefing, Conclusion
from chihuy.centres.choices import Role
from chihuy.centres.models import Centre
from chihuy.directives.choices import TaskStatus
from chihuy.intake.tests.factories import make_intake
from chihuy.notifications.models import Notification
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "briefings"


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def contexts():
    opened = []
    yield opened
    for context in opened:
        context.close()


def _as(page, log_in, user, contexts):
    """A new browser context: the next person logs in on his own machine."""
    context = page.context.browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    contexts.append(context)
    fresh = context.new_page()
    fresh.set_default_timeout(15000)
    problems: list[str] = []
    fresh.on("pageerror", lambda exc: problems.append(str(exc)))
    fresh.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    fresh.problems = problems  # type: ignore[attr-defined]
    log_in(fresh, user.username)
    return fresh


def test_adhoc_briefing_end_to_end(world, page, live_server, log_in, contexts):
    url = live_server.url
    Centre.objects.filter(pk=world.district.pk).update(
        room_primary="Phòng họp UBND thành phố", room_primary_capacity=25
    )
    make_intake(centre=world.district, content="Chợ Vĩnh Yên đông người, nhiều người không đeo khẩu trang")
    standing = world.user("district", Role.STANDING)
    commander = world.user("district", Role.COMMANDER)
    member = world.user("district", Role.MEMBER)

    # 1. The standing unit schedules an ad-hoc meeting ten minutes from now.
    starts = timezone.localtime() + dt.timedelta(minutes=10)
    p = _as(page, log_in, standing, contexts)
    p.goto(f"{url}/briefings/")
    p.get_by_role("link", name="Lên lịch họp đột xuất").click()
    p.fill("#id_title", "Họp đột xuất về ổ dịch chợ Vĩnh Yên")
    p.fill("#id_date", f"{starts:%d/%m/%Y}")
    p.fill("#id_time", f"{starts:%H:%M}")
    _shot(p, "01-schedule-form")
    p.get_by_role("button", name="Lên lịch và thông báo").click()
    expect(p.locator(".messages")).to_contain_text("Đã lên lịch và thông báo")
    briefing = Briefing.objects.get()
    expect(p.locator("main")).to_contain_text("https://meet.jit.si/chihuy-vy-")
    expect(p.locator("main")).to_contain_text(world.commune.name)
    expect(p.locator("main")).to_contain_text("Thiết bị cá nhân")
    assert Notification.objects.filter(kind="briefing.created", user=member).exists()
    _shot(p, "02-detail")

    # 2. A venue change ten minutes before is refused with a clear message.
    p.get_by_role("link", name="Thay đổi địa điểm, thời gian").click()
    expect(p.locator(".briefing-late")).to_contain_text("ít nhất 30 phút trước giờ họp")
    p.select_option("#id_venue_kind", VenueKind.OTHER)
    p.fill("#id_venue_other", "Hội trường Thành uỷ")
    p.get_by_role("button", name="Thay đổi và thông báo").click()
    expect(p.locator(".errorlist")).to_contain_text("Đã quá thời hạn")
    _shot(p, "03-venue-change-refused")
    briefing.refresh_from_db()
    assert briefing.venue == "Phòng họp UBND thành phố"

    # 3. A member asks to be absent; the commander allows it.
    m = _as(page, log_in, member, contexts)
    m.goto(f"{url}/briefings/{briefing.pk}/")
    m.fill("#id_reason", "Đi kiểm tra chốt kiểm soát dịch tại Khai Quang")
    m.get_by_role("button", name="Xin phép vắng mặt").click()
    expect(m.locator(".messages")).to_contain_text("Đã gửi đơn xin vắng mặt")
    c = _as(page, log_in, commander, contexts)
    c.goto(f"{url}/briefings/{briefing.pk}/")
    expect(c.locator(".briefing-pending")).to_contain_text("Đi kiểm tra chốt kiểm soát dịch")
    _shot(c, "04-absence-pending")
    c.get_by_role("button", name="Đồng ý cho vắng").click()
    expect(c.locator(".messages")).to_contain_text("Đã quyết định đơn xin vắng")
    absence = briefing.participants.get(user=member).absences.get()
    assert absence.status == AbsenceStatus.APPROVED

    # 4. The chair builds the agenda, adds and reorders an item, takes minutes.
    c.get_by_role("link", name="Chương trình và biên bản").click()
    c.get_by_role("button", name="Lập chương trình từ dữ liệu").click()
    expect(c.locator("#agenda")).to_contain_text("Chợ Vĩnh Yên đông người")
    c.fill("#id_title", "Phương án phong toả tạm thời khu chợ")
    c.get_by_role("button", name="Thêm vào chương trình").click()
    items = c.locator(".briefing-agenda > li")
    expect(items.last).to_contain_text("Phương án phong toả")
    n = items.count()  # the intake record, the communes without a report today, the new item
    c.get_by_role("button", name=f"Đưa mục {n} lên").click()  # HTMX swaps the agenda in place
    expect(items.nth(n - 2)).to_contain_text("Phương án phong toả")
    item = briefing.agenda.get(title="Phương án phong toả tạm thời khu chợ")
    c.fill(f"#notes-{item.pk}", "Công an thành phố đề nghị lập 3 chốt quanh chợ.")
    c.locator(f"#item-{item.pk}").get_by_role("button", name="Lưu ghi chép").click()
    expect(c.locator(".messages")).to_contain_text("Đã lưu ghi chép")

    # 5. A conclusion for the commune becomes a task in one click.
    form = c.locator(".briefing-conclusion-form")
    form.locator("#id_text").fill("Phường Tích Sơn lập danh sách tiểu thương và test nhanh toàn bộ")
    form.locator("#id_agenda_item").select_option(str(item.pk))
    form.get_by_label(world.commune.name).check()
    deadline = timezone.localdate() + dt.timedelta(days=2)
    form.locator("#id_deadline_date").fill(f"{deadline:%d/%m/%Y}")
    form.locator("#id_deadline_time").fill("17:00")
    form.get_by_role("button", name="Ghi kết luận").click()
    expect(c.locator(".messages")).to_contain_text("Đã ghi kết luận")
    c.get_by_role("button", name="Giao thành nhiệm vụ").click()
    expect(c.locator(".messages")).to_contain_text("Đã giao nhiệm vụ")
    conclusion = Conclusion.objects.get()
    task = conclusion.task
    assert task is not None and task.source_object_id == conclusion.pk
    _shot(c, "05-minutes")

    # 6. Attendance is taken once the meeting is on; the minutes are published.
    c.goto(f"{url}/briefings/{briefing.pk}/")
    chair_row = briefing.participants.get(user=commander)
    c.locator(f"input[name='att-{chair_row.pk}'][value='{Attendance.PRESENT}']").check()
    ward_head = briefing.participants.get(user=world.user("commune", Role.COMMANDER))
    c.locator(f"input[name='att-{ward_head.pk}'][value='{Attendance.PRESENT}']").check()
    c.get_by_role("button", name="Lưu điểm danh").click()
    expect(c.locator(".messages")).to_contain_text("Đã ghi điểm danh 3 người")
    _shot(c, "06-attendance")
    with time_machine.travel(briefing.starts_at + dt.timedelta(minutes=50), tick=True):
        c.goto(f"{url}/briefings/{briefing.pk}/minutes/")
        c.get_by_role("button", name="Phát hành biên bản").click()
        expect(c.locator(".messages")).to_contain_text("Đã phát hành biên bản")
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.HELD
    assert briefing.participants.get(user=member).attendance == Attendance.EXCUSED
    with c.expect_download() as download:
        c.get_by_role("link", name="Tải biên bản PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    _shot(c, "07-published")

    # 7. The commune completes the task on the directives pages; the minutes link back.
    w = _as(page, log_in, world.user("commune", Role.COMMANDER), contexts)
    w.goto(f"{url}/directives/{task.pk}/")
    mine = task.assignments.get(assignee_centre=world.commune)
    report = w.locator(f"form[data-report='{mine.pk}']")
    report.locator("select").select_option("done")
    report.locator("textarea").fill("Đã test nhanh 214 tiểu thương, không có ca dương tính.")
    report.get_by_role("button", name="Gửi cập nhật").click()
    expect(w.locator(".messages")).to_contain_text("Hoàn thành")
    mine.refresh_from_db()
    assert mine.status == TaskStatus.DONE

    # The minutes follow the task to completion.
    c.goto(f"{url}/briefings/{briefing.pk}/minutes/")
    expect(c.locator(f"#conclusion-{conclusion.pk} .briefing-task-status")).to_contain_text(
        "Hoàn thành · 100%"
    )
    c.locator(f"#conclusion-{conclusion.pk}").get_by_role("link", name="Xem nhiệm vụ").click()
    expect(c.locator("main")).to_contain_text("Kết luận giao ban")
    _shot(c, "08-task-from-conclusion")
    with time_machine.travel(briefing.starts_at + dt.timedelta(hours=2), tick=True):
        c.goto(f"{url}/briefings/stats/")
        row = c.locator(".briefing-stats tr", has_text="member district")
        expect(row).to_contain_text("0%")
        expect(c.locator(".briefing-stats").last).to_contain_text("Trung tâm chỉ huy phường Tích Sơn")
        _shot(c, "09-stats")
    c.goto(f"{url}/briefings/")
    _shot(c, "10-index")
    for who in (p, m, c, w):
        assert who.problems == [], who.problems
