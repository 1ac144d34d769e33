from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from chihuy.audit.models import AuditEntry
from chihuy.centres.choices import Role, Sector
from chihuy.intake.choices import Channel, EventKind, IntakeStatus
from chihuy.intake.models import IntakeAttachment, IntakeDayCounter, IntakeEvent, IntakeRecord
from chihuy.intake.services import (
    intake_assign,
    intake_create,
    intake_escalate,
    intake_forward,
    intake_note,
    intake_set_status,
    intake_update,
)
from chihuy.intake.tests.factories import make_intake

pytestmark = pytest.mark.django_db


def _fields(world, **extra):
    data = {
        "reporter_name": "Trần Thị Bình",
        "reporter_phone": "0912 345 678",
        "jurisdiction": world.commune.jurisdiction,
        "category": Sector.ISOLATION,
        "content": "Có người đi từ vùng dịch về không khai báo",
    }
    data.update(extra)
    return data


def test_create_assigns_number_tracking_code_and_event(world):
    officer = world.user("commune", "duty_officer")
    record = intake_create(centre=world.commune, received_by=officer, **_fields(world))
    today = timezone.localdate()
    assert record.number == f"TS-{today:%Y%m%d}-0001"
    assert len(record.tracking_code) == 10
    assert record.reporter_phone == "0912345678"
    assert record.reporter_phone_key == "0912345678"
    assert "vung dich" in record.search_key
    assert record.status == IntakeStatus.RECEIVED
    event = record.events.get()
    assert event.kind == EventKind.CREATED
    assert event.actor == officer


def test_numbers_are_sequential_per_centre_and_day(world):
    first = make_intake(centre=world.commune)
    second = make_intake(centre=world.commune)
    other = make_intake(centre=world.sibling)
    yesterday = timezone.now() - dt.timedelta(days=1)
    old = make_intake(centre=world.commune, received_at=yesterday)
    day = timezone.localdate()
    assert first.number.endswith(f"{day:%Y%m%d}-0001")
    assert second.number.endswith(f"{day:%Y%m%d}-0002")
    assert other.number == f"LB-{day:%Y%m%d}-0001"
    assert old.number == f"TS-{timezone.localdate(yesterday):%Y%m%d}-0001"


def test_phone_plus84_is_normalised(world):
    record = intake_create(
        centre=world.commune, received_by=None, **_fields(world, reporter_phone="+84 912.345.678")
    )
    assert record.reporter_phone == "0912345678"


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"reporter_phone": "12345"}, "reporter_phone", "Số điện thoại không hợp lệ"),
        ({"reporter_phone": "091234567890"}, "reporter_phone", "Số điện thoại không hợp lệ"),
        ({"reporter_phone": ""}, "reporter_phone", "giấu tên"),
        ({"content": "   "}, "content", "Nhập nội dung"),
        ({"jurisdiction": None, "jurisdiction_id": 987654}, "jurisdiction", "Không tìm thấy địa bàn"),
        ({"jurisdiction": None, "address": ""}, "jurisdiction", "Chọn địa bàn"),
        ({"urgent": True, "urgency_reason": ""}, "urgency_reason", "lý do khẩn cấp"),
    ],
)
def test_invalid_input_is_refused_in_vietnamese_and_nothing_saved(world, extra, field, message):
    data = _fields(world, **extra)
    if "jurisdiction_id" in extra:
        data.pop("jurisdiction")
    with pytest.raises(ValidationError) as exc:
        intake_create(centre=world.commune, received_by=None, **data)
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert not IntakeRecord.objects.exists()
    assert not IntakeDayCounter.objects.exists()
    assert not IntakeEvent.objects.exists()


def test_future_time_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        intake_create(
            centre=world.commune,
            received_by=None,
            **_fields(world, received_at=timezone.now() + dt.timedelta(hours=1)),
        )
    assert "tương lai" in exc.value.message_dict["received_at"][0]
    assert not IntakeRecord.objects.exists()


