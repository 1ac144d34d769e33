"""Set-up services: rules, shift pattern, staffing table and leave (R1, R2, issue 4)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chihuy.audit.models import AuditEntry
from chihuy.roster import services
from chihuy.roster.choices import DutyRole
from chihuy.roster.models import Assignment, RosterSettings, ShiftDefinition, StaffingRule, Unavailability
from chihuy.roster.selectors import leave_conflicts, roster_settings_view
from chihuy.roster.services import ShiftInput
from chihuy.roster.tests.conftest import TZ

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 0, month: int = 4) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=TZ)


def t(h: int, m: int = 0) -> dt.time:
    return dt.time(h, m)


def _shifts(centre):
    return list(ShiftDefinition.objects.filter(centre=centre).order_by("order"))


def _times(centre):
    return [(s.name, s.start_time.strftime("%H:%M"), s.end_time.strftime("%H:%M")) for s in _shifts(centre)]


# --- rules ------------------------------------------------------------------------------------


def test_settings_update_audited_and_bounded(staffed):
    services.roster_settings_update(
        centre=staffed.centre,
        min_rest_hours=8,
        checkin_grace_minutes=10,
        auto_approve_swaps=True,
        command_duty=False,
    )
    obj = RosterSettings.objects.get(centre=staffed.centre)
    assert (obj.min_rest_hours, obj.checkin_grace_minutes, obj.auto_approve_swaps, obj.command_duty) == (
        8,
        10,
        True,
        False,
    )
    entry = AuditEntry.objects.get(object_id=str(obj.pk), action="update")
    assert entry.changes["min_rest_hours"] == [12, 8]
    with pytest.raises(ValidationError) as exc:
        services.roster_settings_update(
            centre=staffed.centre,
            min_rest_hours=-1,
            checkin_grace_minutes=10,
            auto_approve_swaps=True,
            command_duty=False,
        )
    assert "min_rest_hours" in exc.value.message_dict
    assert "0 đến 48 giờ" in exc.value.message_dict["min_rest_hours"][0]


def test_command_duty_off_generates_no_command_slots(staffed):
    services.roster_settings_update(
        centre=staffed.centre,
        min_rest_hours=12,
        checkin_grace_minutes=15,
        auto_approve_swaps=False,
        command_duty=False,
    )
    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 27), end=dt.date(2026, 4, 28)
    )
    assert roster.assignments.exists()
    assert not roster.assignments.filter(role=DutyRole.COMMAND).exists()


# --- shift pattern ----------------------------------------------------------------------------


def test_check_shift_pattern_messages():
    with pytest.raises(
        ValidationError, match=r"Ca 1 \(07:00–13:00\) và Ca 2 \(12:00–19:00\) trùng giờ từ 12:00 đến 13:00"
    ):
        services.check_shift_pattern([("Ca 1", t(7), t(13)), ("Ca 2", t(12), t(19)), ("Ca 3", t(19), t(7))])
    with pytest.raises(ValidationError, match="Chưa có ca nào trực từ 13:00 đến 14:00"):
        services.check_shift_pattern([("Ca 1", t(7), t(13)), ("Ca 2", t(14), t(7))])
    # An uncovered stretch across midnight is one gap, not two.
    with pytest.raises(ValidationError, match="từ 23:00 đến 01:00"):
        services.check_shift_pattern([("Ngày", t(1), t(23))])
    with pytest.raises(ValidationError, match="giờ kết thúc phải khác giờ bắt đầu"):
        services.check_shift_pattern([("Cả ngày", t(7), t(7))])
    with pytest.raises(ValidationError, match="cùng tên"):
        services.check_shift_pattern([("Ca", t(7), t(19)), ("ca", t(19), t(7))])
    with pytest.raises(ValidationError, match="ít nhất một ca"):
        services.check_shift_pattern([])
    services.check_shift_pattern([("Ngày", t(7), t(19)), ("Đêm", t(19), t(7))])


def test_shift_update_refuses_overlap_and_gap(staffed):
    services.roster_setup(centre=staffed.centre)
    first, second, *_rest = _shifts(staffed.centre)
    with pytest.raises(ValidationError, match="trùng giờ"):
        services.shift_update(shift=second, name="Ca 2", start_time=t(12), end_time=t(19), is_night=False)
    with pytest.raises(ValidationError, match="Chưa có ca nào trực từ 12:00 đến 13:00"):
        services.shift_update(shift=first, name="Ca 1", start_time=t(7), end_time=t(12), is_night=False)
    assert _times(staffed.centre)[0] == ("Ca 1", "07:00", "13:00")


def test_shift_create_and_delete_alone_are_refused(staffed):
    services.roster_setup(centre=staffed.centre)
    with pytest.raises(ValidationError, match="trùng giờ"):
        services.shift_create(centre=staffed.centre, name="Ca 5", start_time=t(7), end_time=t(9))
    with pytest.raises(ValidationError, match="Chưa có ca nào trực từ 01:00 đến 07:00"):
        services.shift_delete(shift=_shifts(staffed.centre)[3])
    assert len(_shifts(staffed.centre)) == 4


def test_pattern_add_change_and_remove_together(staffed):
    services.roster_setup(centre=staffed.centre)
    s1, _s2, s3, s4 = _shifts(staffed.centre)
    services.staffing_rule_set(
        centre=staffed.centre, agency=staffed.health, shift=s4, primary_count=2, backup_count=0
    )
    # Two day shifts of 6 h and one night of 12 h: Ca 3 runs to 07:00 and Ca 4 goes.
    services.shift_pattern_set(
        centre=staffed.centre,
        rows=[
            ShiftInput(s3.pk, "Ca đêm", t(19), t(7), True),
            ShiftInput(s4.pk, s4.name, s4.start_time, s4.end_time, True, delete=True),
        ],
    )
    assert _times(staffed.centre) == [
        ("Ca 1", "07:00", "13:00"),
        ("Ca 2", "13:00", "19:00"),
        ("Ca đêm", "19:00", "07:00"),
    ]
    assert not StaffingRule.objects.filter(shift_id=s4.pk).exists()
    assert AuditEntry.objects.filter(object_id=str(s4.pk), action="delete").exists()
    # Split the morning: the new shift keeps the first shift first.
    services.shift_pattern_set(
        centre=staffed.centre,
        rows=[
            ShiftInput(s1.pk, "Ca sáng sớm", t(7), t(10), False),
            ShiftInput(None, "Ca sáng", t(10), t(13), False),
        ],
    )
    assert [n for n, _a, _b in _times(staffed.centre)] == ["Ca sáng sớm", "Ca sáng", "Ca 2", "Ca đêm"]
    created = ShiftDefinition.objects.get(centre=staffed.centre, name="Ca sáng")
    assert AuditEntry.objects.filter(object_id=str(created.pk), action="create").exists()


def test_pattern_refuses_another_centres_shift(staffed, world):
    services.roster_setup(centre=staffed.centre)
    services.roster_setup(centre=world.sibling)
    foreign = _shifts(world.sibling)[0]
    with pytest.raises(ValidationError, match="không thuộc trung tâm"):
        services.shift_pattern_set(
            centre=staffed.centre, rows=[ShiftInput(foreign.pk, "X", t(7), t(13), False)]
        )


def test_generation_uses_edited_times(staffed):
    services.roster_setup(centre=staffed.centre)
    s1, _s2, _s3, s4 = _shifts(staffed.centre)
    services.shift_pattern_set(
        centre=staffed.centre,
        rows=[
            ShiftInput(s1.pk, "Ca 1", t(6), t(13), False),
            ShiftInput(s4.pk, "Ca 4", t(1), t(6), True),
        ],
    )
    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 27), end=dt.date(2026, 4, 27)
    )
    starts = set(roster.assignments.filter(agency=staffed.health).values_list("start", flat=True))
    assert at(27, 6) in starts and at(27, 7) not in starts


# --- staffing ---------------------------------------------------------------------------------


def test_staffing_rule_set_refuses_negative_and_foreign(staffed, world):
    services.roster_setup(centre=staffed.centre)
    with pytest.raises(ValidationError) as exc:
        services.staffing_rule_set(centre=staffed.centre, agency=staffed.health, primary_count=-1)
    assert "không âm" in exc.value.message_dict["primary_count"][0]
    with pytest.raises(ValidationError, match="Tối đa 20"):
        services.staffing_rule_set(centre=staffed.centre, agency=staffed.health, backup_count=21)
    from chihuy.core.testing.factories import AgencyFactory

    other = AgencyFactory(centre=world.sibling, name="Công an phường Liên Bảo")
    with pytest.raises(ValidationError, match="không thuộc trung tâm"):
        services.staffing_rule_set(centre=staffed.centre, agency=other)


def test_staffing_table_round_trip(staffed):
    services.roster_setup(centre=staffed.centre)
    s1, s2, s3, s4 = _shifts(staffed.centre)
    view = roster_settings_view(centre=staffed.centre)
    cells = {(row.agency.pk, sid): v for row in view.staffing for sid, v in row.cells.items()}
    assert cells[(staffed.health.pk, s3.pk)] == (1, 1) and cells[(staffed.office.pk, None)] == (1, 0)
    # Nights: two police officers on shift 3 and 4; days unchanged.
    cells[(staffed.police.pk, s3.pk)] = (2, 1)
    cells[(staffed.police.pk, s4.pk)] = (2, 1)
    services.staffing_table_set(centre=staffed.centre, cells=cells)
    police = {
        r.shift_id: (r.per_day, r.primary_count, r.backup_count)
        for r in StaffingRule.objects.filter(agency=staffed.police)
    }
    assert police == {s1.pk: (False, 1, 1), s2.pk: (False, 1, 1), s3.pk: (False, 2, 1), s4.pk: (False, 2, 1)}
    # Health unchanged: still one rule for every shift, and nothing rewritten.
    assert list(StaffingRule.objects.filter(agency=staffed.health).values_list("shift_id", "per_day")) == [
        (None, False)
    ]
    view = roster_settings_view(centre=staffed.centre)
    again = {(row.agency.pk, sid): v for row in view.staffing for sid, v in row.cells.items()}
    assert again == cells
    # Zero everywhere removes the agency's rules.
    services.staffing_table_set(
        centre=staffed.centre, cells={k: (0, 0) for k in cells if k[0] == staffed.office.pk}
    )
    assert not StaffingRule.objects.filter(agency=staffed.office).exists()
    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 27), end=dt.date(2026, 4, 27)
    )
    assert roster.assignments.filter(agency=staffed.police, shift=s3, role=DutyRole.PRIMARY).count() == 2
    assert not roster.assignments.filter(agency=staffed.office).exists()


def test_staffing_table_refuses_negative_and_keeps_all(staffed):
    services.roster_setup(centre=staffed.centre)
    s1 = _shifts(staffed.centre)[0]
    before = list(StaffingRule.objects.values_list("pk", "primary_count", "backup_count"))
    with pytest.raises(ValidationError, match="không âm"):
        services.staffing_table_set(
            centre=staffed.centre,
            cells={(staffed.health.pk, s1.pk): (3, 0), (staffed.police.pk, s1.pk): (-1, 0)},
        )
    assert list(StaffingRule.objects.values_list("pk", "primary_count", "backup_count")) == before


# --- leave ------------------------------------------------------------------------------------


def test_leave_bad_input(staffed, world):
    member = staffed.officers["health"][0]
    with pytest.raises(ValidationError) as exc:
        services.unavailability_create(member=member, start=at(28), end=at(27))
    assert exc.value.message_dict["end"] == ["Thời điểm kết thúc phải sau thời điểm bắt đầu."]
    sibling_member = world.user("sibling", "duty_officer").memberships.get()
    with pytest.raises(ValidationError) as exc:
        services.unavailability_create(member=sibling_member, start=at(27), end=at(28), centre=staffed.centre)
    assert "không thuộc trung tâm này" in exc.value.message_dict["member"][0]
    # A duty officer may not record a colleague's leave.
    other = staffed.officers["health"][1]
    with pytest.raises(ValidationError, match="Chỉ người nghỉ"):
        services.unavailability_create(member=member, start=at(27), end=at(28), by=other.user)
    services.unavailability_create(member=member, start=at(27), end=at(29), by=member.user)
    with pytest.raises(ValidationError, match="đã có nghỉ phép"):
        services.unavailability_create(member=member, start=at(28), end=at(30), by=staffed.standing.user)
    assert Unavailability.objects.count() == 1


def test_leave_delete_audited_and_guarded(staffed):
    member = staffed.officers["police"][0]
    leave = services.unavailability_create(member=member, start=at(27), end=at(28), reason="Việc gia đình")
    with pytest.raises(ValidationError):
        services.unavailability_delete(leave=leave, by=staffed.officers["police"][1].user)
    pk = leave.pk
    services.unavailability_delete(leave=leave, by=staffed.commander.user)
    assert not Unavailability.objects.exists()
    assert AuditEntry.objects.filter(object_id=str(pk), action="delete").exists()


def test_generation_skips_a_one_day_leave_and_manual_assignment_refused(staffed):
    member = staffed.officers["health"][2]
    leave = services.unavailability_create(member=member, start=at(28), end=at(29), reason="Khám bệnh")
    roster = services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 26), end=dt.date(2026, 4, 30)
    )
    mine = Assignment.objects.filter(roster=roster, member=member)
    assert mine.exists(), "works the other days"
    assert not mine.filter(start__lt=leave.end, end__gt=leave.start).exists()
    with pytest.raises(ValidationError) as exc:
        services.assignment_create(
            roster=roster, member=member, role=DutyRole.BACKUP, start=at(28, 9), end=at(28, 11)
        )
    assert exc.value.message_dict["member"] == [
        f"{member.user} nghỉ phép từ 00:00 28/04/2026 đến 00:00 29/04/2026 (Khám bệnh): "
        "không phân công được ca trong thời gian này."
    ]
    # Leave recorded after the roster: its duties are flagged, not removed.
    later = staffed.officers["health"][3]
    leave2 = services.unavailability_create(member=later, start=at(27), end=at(28))
    assert (
        leave_conflicts(leave=leave2)
        == Assignment.objects.filter(member=later, start__lt=at(28), end__gt=at(27)).count()
        > 0
    )
