from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from chihuy.audit.models import AuditEntry
from chihuy.notifications.models import Notification
from chihuy.roster import notify, services
from chihuy.roster.choices import DutyRole, SwapStatus
from chihuy.roster.models import Assignment, ShiftDefinition, StaffingRule
from chihuy.roster.selectors import command_duty_users, on_duty_now
from chihuy.roster.tests.conftest import TZ

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0, month: int = 4) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def test_setup_defaults(staffed):
    services.roster_setup(centre=staffed.centre)
    shifts = list(ShiftDefinition.objects.filter(centre=staffed.centre))
    assert [(s.start_time.hour, s.end_time.hour) for s in shifts] == [(7, 13), (13, 19), (19, 1), (1, 7)]
    assert shifts[2].crosses_midnight and shifts[2].duration == dt.timedelta(hours=6)
    rules = {r.agency.kind: (r.per_day, r.primary_count, r.backup_count) for r in StaffingRule.objects.all()}
    assert rules == {"health": (False, 1, 1), "police": (False, 1, 1), "office": (True, 1, 0)}


def test_generate_fair_and_complete(staffed):
    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 24), end=dt.date(2026, 5, 23)
    )
    assert roster.unfilled == []
    rows = Assignment.objects.filter(roster=roster)
    # 30 days × (4 shifts × 2 agencies × 2 + office + command)
    assert rows.count() == 30 * 18
    for agency in (staffed.health, staffed.police):
        counts = Counter(rows.filter(agency=agency).values_list("member_id", flat=True))
        assert max(counts.values()) - min(counts.values()) <= 1
        nights = Counter(rows.filter(agency=agency, is_night=True).values_list("member_id", flat=True))
        assert max(nights.values()) - min(nights.values()) <= 1
    assert rows.filter(is_holiday=True, start__date=dt.date(2026, 4, 30)).exists()
    # Deterministic: the same input gives the same roster.
    first = list(rows.order_by("start", "role", "agency_id", "member_id").values_list("member_id", "start"))
    services.roster_generate(centre=staffed.centre, start=dt.date(2026, 4, 24), end=dt.date(2026, 5, 23))
    again = list(
        Assignment.objects.filter(roster=roster)
        .order_by("start", "role", "agency_id", "member_id")
        .values_list("member_id", "start")
    )
    assert first == again
    assert AuditEntry.objects.filter(object_id=str(roster.pk), changes__has_key="generated").exists()


def test_generate_lists_unfilled_with_reason(world, frozen):
    from chihuy.roster.tests.factories import staff_centre

    s = staff_centre(world.commune, per_agency=1)
    roster = services.roster_generate(centre=s.centre, start=dt.date(2026, 4, 24), end=dt.date(2026, 4, 25))
    assert roster.unfilled
    assert all(u["reason"] for u in roster.unfilled)
    assert any("12 giờ" in u["reason"] for u in roster.unfilled)


def test_generate_respects_leave(staffed):
    member = staffed.officers["health"][0]
    services.unavailability_create(member=member, start=at(24, 0), end=at(28, 0), reason="Nghỉ phép")
    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 24), end=dt.date(2026, 4, 27)
    )
    assert not Assignment.objects.filter(roster=roster, member=member, start__lt=at(28, 0)).exists()


def test_generate_refuses_overlap_with_published(published):
    with pytest.raises(ValidationError, match="ban hành"):
        services.roster_generate(centre=published.centre, start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 10))


