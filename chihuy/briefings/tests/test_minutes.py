"""The chair's agenda, the minutes, conclusions that become tasks, and the exports (issue 6 §5–6)."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.core.exceptions import ValidationError

from chihuy.briefings import minutes, services
from chihuy.briefings.choices import AgendaSource, Attendance, BriefingStatus
from chihuy.briefings.models import AgendaItem, Conclusion
from chihuy.briefings.tests.conftest import TZ, at
from chihuy.briefings.tests.factories import AgendaItemFactory, BriefingFactory
from chihuy.centres.choices import Role
from chihuy.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefing(world, frozen):
    return services.briefing_create(
        centre=world.province, actor=world.user("province", Role.STANDING), starts_at=at(17), title="Giao ban"
    )


def _chair(world):
    return world.user("province", Role.COMMANDER)


def _no_reports(monkeypatch):
    for name in ("reports_missing", "reports_late"):
        monkeypatch.setattr(f"chihuy.reports.selectors.{name}", lambda *, centre, day: [], raising=False)
    monkeypatch.setattr(
        "chihuy.reports.selectors.report_texts_for_briefing", lambda *, centre, day: [], raising=False
    )


def test_agenda_takes_non_urgent_intake_since_the_last_briefing(world, frozen, monkeypatch):
    from chihuy.intake.tests.factories import make_intake

    _no_reports(monkeypatch)
    frozen.move_to(at(8))
    make_intake(centre=world.province, content="Trước cuộc họp trước, không đưa vào")
    frozen.move_to(at(9))
    services.briefing_create(centre=world.province, actor=None, starts_at=at(10), title="Họp sáng")
    frozen.move_to(at(11))
    kept = make_intake(centre=world.province, content="Chợ đầu mối đông người, không đeo khẩu trang")
    make_intake(centre=world.province, content="Ổ dịch mới", urgent=True, urgency_reason="Ca dương tính")
    make_intake(centre=world.commune, content="Của xã, không thuộc tỉnh")
    b = services.briefing_create(centre=world.province, actor=None, starts_at=at(17), title="Giao ban")
    result = minutes.agenda_build(briefing=b, actor=_chair(world))
    assert result.unavailable == []
    (item,) = b.agenda.all()
    assert item.source == AgendaSource.INTAKE
    assert item.source_key == f"intake:{kept.pk}"
    assert kept.number in item.title
    assert item.source_url == f"/intake/{kept.pk}/"
    # Rebuilding adds only what is new.
    make_intake(centre=world.province, content="Thêm một phản ánh")
    assert minutes.agenda_build(briefing=b, actor=_chair(world)).added == 1
    assert minutes.agenda_build(briefing=b, actor=_chair(world)).added == 0
    assert b.agenda.count() == 2


def test_agenda_takes_reports_missing_late_and_their_difficulties(world, briefing, monkeypatch):
    seen = {}

    def missing(*, centre, day):
        seen["day"] = day
        return [world.district]

    monkeypatch.setattr("chihuy.reports.selectors.reports_missing", missing, raising=False)
    monkeypatch.setattr(
        "chihuy.reports.selectors.reports_late", lambda *, centre, day: [world.commune], raising=False
    )
    monkeypatch.setattr(
        "chihuy.reports.selectors.report_texts_for_briefing",
        lambda *, centre, day: [
            (world.district, "Thiếu test nhanh", "Đề nghị cấp 5.000 test"),
            (world.commune, "", ""),
        ],
        raising=False,
    )
    minutes.agenda_build(briefing=briefing, actor=_chair(world))
    items = {i.source: i for i in briefing.agenda.all()}
    assert seen["day"] == dt.date(2026, 11, 20)
    assert world.district.name in items[AgendaSource.REPORTS_MISSING].body
    assert world.commune.name in items[AgendaSource.REPORTS_LATE].body
    text = items[AgendaSource.REPORT_TEXT]
    assert "Thiếu test nhanh" in text.body and "5.000 test" in text.body
    assert briefing.agenda.filter(source=AgendaSource.REPORT_TEXT).count() == 1  # empty report text skipped


def test_agenda_takes_overdue_tasks(world, frozen, monkeypatch):
    from chihuy.directives.services import task_create

    _no_reports(monkeypatch)
    task = task_create(
        actor=_chair(world),
        centre=world.province,
        title="Rà soát khu cách ly",
        source_kind="other",
        assignee_centres=[world.district],
        deadline=at(12),
    )
    b = services.briefing_create(centre=world.province, actor=None, starts_at=at(17), title="Giao ban")
    frozen.move_to(at(16))
    minutes.agenda_build(briefing=b, actor=_chair(world))
    item = b.agenda.get(source=AgendaSource.TASK_OVERDUE)
    assert item.source_key == f"task:{task.pk}"
    assert "Rà soát khu cách ly" in item.title
    assert "12:00 20/11/2026" in item.body


def test_a_missing_source_is_reported_not_fatal(world, briefing, monkeypatch):
    import chihuy.reports.selectors as reports_selectors

    for name in ("reports_missing", "reports_late", "report_texts_for_briefing"):
        monkeypatch.delattr(reports_selectors, name, raising=False)
    result = minutes.agenda_build(briefing=briefing, actor=_chair(world))
    assert len(result.unavailable) == 3


def test_chair_reorders_and_adds_items(world, briefing):
    a = AgendaItemFactory(briefing=briefing, title="A")
    b = AgendaItemFactory(briefing=briefing, title="B")
    c = minutes.agenda_item_add(briefing=briefing, actor=_chair(world), title="C – chủ trì bổ sung")
    assert c.source == AgendaSource.MANUAL
    minutes.agenda_item_move(item=c, actor=_chair(world), direction="up")
    minutes.agenda_item_move(item=c, actor=_chair(world), direction="up")
    minutes.agenda_item_move(item=a, actor=_chair(world), direction="down")
    assert list(briefing.agenda.values_list("title", flat=True)) == ["C – chủ trì bổ sung", "B", "A"]
    minutes.agenda_item_move(item=a, actor=_chair(world), direction="down")  # already last
    assert list(briefing.agenda.values_list("position", flat=True)) == [10, 20, 30]
    with pytest.raises(ValidationError):
        minutes.agenda_item_add(briefing=briefing, actor=_chair(world), title="  ")
    minutes.agenda_item_update(item=b, actor=_chair(world), notes="Sở Y tế báo cáo thêm")
    b.refresh_from_db()
    assert b.notes == "Sở Y tế báo cáo thêm"


def test_conclusion_rules(world, briefing):
    other = BriefingFactory(centre=world.district)
    foreign_item = AgendaItemFactory(briefing=other)
    with pytest.raises(ValidationError) as exc:
        minutes.conclusion_create(
            briefing=briefing,
            actor=_chair(world),
            text="Giao xã",
            agenda_item=foreign_item,
            assignee_member=world.commune.members.first(),
            assignee_centres=[world.commune],
            deadline=at(16),
        )
    errors = exc.value.message_dict
    assert set(errors) == {"agenda_item"}
    with pytest.raises(ValidationError) as exc:
        minutes.conclusion_create(
            briefing=briefing,
            actor=_chair(world),
            text="Giao xã",
            assignee_member=world.commune.members.first(),
            assignee_centres=[world.commune],
            deadline=at(16),
        )
    assert set(exc.value.message_dict) == {"assignee_member", "assignee_centres", "deadline"}
    assert not Conclusion.objects.exists()


def test_conclusion_becomes_a_task_in_one_click(world, briefing):
    item = AgendaItemFactory(briefing=briefing, title="Khu cách ly tập trung quá tải")
    conclusion = minutes.conclusion_create(
        briefing=briefing,
        actor=_chair(world),
        text="Thành phố Vĩnh Yên mở thêm khu cách ly\ntrong 3 ngày",
        agenda_item=item,
        assignee_centres=[world.district],
        deadline=dt.datetime(2026, 11, 23, 17, 0, tzinfo=TZ),
        priority="high",
    )
    task = minutes.conclusion_to_task(conclusion=conclusion, actor=_chair(world))
    conclusion.refresh_from_db()
    assert conclusion.task == task
    assert task.title == "Thành phố Vĩnh Yên mở thêm khu cách ly"
    assert task.source_kind == "briefing"
    assert task.source_object_id == conclusion.pk
    assert task.priority == "high"
    assert task.centre == world.province
    with pytest.raises(ValidationError):
        minutes.conclusion_to_task(conclusion=conclusion, actor=_chair(world))
    with pytest.raises(ValidationError):
        minutes.conclusion_delete(conclusion=conclusion, actor=_chair(world))


def test_conclusion_without_assignee_or_deadline_cannot_become_a_task(world, briefing):
    c = minutes.conclusion_create(briefing=briefing, actor=_chair(world), text="Tăng cường tuyên truyền")
    with pytest.raises(ValidationError) as exc:
        minutes.conclusion_to_task(conclusion=c, actor=_chair(world))
    assert "chưa có người nhận" in exc.value.messages[0]
    c.assignee_member = world.province.members.get(role=Role.MEMBER)
    c.save()
    with pytest.raises(ValidationError) as exc:
        minutes.conclusion_to_task(conclusion=c, actor=_chair(world))
    assert "chưa có thời hạn" in exc.value.messages[0]


def test_publish_closes_attendance_and_sends_the_minutes(
    world, briefing, frozen, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as exc:
        minutes.minutes_publish(briefing=briefing, actor=_chair(world))
    assert "chưa diễn ra" in exc.value.messages[0]
    frozen.move_to(at(17, 5))
    services.attendance_record(
        briefing=briefing, actor=_chair(world), user=_chair(world), attendance=Attendance.PRESENT
    )
    minutes.conclusion_create(briefing=briefing, actor=_chair(world), text="Kết luận một")
    frozen.move_to(at(18))
    with django_capture_on_commit_callbacks(execute=True):
        minutes.minutes_publish(briefing=briefing, actor=_chair(world))
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.HELD
    assert briefing.participants.filter(attendance=Attendance.UNEXCUSED).count() == 4
    notes = Notification.objects.filter(kind="briefing.minutes")
    assert notes.count() == 5
    assert "Kết luận một" in notes.first().body
    with pytest.raises(ValidationError):
        minutes.agenda_item_add(briefing=briefing, actor=_chair(world), title="Sau khi phát hành")


def _filled(world, briefing, frozen):
    item = minutes.agenda_item_add(
        briefing=briefing, actor=_chair(world), title="Tình hình ổ dịch phường Tích Sơn", body="Có 12 ca mới"
    )
    minutes.agenda_item_update(
        item=item, actor=_chair(world), notes="Trung tâm Y tế đề nghị phong toả tạm thời"
    )
    minutes.conclusion_create(
        briefing=briefing,
        actor=_chair(world),
        text="Phong toả tạm thời tổ dân phố số 3",
        agenda_item=item,
        assignee_centres=[world.district],
        deadline=dt.datetime(2026, 11, 21, 17, 0, tzinfo=TZ),
    )
    minutes.minutes_summary_update(
        briefing=briefing, actor=_chair(world), summary="Các đơn vị khẩn trương thực hiện."
    )
    frozen.move_to(at(17, 10))
    services.attendance_record(
        briefing=briefing, actor=_chair(world), user=_chair(world), attendance=Attendance.PRESENT
    )


def test_minutes_docx_reads_back(world, briefing, frozen):
    from docx import Document

    from chihuy.briefings.exports import minutes_docx

    _filled(world, briefing, frozen)
    doc = Document(io.BytesIO(minutes_docx(briefing=briefing)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "BIÊN BẢN CUỘC HỌP" in text
    assert "Tình hình ổ dịch phường Tích Sơn" in text
    assert "Trung tâm Y tế đề nghị phong toả tạm thời" in text
    assert "Phong toả tạm thời tổ dân phố số 3" in text
    assert "Các đơn vị khẩn trương thực hiện." in text
    assert "Có mặt 1; vắng có phép 0; vắng không phép 0; chưa điểm danh 4." in text
    assert world.user("province", Role.COMMANDER).full_name in cells


def test_minutes_pdf_reads_back(world, briefing, frozen, tmp_path):
    from chihuy.briefings.exports import minutes_pdf

    _filled(world, briefing, frozen)
    path = tmp_path / "bien-ban.pdf"
    path.write_bytes(minutes_pdf(briefing=briefing))
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "BIÊN BẢN CUỘC HỌP" in text
    assert "Phong toả tạm thời tổ dân phố số 3" in text
    assert "Trung tâm Y tế đề nghị phong toả tạm thời" in text
    assert "17:00 20/11/2026" in text


def test_agenda_items_survive_only_with_their_briefing(world, briefing):
    AgendaItemFactory(briefing=briefing)
    briefing.delete()
    assert not AgendaItem.objects.exists()