def test_anonymous_needs_no_phone_and_unknown_location_needs_address(world):
    record = intake_create(
        centre=world.commune,
        received_by=None,
        **_fields(world, anonymous=True, reporter_phone="", jurisdiction=None, address="Chợ đầu mối"),
    )
    assert record.reporter_phone_key == ""
    assert record.jurisdiction is None


def test_attachment_type_and_size_are_checked(world):
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        intake_create(centre=world.commune, received_by=None, attachments=[bad], **_fields(world))
    assert "không được chấp nhận" in exc.value.message_dict["attachments"][0]
    big = SimpleUploadedFile("scan.pdf", b"0" * (10 * 1024 * 1024 + 1), content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        intake_create(centre=world.commune, received_by=None, attachments=[big], **_fields(world))
    assert "quá lớn" in exc.value.message_dict["attachments"][0]
    assert not IntakeRecord.objects.exists()
    ok = SimpleUploadedFile("anh.png", b"\x89PNG....", content_type="image/png")
    record = intake_create(centre=world.commune, received_by=None, attachments=[ok], **_fields(world))
    assert IntakeAttachment.objects.get().record == record


def test_urgent_record_commits_with_its_alert_and_first_step(world, django_capture_on_commit_callbacks):
    """Issue 12 §2: no after-commit hook is needed for the alert; the commander's event is stored."""
    with django_capture_on_commit_callbacks(execute=False):
        record = intake_create(
            centre=world.commune,
            received_by=None,
            **_fields(world, urgent=True, urgency_reason="Người có triệu chứng khó thở"),
        )
        calm = make_intake(centre=world.commune)
    alert = record.alerts.get()
    assert alert.steps.get(position=0).fired_at is not None
    assert alert.deliveries.filter(channel="in_app", user=world.user("commune", Role.COMMANDER)).exists()
    assert not calm.alerts.exists()


def test_an_alert_that_cannot_be_raised_stores_no_record(world, monkeypatch):
    """An urgent record and its alert commit together or not at all."""
    import chihuy.alerts.services as alerts

    def broken(*, record):
        raise RuntimeError("chain could not be built")

    monkeypatch.setattr(alerts, "alert_raise", broken)
    with pytest.raises(RuntimeError):
        intake_create(
            centre=world.commune, received_by=None, **_fields(world, urgent=True, urgency_reason="Khẩn")
        )
    assert not IntakeRecord.objects.exists()


def test_status_flow_and_result_required(world):
    record = make_intake(centre=world.commune)
    with pytest.raises(ValidationError) as exc:
        intake_set_status(record=record, status=IntakeStatus.RESOLVED)
    assert "kết quả" in exc.value.message_dict["result"][0]
    intake_set_status(record=record, status=IntakeStatus.IN_PROGRESS)
    intake_set_status(
        record=record,
        status=IntakeStatus.RESOLVED,
        result="Đã đưa đi cách ly",
        reporter_told="Đã báo lại người dân",
    )
    record.refresh_from_db()
    assert record.status == IntakeStatus.RESOLVED
    assert record.reporter_told == "Đã báo lại người dân"
    with pytest.raises(ValidationError):
        intake_set_status(record=record, status=IntakeStatus.FORWARDED)
    assert list(record.events.values_list("kind", flat=True)) == ["created", "status", "status"]


def test_assign_checks_centre_and_moves_to_in_progress(world):
    record = make_intake(centre=world.commune)
    own = world.commune.members.get(role="member")
    other = world.sibling.members.get(role="member")
    with pytest.raises(ValidationError) as exc:
        intake_assign(record=record, member=other)
    assert "không thuộc trung tâm" in exc.value.message_dict["handler_member"][0]
    intake_assign(record=record, member=own)
    record.refresh_from_db()
    assert record.handler_member == own
    assert record.status == IntakeStatus.IN_PROGRESS


def test_update_records_event_and_refuses_forwarded(world):
    record = make_intake(centre=world.commune)
    intake_update(record=record, content="Nội dung đã sửa: có 3 người", by=world.user("commune", "standing"))
    event = record.events.last()
    assert event.kind == EventKind.UPDATED
    assert "nội dung" in event.note
    intake_forward(record=record, to_centre=world.sibling)
    with pytest.raises(ValidationError):
        intake_update(record=record, content="khác")


def test_forward_creates_copy_at_target_with_history_at_both(world):
    officer = world.user("commune", "duty_officer")
    record = make_intake(centre=world.commune, received_by=officer, jurisdiction=world.sibling.jurisdiction)
    copy = intake_forward(
        record=record, to_centre=world.sibling, reason="Địa bàn phường Liên Bảo", by=officer
    )
    record.refresh_from_db()
    assert record.status == IntakeStatus.FORWARDED
    assert copy.centre == world.sibling
    assert copy.channel == Channel.FORWARDED
    assert copy.forwarded_from == record
    assert copy.status == IntakeStatus.RECEIVED
    assert copy.content == record.content
    assert copy.number.startswith("LB-")
    assert copy.tracking_code != record.tracking_code
    assert record.events.filter(kind=EventKind.FORWARDED, to_centre=world.sibling).exists()
    assert copy.events.filter(kind=EventKind.FORWARDED, from_centre=world.commune).exists()
    with pytest.raises(ValidationError):
        intake_forward(record=record, to_centre=world.sibling)


def test_forward_to_self_is_refused(world):
    record = make_intake(centre=world.commune)
    with pytest.raises(ValidationError) as exc:
        intake_forward(record=record, to_centre=world.commune)
    assert "to_centre" in exc.value.message_dict


def test_escalate_goes_to_parent_with_reason(world):
    record = make_intake(centre=world.commune)
    with pytest.raises(ValidationError) as exc:
        intake_escalate(record=record, reason=" ")
    assert "lý do" in exc.value.message_dict["reason"][0]
    copy = intake_escalate(record=record, reason="Vượt thẩm quyền: cần phong tỏa cả khu")
    record.refresh_from_db()
    assert record.status == IntakeStatus.ESCALATED
    assert copy.centre == world.district
    assert copy.events.get().kind == EventKind.ESCALATED
    with pytest.raises(ValidationError):
        intake_escalate(record=make_intake(centre=world.province), reason="không có cấp trên")


def test_note_event(world):
    record = make_intake(centre=world.commune)
    intake_note(record=record, note="Đã gọi lại lần 2")
    assert record.events.last().note == "Đã gọi lại lần 2"


def test_audit_entries_written_with_actor(world):
    officer = world.user("commune", "duty_officer")
    record = make_intake(centre=world.commune, received_by=officer)
    entry = AuditEntry.objects.filter(object_id=str(record.pk), content_type__model="intakerecord").get()
    assert entry.action == "create"
    assert entry.actor_id == officer.pk
    assert entry.centre_id == world.commune.pk
    intake_set_status(record=record, status=IntakeStatus.IN_PROGRESS, by=officer)
    assert (
        AuditEntry.objects.filter(object_id=str(record.pk), content_type__model="intakerecord").count() == 2
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_entries_never_share_a_number(world):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite is not shared between threads")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _i in range(5):
                make_intake(centre=world.commune)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(IntakeRecord.objects.filter(centre=world.commune).values_list("number", flat=True))
    assert len(numbers) == 20
    assert [n[-4:] for n in numbers] == [f"{i:04d}" for i in range(1, 21)]


def test_counter_created_by_a_concurrent_entry_is_bumped_instead(world, monkeypatch):
    """Two first-of-the-day entries race to create the counter: the loser retries the UPDATE."""
    from django.db.models import QuerySet

    IntakeDayCounter.objects.create(centre=world.commune, day=timezone.localdate(), last=1)
    real_update = QuerySet.update
    calls = {"n": 0}

    def update_before_the_other_entry_committed(self, **kwargs):
        calls["n"] += 1
        if self.model is IntakeDayCounter and calls["n"] == 1:
            return 0  # our UPDATE ran before the other entry's INSERT was visible
        return real_update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", update_before_the_other_entry_committed)
    record = make_intake(centre=world.commune)
    assert record.number.endswith("-0002")
    assert IntakeDayCounter.objects.get().last == 2