def test_publish_notifies_people_and_agencies(staffed, django_capture_on_commit_callbacks):
    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 24), end=dt.date(2026, 4, 30)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_publish(roster=roster)
    people = set(Assignment.objects.filter(roster=roster).values_list("user_id", flat=True))
    own = Notification.objects.filter(kind=notify.KIND_PUBLISHED)
    assert set(own.values_list("user_id", flat=True)) == people and own.count() == len(people)
    health = Notification.objects.filter(kind=notify.KIND_AGENCY_LIST, subject__contains="YT")
    assert {n.user_id for n in health} == {m.user_id for m in staffed.officers["health"]}
    # The e-mails are sent by the notifications' delivery task, after commit.
    subjects = [m.subject for m in mail.outbox]
    assert any("Lịch trực của bạn" in s for s in subjects)
    assert any("Danh sách trực của YT" in s for s in subjects)
    assert all(n.deliveries["email"]["status"] == "sent" for n in Notification.objects.all())
    with pytest.raises(ValidationError):
        services.roster_publish(roster=roster)


def test_command_duty_and_on_duty_now(published, staffed):
    users = command_duty_users(centre=staffed.centre, at=at(24, 10))
    assert len(users) == 1
    assert users[0] in {staffed.commander.user, staffed.deputy.user}
    duty = on_duty_now(centre=staffed.centre, at=at(24, 20))
    # Health and Police on the shift, the Office's official of the day.
    assert len(duty.officers) == 3 and len(duty.backups) == 2 and len(duty.command) == 1
    assert {m.agency_id for m in duty.officers} == {staffed.health.pk, staffed.police.pk, staffed.office.pk}
    assert duty.hotline_fallback_member in duty.officers
    # Outside any published roster: nobody.
    assert command_duty_users(centre=staffed.centre, at=at(20, 10)) == []
    assert command_duty_users(centre=staffed.centre, at=at(24, 10)) != []


def test_command_duty_users_empty_for_draft(staffed):
    services.roster_generate(centre=staffed.centre, start=dt.date(2026, 4, 24), end=dt.date(2026, 4, 30))
    assert command_duty_users(centre=staffed.centre, at=at(25, 10)) == []


def test_on_duty_includes_office_daily_official(published, staffed):
    duty = on_duty_now(centre=staffed.centre, at=at(24, 10))
    assert any(m.agency_id == staffed.office.pk for m in duty.officers)


def _health_primary(roster, start):
    return Assignment.objects.get(roster=roster, role=DutyRole.PRIMARY, agency__kind="health", start=start)


def test_manual_edit_double_booking_and_rest_messages(published, staffed):
    a = _health_primary(published, at(25, 7))
    b = Assignment.objects.get(
        roster=published, role=DutyRole.PRIMARY, agency__kind="police", start=at(25, 7)
    )
    with pytest.raises(ValidationError, match="không thể trực hai nơi cùng lúc"):
        services.assignment_update(assignment=a, member=b.member, start=a.start, end=a.end)
    # Same agency, someone who worked until 07:00 the same morning: rest breach.
    prev = Assignment.objects.get(
        roster=published, role=DutyRole.PRIMARY, agency__kind="health", start=at(25, 1)
    )
    with pytest.raises(ValidationError, match="chưa nghỉ đủ 12 giờ"):
        services.assignment_update(assignment=a, member=prev.member, start=a.start, end=a.end)
    # Deputy may override with a recorded reason; a duty officer may not.
    leader = staffed.commander.user
    officer = staffed.officers["health"][1].user
    with pytest.raises(ValidationError):
        services.assignment_update(
            assignment=a,
            member=prev.member,
            start=a.start,
            end=a.end,
            override_reason="Thiếu người",
            by=officer,
        )
    services.assignment_update(
        assignment=a, member=prev.member, start=a.start, end=a.end, override_reason="Thiếu người", by=leader
    )
    a.refresh_from_db()
    assert a.member == prev.member and a.override_reason == "Thiếu người"


def test_edit_only_future_and_role_checks(published, staffed, world):
    past = _health_primary(published, at(24, 7))
    with pytest.raises(ValidationError, match="chưa bắt đầu"):
        services.assignment_update(assignment=past, member=past.member, start=at(26, 7), end=at(26, 13))
    command = Assignment.objects.filter(roster=published, role=DutyRole.COMMAND, start__gt=at(25, 0)).first()
    with pytest.raises(ValidationError, match="chỉ huy trưởng"):
        services.assignment_update(
            assignment=command, member=staffed.officers["health"][0], start=command.start, end=command.end
        )
    from chihuy.centres.models import Member

    outsider = Member.objects.get(centre=world.sibling, role="duty_officer")
    with pytest.raises(ValidationError, match="không có vai trò"):
        services.assignment_create(
            roster=published, member=outsider, role=DutyRole.PRIMARY, start=at(27, 7), end=at(27, 13)
        )


