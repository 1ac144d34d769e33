"""Schedule, venue and time changes, participants, absences, attendance (R5–R7, R10, R12, R26)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from chihuy.briefings import services
from chihuy.briefings.choices import (
    AbsenceStatus,
    Attendance,
    BriefingKind,
    BriefingStatus,
    ChangeKind,
    PointKind,
    VenueKind,
)
from chihuy.briefings.models import Briefing, BriefingChange, Participant
from chihuy.briefings.tests.conftest import NOW, at
from chihuy.briefings.tests.factories import BriefingFactory, BriefingSettingsFactory
from chihuy.centres.choices import Role
from chihuy.core.testing.factories import MemberFactory, UserFactory
from chihuy.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _user(world, key, role):
    return world.user(key, role)


def _adhoc(world, starts_at, **kw):
    return services.briefing_create(
        centre=world.province, actor=_user(world, "province", Role.STANDING), starts_at=starts_at, **kw
    )


# --- Schedule ---------------------------------------------------------------------------


def test_adhoc_briefing_sets_up_points_people_link_and_tells_everyone(
    rooms, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        b = _adhoc(rooms, at(14), title="Họp khẩn về ổ dịch")
    points = {p.kind: p for p in b.points.exclude(kind=PointKind.CHILD)}
    assert set(points) == {PointKind.HQ, PointKind.PERSONAL}
    child = b.points.get(kind=PointKind.CHILD)
    assert child.centre == rooms.district
    # The centre's command and members at headquarters (duty officers keep the hotline).
    hq_users = set(b.participants.filter(point=points[PointKind.HQ]).values_list("user__username", flat=True))
    assert hq_users == {"province_commander", "province_deputy", "province_member", "province_standing"}
    # R12: the district's head attends at the district point by default.
    assert list(b.participants.filter(point=child).values_list("user__username", flat=True)) == [
        "district_commander"
    ]
    assert b.venue == "Phòng họp tầng 2" and b.venue_kind == VenueKind.PRIMARY
    assert b.video_url == "https://meet.jit.si/chihuy-vp-20261120-1400"
    assert b.chair == _user(rooms, "province", Role.COMMANDER)  # no command-duty roster: the commander
    assert Notification.objects.filter(kind="briefing.created").count() == 5
    assert len(mail.outbox) == 5


def test_meeting_in_the_past_is_refused_and_nothing_is_saved(world, frozen):
    with pytest.raises(ValidationError) as exc:
        _adhoc(world, NOW - dt.timedelta(minutes=1))
    assert "quá khứ" in exc.value.message_dict["starts_at"][0]
    assert not Briefing.objects.exists()


def test_chair_must_be_a_leader_of_the_centre(world, frozen):
    with pytest.raises(ValidationError) as exc:
        _adhoc(world, at(14), chair=_user(world, "province", Role.MEMBER))
    assert "chỉ huy trưởng hoặc phó" in exc.value.message_dict["chair"][0]


def test_chair_is_the_deputy_on_command_duty(world, frozen, monkeypatch):
    deputy = _user(world, "province", Role.DEPUTY)
    monkeypatch.setattr("chihuy.roster.selectors.command_duty_users", lambda *, centre, at=None: [deputy])
    assert services.default_chair(centre=world.province, at=at(17)) == deputy


def test_fallback_room_when_attendance_exceeds_the_main_room(rooms, frozen):
    for i in range(3):
        MemberFactory(centre=rooms.province, role=Role.MEMBER, user=UserFactory(username=f"extra{i}"))
    b = _adhoc(rooms, at(14))
    assert b.participants.filter(point__kind=PointKind.HQ).count() == 7
    assert (b.venue_kind, b.venue) == (VenueKind.FALLBACK, "Hội trường tầng 4")


def test_upcoming_regular_briefings_are_created_once(world, frozen):
    BriefingSettingsFactory(centre=world.province, days_ahead=3)
    first = services.briefings_ensure_upcoming(centre=world.province)
    assert [timezone_hm(b.starts_at) for b in first] == ["17:00 20/11", "17:00 21/11", "17:00 22/11"]
    assert all(b.kind == BriefingKind.REGULAR for b in first)
    assert services.briefings_ensure_upcoming(centre=world.province) == []
    assert Briefing.objects.count() == 3
    # The database refuses a second regular briefing on the same day.
    with pytest.raises(IntegrityError):
        BriefingFactory(centre=world.province, kind=BriefingKind.REGULAR, starts_at=at(18), people=False)


def test_regular_time_is_editable_and_a_passed_time_is_skipped(world, frozen):
    frozen.move_to(at(18))
    services.briefing_settings_update(
        centre=world.province,
        actor=_user(world, "province", Role.COMMANDER),
        regular_time=dt.time(16, 30),
        days_ahead=2,
    )
    days = list(Briefing.objects.values_list("occurrence_date", flat=True))
    assert days == [dt.date(2026, 11, 21)]  # today's 16:30 is over
    b = Briefing.objects.get()
    assert timezone_hm(b.starts_at) == "16:30 21/11"


def test_bad_video_template_is_refused(world, frozen):
    with pytest.raises(ValidationError) as exc:
        services.briefing_settings_update(
            centre=world.province, actor=None, video_url_template="https://meet.jit.si/{room}"
        )
    assert "{room}" in exc.value.message_dict["video_url_template"][0]


def timezone_hm(value):
    from django.utils import timezone

    return f"{timezone.localtime(value):%H:%M %d/%m}"


# --- Venue and time changes (R5) -------------------------------------------------------


def test_venue_change_in_time_notifies_every_participant(rooms, frozen, django_capture_on_commit_callbacks):
    b = _adhoc(rooms, at(14))
    Notification.objects.all().delete()
    mail.outbox.clear()
    frozen.move_to(at(13, 29))
    with django_capture_on_commit_callbacks(execute=True):
        changes = services.briefing_change(
            briefing=b, actor=_user(rooms, "province", Role.STANDING), venue_kind=VenueKind.FALLBACK
        )
    b.refresh_from_db()
    assert b.venue == "Hội trường tầng 4"
    assert b.points.get(kind=PointKind.HQ).location == "Hội trường tầng 4"
    assert [c.kind for c in changes] == [ChangeKind.VENUE]
    assert changes[0].notified == b.participants.count() == 5
    assert Notification.objects.filter(kind="briefing.changed").count() == 5
    assert "Hội trường tầng 4" in mail.outbox[0].body


def test_adhoc_change_less_than_30_minutes_before_is_refused(rooms, frozen):
    b = _adhoc(rooms, at(14))
    frozen.move_to(at(13, 50))
    with pytest.raises(ValidationError) as exc:
        services.briefing_change(
            briefing=b, actor=_user(rooms, "province", Role.STANDING), venue_kind=VenueKind.FALLBACK
        )
    assert "ít nhất 30 phút trước giờ họp" in exc.value.messages[0]
    b.refresh_from_db()
    assert b.venue_kind == VenueKind.PRIMARY
    assert not BriefingChange.objects.exists()


def test_regular_change_must_be_before_17h(rooms, frozen):
    BriefingSettingsFactory(centre=rooms.province, days_ahead=1)
    (b,) = services.briefings_ensure_upcoming(centre=rooms.province)
    frozen.move_to(at(16, 59))
    services.briefing_change(
        briefing=b, actor=_user(rooms, "province", Role.STANDING), venue="Phòng 5 tầng 4"
    )
    frozen.move_to(at(17, 0))
    with pytest.raises(ValidationError) as exc:
        services.briefing_change(briefing=b, actor=_user(rooms, "province", Role.STANDING), venue="Phòng 6")
    assert "giao ban định kỳ phải chuẩn bị trước giờ họp (17:00 20/11/2026)" in exc.value.messages[0]


def test_commander_overrides_a_late_change_with_a_recorded_reason(rooms, frozen):
    b = _adhoc(rooms, at(14))
    frozen.move_to(at(13, 50))
    deputy = _user(rooms, "province", Role.DEPUTY)
    with pytest.raises(ValidationError) as exc:
        services.briefing_change(briefing=b, actor=deputy, venue="Phòng 3", override_reason="Phòng hỏng điện")
    assert "override_reason" in exc.value.message_dict
    (change,) = services.briefing_change(
        briefing=b,
        actor=_user(rooms, "province", Role.COMMANDER),
        venue="Phòng 3",
        override_reason="Phòng họp chính mất điện",
    )
    assert change.late and change.reason == "Phòng họp chính mất điện"
    assert b.venue_kind == VenueKind.OTHER


def test_time_change_rules(rooms, frozen):
    b = _adhoc(rooms, at(14))
    actor = _user(rooms, "province", Role.STANDING)
    with pytest.raises(ValidationError) as exc:
        services.briefing_change(briefing=b, actor=actor, starts_at=at(8))
    assert "đã qua" in exc.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError) as exc:
        services.briefing_change(briefing=b, actor=actor, starts_at=at(9, 20))
    assert "ít nhất 30 phút" in exc.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError):
        services.briefing_change(briefing=b, actor=actor)  # nothing changed
    (change,) = services.briefing_change(briefing=b, actor=actor, starts_at=at(15))
    assert (change.kind, change.old_value, change.new_value) == (
        ChangeKind.TIME,
        "14:00 20/11/2026",
        "15:00 20/11/2026",
    )


def test_cancel_needs_a_reason_and_tells_everyone(world, frozen):
    b = _adhoc(world, at(14))
    with pytest.raises(ValidationError):
        services.briefing_cancel(briefing=b, actor=_user(world, "province", Role.COMMANDER), reason=" ")
    services.briefing_cancel(briefing=b, actor=_user(world, "province", Role.COMMANDER), reason="Trùng lịch")
    assert b.status == BriefingStatus.CANCELLED
    assert Notification.objects.filter(kind="briefing.cancelled").count() == 5
    with pytest.raises(ValidationError):
        services.briefing_change(briefing=b, actor=_user(world, "province", Role.COMMANDER), venue="X")


# --- Participants (R12, R26, R7) -------------------------------------------------------


def test_child_centre_chooses_who_attends_at_its_point(world, frozen):
    b = _adhoc(world, at(14))
    point = b.points.get(centre=world.district)
    members = list(world.district.members.filter(role__in=[Role.DEPUTY, Role.MEMBER]))
    services.point_choose_attendees(
        point=point, actor=_user(world, "district", Role.STANDING), members=members
    )
    assert set(point.participants.values_list("user__username", flat=True)) == {
        "district_deputy",
        "district_member",
    }
    # Someone of another centre cannot be seated at the district's point.
    with pytest.raises(ValidationError) as exc:
        services.point_choose_attendees(
            point=point, actor=None, members=[world.commune.members.get(role=Role.MEMBER)]
        )
    assert "không phải thành viên" in exc.value.message_dict["members"][0]
    frozen.move_to(at(14, 1))
    with pytest.raises(ValidationError):
        services.point_choose_attendees(point=point, actor=None, members=[])


def test_commander_seats_members_at_ward_points_and_a_member_joins_from_his_phone(world, frozen):
    b = _adhoc(world, at(14))
    member = b.participants.get(user=_user(world, "province", Role.MEMBER))
    ward = b.points.get(centre=world.district)
    personal = b.points.get(kind=PointKind.PERSONAL)
    with pytest.raises(ValidationError):
        services.participant_move(
            participant=member, actor=_user(world, "province", Role.STANDING), point=ward
        )
    services.participant_move(participant=member, actor=_user(world, "province", Role.COMMANDER), point=ward)
    assert member.point == ward
    services.participant_move(participant=member, actor=member.user, point=personal)
    assert member.point == personal
    assert Notification.objects.filter(kind="briefing.moved", user=member.user).count() == 2


def test_add_and_remove_participants(world, frozen):
    b = _adhoc(world, at(14))
    officer = world.province.members.get(role=Role.DUTY_OFFICER)
    p = services.participant_add(briefing=b, actor=None, member=officer)
    assert p.point.kind == PointKind.HQ
    with pytest.raises(ValidationError):
        services.participant_add(briefing=b, actor=None, member=officer)
    with pytest.raises(ValidationError):
        services.participant_add(briefing=b, actor=None, member=world.sibling.members.first())
    with pytest.raises(ValidationError):
        services.participant_remove(participant=b.participants.get(user=b.chair), actor=None)
    services.participant_remove(participant=p, actor=None)
    assert not b.participants.filter(user=officer.user).exists()


# --- Absences and attendance (R10) -----------------------------------------------------


def test_absence_is_requested_before_and_approved_by_the_commander(world, frozen):
    b = _adhoc(world, at(14))
    member = b.participants.get(user=_user(world, "province", Role.MEMBER))
    with pytest.raises(ValidationError):
        services.absence_request(participant=member, actor=_user(world, "province", Role.DEPUTY), reason="Ốm")
    absence = services.absence_request(participant=member, actor=member.user, reason="Đi kiểm tra chốt")
    assert Notification.objects.filter(kind="briefing.absence_requested", user=b.chair).exists()
    with pytest.raises(ValidationError):
        services.absence_request(participant=member, actor=member.user, reason="Lần hai")
    with pytest.raises(ValidationError) as exc:
        services.absence_decide(absence=absence, actor=_user(world, "province", Role.STANDING), approve=True)
    assert "Chỉ chỉ huy trưởng" in exc.value.messages[0]
    services.absence_decide(absence=absence, actor=b.chair, approve=True, note="Đồng ý")
    member.refresh_from_db()
    assert absence.status == AbsenceStatus.APPROVED
    assert member.attendance == Attendance.EXCUSED
    assert Notification.objects.filter(kind="briefing.absence_decided", user=member.user).exists()


def test_nobody_approves_his_own_absence(world, frozen):
    b = _adhoc(world, at(14))
    commander = _user(world, "province", Role.COMMANDER)
    mine = b.participants.get(user=commander)
    absence = services.absence_request(participant=mine, actor=commander, reason="Họp ở Trung ương")
    with pytest.raises(ValidationError) as exc:
        services.absence_decide(absence=absence, actor=commander, approve=True)
    assert "tự duyệt" in exc.value.messages[0]
    # The commander was asking: a deputy decides.
    services.absence_decide(absence=absence, actor=_user(world, "province", Role.DEPUTY), approve=False)
    assert absence.status == AbsenceStatus.REFUSED


def test_absence_after_the_start_is_refused(world, frozen):
    b = _adhoc(world, at(14))
    member = b.participants.get(user=_user(world, "province", Role.MEMBER))
    frozen.move_to(at(14, 5))
    with pytest.raises(ValidationError) as exc:
        services.absence_request(participant=member, actor=member.user, reason="Muộn")
    assert "trước giờ họp" in exc.value.messages[0]


def test_attendance_rules(world, frozen):
    b = _adhoc(world, at(14))
    chair = b.chair
    member = _user(world, "province", Role.MEMBER)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(briefing=b, actor=chair, user=member, attendance=Attendance.PRESENT)
    assert "30 phút trước giờ họp" in exc.value.messages[0]
    frozen.move_to(at(14, 5))
    outsider = _user(world, "sibling", Role.MEMBER)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(briefing=b, actor=chair, user=outsider, attendance=Attendance.PRESENT)
    assert "không có trong danh sách dự họp" in exc.value.message_dict["user"][0]
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(briefing=b, actor=chair, user=member, attendance=Attendance.EXCUSED)
    assert "chưa được phép vắng mặt" in exc.value.message_dict["attendance"][0]
    ward = b.points.get(centre=world.district)
    p = services.attendance_record(
        briefing=b, actor=chair, user=member, attendance=Attendance.PRESENT, point=ward
    )
    assert (p.attendance, p.attended_point) == (Attendance.PRESENT, ward)
    # The sheet is all or nothing.
    with pytest.raises(ValidationError):
        services.attendance_record_many(
            briefing=b,
            actor=chair,
            rows=[(chair, Attendance.PRESENT, None), (outsider, Attendance.PRESENT, None)],
        )
    assert Participant.objects.get(briefing=b, user=chair).attendance == Attendance.UNKNOWN


def test_attendance_statistics_per_member_and_centre(world, frozen):
    from chihuy.briefings.selectors import attendance_stats

    first = _adhoc(world, at(10))
    second = _adhoc(world, at(11))
    member = _user(world, "province", Role.MEMBER)
    absence = services.absence_request(
        participant=second.participants.get(user=member), actor=member, reason="Công tác"
    )
    services.absence_decide(absence=absence, actor=second.chair, approve=True)
    frozen.move_to(at(12))
    services.attendance_record(briefing=first, actor=first.chair, user=member, attendance=Attendance.PRESENT)
    services.attendance_record(
        briefing=first,
        actor=first.chair,
        user=_user(world, "district", Role.COMMANDER),
        attendance=Attendance.UNEXCUSED,
    )
    per_member, per_centre = attendance_stats(
        user=_user(world, "province", Role.COMMANDER),
        centre=world.province,
        date_from=dt.date(2026, 11, 1),
        date_to=dt.date(2026, 11, 30),
    )
    row = next(r for r in per_member if r.label == member.full_name)
    assert (row.total, row.present, row.excused, row.unexcused, row.rate) == (2, 1, 1, 0, 50)
    district = next(r for r in per_centre if r.sub == "VY")
    assert (district.total, district.unexcused, district.unknown) == (2, 1, 1)