def _standing_ids(staffed):
    """The standing unit: the world's member and the one ``staff_centre`` adds."""
    from chihuy.centres.models import Member

    return set(
        Member.objects.filter(centre=staffed.centre, role="standing").values_list("user_id", flat=True)
    )


def _fresh_health_officer(staffed):
    from chihuy.core.testing.factories import MemberFactory, UserFactory

    return MemberFactory(
        centre=staffed.centre, role="duty_officer", agency=staffed.health, user=UserFactory(username="yt_moi")
    )


def test_swap_flow_with_leader_approval(published, staffed, world, django_capture_on_commit_callbacks):
    a = _health_primary(published, at(27, 7))
    requester = a.user
    target = _fresh_health_officer(staffed)
    with pytest.raises(ValidationError, match="Chỉ người được phân công"):
        services.swap_request(assignment=a, user=target.user, counterpart=target)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        swap = services.swap_request(assignment=a, user=requester, counterpart=target, reason="Việc gia đình")
    assert [m.to for m in mail.outbox] == [[target.user.email]]
    assert Notification.objects.get(kind="roster.swap_requested").user == target.user
    with pytest.raises(ValidationError):
        services.swap_accept(swap=swap, user=requester)
    swap = services.swap_accept(swap=swap, user=target.user)
    assert swap.status == SwapStatus.ACCEPTED
    with pytest.raises(ValidationError):
        services.swap_approve(swap=swap, by=requester)
    swap = services.swap_approve(swap=swap, by=staffed.commander.user)
    assert swap.status == SwapStatus.APPROVED
    a.refresh_from_db()
    assert a.member == target


def test_swap_auto_approved_when_centre_allows(published, staffed):
    settings_obj = services.roster_setup(centre=staffed.centre)
    settings_obj.auto_approve_swaps = True
    settings_obj.save()
    a = _health_primary(published, at(28, 7))
    target = _fresh_health_officer(staffed)
    swap = services.swap_request(assignment=a, user=a.user, counterpart=target)
    swap = services.swap_accept(swap=swap, user=target.user)
    assert swap.status == SwapStatus.APPROVED and swap.decided_by is None


def test_checkin_window_and_once(published, frozen):
    a = _health_primary(published, at(24, 13))
    with pytest.raises(ValidationError, match="30 phút"):
        services.checkin_record(assignment=a, user=a.user)
    frozen.move_to(at(24, 12, 45))
    with pytest.raises(ValidationError, match="Chỉ người được phân công"):
        services.checkin_record(assignment=a, user=published.centre.members.first().user)
    c = services.checkin_record(assignment=a, user=a.user)
    assert c.at == at(24, 12, 45)
    with pytest.raises(ValidationError, match="Đã điểm danh"):
        services.checkin_record(assignment=a, user=a.user)


def test_missed_checkin_alert_is_idempotent(published, staffed, frozen, django_capture_on_commit_callbacks):
    from chihuy.roster.tasks import checkin_missed_alert

    a = _health_primary(published, at(24, 13))
    mail.outbox.clear()
    assert checkin_missed_alert.call(a.pk) is False  # not due yet
    frozen.move_to(at(24, 13, 16))
    with django_capture_on_commit_callbacks(execute=True):
        assert checkin_missed_alert.call(a.pk) is True
    recipients = {r for m in mail.outbox for r in m.to}
    backup = Assignment.objects.get(roster=published, role=DutyRole.BACKUP, agency=a.agency, start=a.start)
    assert backup.user.email in recipients
    assert staffed.standing.user.email in recipients
    notices = Notification.objects.filter(kind=notify.KIND_CHECKIN_MISSED)
    assert {n.user_id for n in notices} == {backup.user_id} | _standing_ids(staffed)
    sent, count = len(mail.outbox), notices.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert checkin_missed_alert.call(a.pk) is False
    assert len(mail.outbox) == sent and notices.count() == count


def test_missed_checkin_task_stored_with_due_time(staffed, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.TASK_QUEUES}
    }
    from django_tasks_db.models import DBTaskResult

    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 24), end=dt.date(2026, 4, 25)
    )
    with pytest.MonkeyPatch.context():
        from django.test.utils import CaptureQueriesContext  # noqa: F401

        from chihuy.roster import tasks

        services.roster_publish(roster=roster)
        tasks.schedule_checkin_watches(roster_id=roster.pk)
    due = DBTaskResult.objects.filter(task_path__endswith="checkin_missed_alert").order_by("run_after")
    first = due.first()
    assert first is not None
    assert first.run_after == at(24, 13, 15)


def test_take_over_running_shift_splits_it(published, staffed, frozen):
    frozen.move_to(at(24, 14))
    a = _health_primary(published, at(24, 13))
    taker = next(
        m
        for m in staffed.officers["health"]
        if not Assignment.objects.filter(user=m.user).overlapping(at(24, 14), at(24, 19)).exists()
    )
    taken = services.assignment_take_over(assignment=a, member=taker)
    a.refresh_from_db()
    assert a.end == at(24, 14) and taken.start == at(24, 14) and taken.end == at(24, 19)
    assert taken.taken_over_from == a.member and "khẩn cấp" in taken.override_reason
    duty = on_duty_now(centre=staffed.centre, at=at(24, 15))
    assert taker in duty.officers
    assert taken.checkin.at == at(24, 14)


def test_coverage_gaps(staffed, frozen, django_capture_on_commit_callbacks):
    from chihuy.roster.coverage import coverage_gaps
    from chihuy.roster.tasks import coverage_gaps_notify

    services.roster_setup(centre=staffed.centre)
    all_gaps = coverage_gaps(centre=staffed.centre)
    assert len(all_gaps) > 14 * 9 - 5
    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 23), end=dt.date(2026, 5, 8)
    )
    services.roster_publish(roster=roster)
    assert coverage_gaps(centre=staffed.centre) == []
    Assignment.objects.filter(role=DutyRole.PRIMARY, start=at(30, 13), agency=staffed.health).delete()
    gaps = coverage_gaps(centre=staffed.centre)
    assert [(g.start, g.agency) for g in gaps] == [(at(30, 13), "YT")]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert coverage_gaps_notify.call(staffed.centre.pk) == 1
    assert staffed.standing.user.email in {r for m in mail.outbox for r in m.to}
    notices = Notification.objects.filter(kind=notify.KIND_COVERAGE_GAPS)
    assert {n.user_id for n in notices} == _standing_ids(staffed)
    assert all("thiếu 1" in n.body for n in notices)
    with django_capture_on_commit_callbacks(execute=True):
        assert coverage_gaps_notify.call(staffed.centre.pk) == 0  # once a day
    assert notices.count() == len(_standing_ids(staffed))


def test_lock_rechecks_across_rosters(published, staffed, world):
    """The same person cannot be booked twice at once even from another centre's roster."""
    from chihuy.core.testing.factories import MemberFactory

    a = _health_primary(published, at(29, 7))
    other_role = MemberFactory(centre=world.sibling, user=a.user, role="duty_officer")
    other = services.roster_generate(
        centre=world.sibling, start=dt.date(2026, 5, 10), end=dt.date(2026, 5, 10)
    )
    with pytest.raises(ValidationError, match="hai nơi"):
        services.assignment_create(
            roster=other, member=other_role, role=DutyRole.PRIMARY, start=at(29, 8), end=at(29, 12)
        )
