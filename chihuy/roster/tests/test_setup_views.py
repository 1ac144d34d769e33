"""Settings and leave pages: access, saving through the services, clear errors, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chihuy.roster import services
from chihuy.roster.models import RosterSettings, ShiftDefinition, StaffingRule, Unavailability
from chihuy.roster.tests.conftest import TZ
from chihuy.roster.tests.factories import UnavailabilityFactory

pytestmark = pytest.mark.django_db

CENTRE_PAGES = [
    ("roster:settings", "get"),
    ("roster:settings_save", "post"),
    ("roster:shifts_save", "post"),
    ("roster:staffing_save", "post"),
    ("roster:centre_leave", "get"),
    ("roster:centre_leave", "post"),
]
IDS = [f"{n}-{m}" for n, m in CENTRE_PAGES]


def _shift_data(centre, changes=None, new=None, delete=()):
    """The shift formset as the page posts it, with some rows changed."""
    shifts = list(ShiftDefinition.objects.filter(centre=centre).order_by("order"))
    data = {
        "shift-TOTAL_FORMS": str(len(shifts) + 1),
        "shift-INITIAL_FORMS": str(len(shifts)),
        "shift-MIN_NUM_FORMS": "0",
        "shift-MAX_NUM_FORMS": "12",
    }
    for i, s in enumerate(shifts):
        row = {
            "id": str(s.pk),
            "name": s.name,
            "start_time": s.start_time.strftime("%H:%M"),
            "end_time": s.end_time.strftime("%H:%M"),
        }
        if s.is_night:
            row["is_night"] = "on"
        row.update((changes or {}).get(s.name, {}))
        if s.name in delete:
            row["DELETE"] = "on"
        data.update({f"shift-{i}-{k}": v for k, v in row.items()})
    for k, v in (new or {}).items():
        data[f"shift-{len(shifts)}-{k}"] = v
    return data


def _staffing_data(centre):
    from chihuy.roster.selectors import roster_settings_view

    view = roster_settings_view(centre=centre)
    data = {}
    for row in view.staffing:
        for sid, (p, b) in row.cells.items():
            key = sid if sid is not None else "day"
            data[f"p_{row.agency.pk}_{key}"] = str(p)
            data[f"b_{row.agency.pk}_{key}"] = str(b)
    return data


@pytest.mark.parametrize(("name", "method"), CENTRE_PAGES, ids=IDS)
def test_anonymous_goes_to_login(client, staffed, name, method):
    response = getattr(client, method)(reverse(name, args=[staffed.centre.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "method"), CENTRE_PAGES, ids=IDS)
def test_other_centre_gets_404(login, world, staffed, name, method):
    c = login(world.user("sibling", "commander"))
    assert getattr(c, method)(reverse(name, args=[staffed.centre.pk])).status_code == 404


@pytest.mark.parametrize(("name", "method"), CENTRE_PAGES, ids=IDS)
@pytest.mark.parametrize("role", ["duty_officer", "member"])
def test_duty_officer_and_member_get_403(login, world, staffed, name, method, role):
    c = login(world.user("commune", role))
    assert getattr(c, method)(reverse(name, args=[staffed.centre.pk])).status_code == 403


def test_parent_centre_staff_get_403_not_edit(login, world, staffed):
    # The district sees the commune but does not run its roster.
    c = login(world.user("district", "commander"))
    assert c.get(reverse("roster:settings", args=[staffed.centre.pk])).status_code == 403


def test_leave_delete_access(login, world, staffed, client):
    leave = UnavailabilityFactory(member=staffed.officers["health"][0])
    url = reverse("roster:leave_delete", args=[leave.pk])
    assert client.post(url).status_code == 302 and Unavailability.objects.exists()
    assert login(world.user("sibling", "commander")).post(url).status_code == 404
    assert login(staffed.officers["health"][1].user).post(url).status_code == 403
    assert login(world.user("district", "commander")).post(url).status_code == 403
    assert Unavailability.objects.filter(pk=leave.pk).exists()
    assert login(staffed.officers["health"][0].user).post(url).status_code == 302
    assert not Unavailability.objects.filter(pk=leave.pk).exists()
    other = UnavailabilityFactory(member=staffed.officers["health"][1])
    assert (
        login(world.user("commune", "standing"))
        .post(reverse("roster:leave_delete", args=[other.pk]))
        .status_code
        == 302
    )
    assert not Unavailability.objects.exists()


def test_leave_mine_anonymous(client):
    response = client.get(reverse("roster:leave_mine"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["commander", "deputy", "standing"])
def test_staff_see_settings_with_defaults(login, world, staffed, role):
    page = login(world.user("commune", role)).get(reverse("roster:settings", args=[staffed.centre.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Cài đặt lịch trực" in html and "Định mức trực" in html
    assert 'value="07:00"' in html and 'value="19:00"' in html
    assert 'name="auto_approve_swaps"' in html and 'name="command_duty"' in html
    assert f'name="p_{staffed.office.pk}_day" value="1"' in html


def test_settings_page_query_count_does_not_grow(login, world, staffed, django_assert_max_num_queries):
    from chihuy.core.testing.factories import AgencyFactory

    c = login(world.user("commune", "commander"))
    url = reverse("roster:settings", args=[staffed.centre.pk])
    c.get(url)
    with django_assert_max_num_queries(17) as small:
        c.get(url)
    for i in range(8):
        AgencyFactory(centre=staffed.centre, name=f"Cơ quan {i}", order=10 + i)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = c.get(url).content.decode()
    assert "Cơ quan 7" in html


def test_save_rules(login, world, staffed):
    c = login(world.user("commune", "deputy"))
    url = reverse("roster:settings_save", args=[staffed.centre.pk])
    data = {"min_rest_hours": "10", "checkin_grace_minutes": "20", "auto_approve_swaps": "on"}
    response = c.post(url, data)
    assert response.status_code == 302 and response["Location"].endswith("#roster-rules")
    obj = RosterSettings.objects.get(centre=staffed.centre)
    assert (obj.min_rest_hours, obj.checkin_grace_minutes, obj.auto_approve_swaps, obj.command_duty) == (
        10,
        20,
        True,
        False,
    )
    html = c.post(url, {**data, "min_rest_hours": "-3"}).content.decode()
    assert "Nhập từ 0 đến 48 giờ." in html
    assert RosterSettings.objects.get(centre=staffed.centre).min_rest_hours == 10


def test_save_shifts_change_add_and_refuse(login, world, staffed):
    c = login(world.user("commune", "commander"))
    c.get(reverse("roster:settings", args=[staffed.centre.pk]))
    url = reverse("roster:shifts_save", args=[staffed.centre.pk])
    # Overlap: refused with the clear message, nothing saved.
    html = c.post(url, _shift_data(staffed.centre, {"Ca 2": {"start_time": "12:00"}})).content.decode()
    assert "Ca 1 (07:00–13:00) và Ca 2 (12:00–19:00) trùng giờ từ 12:00 đến 13:00" in html
    # Gap.
    html = c.post(url, _shift_data(staffed.centre, {"Ca 1": {"end_time": "12:00"}})).content.decode()
    assert "Chưa có ca nào trực từ 12:00 đến 13:00" in html
    # Bad time.
    html = c.post(url, _shift_data(staffed.centre, {"Ca 1": {"end_time": "25:00"}})).content.decode()
    assert "Giờ không hợp lệ" in html
    assert ShiftDefinition.objects.get(centre=staffed.centre, name="Ca 1").end_time == dt.time(13)
    # Add a shift by shortening its neighbour, in one save.
    data = _shift_data(
        staffed.centre,
        {"Ca 2": {"end_time": "17:00"}},
        new={"name": "Ca chiều tối", "start_time": "17:00", "end_time": "19:00"},
    )
    response = c.post(url, data, follow=True)
    html = response.content.decode()
    assert "Đã lưu các ca trực" in html and "Hãy đặt định mức trực cho ca mới" in html
    names = list(ShiftDefinition.objects.filter(centre=staffed.centre).values_list("name", flat=True))
    assert names == ["Ca 1", "Ca 2", "Ca chiều tối", "Ca 3", "Ca 4"]
    # Remove it again, extending Ca 2.
    data = _shift_data(staffed.centre, {"Ca 2": {"end_time": "19:00"}}, delete=["Ca chiều tối"])
    assert c.post(url, data).status_code == 302
    assert ShiftDefinition.objects.filter(centre=staffed.centre).count() == 4


def test_save_staffing(login, world, staffed):
    c = login(world.user("commune", "standing"))
    c.get(reverse("roster:settings", args=[staffed.centre.pk]))
    url = reverse("roster:staffing_save", args=[staffed.centre.pk])
    shift = ShiftDefinition.objects.get(centre=staffed.centre, name="Ca 3")
    data = _staffing_data(staffed.centre)
    data[f"p_{staffed.police.pk}_{shift.pk}"] = "-1"
    html = c.post(url, data).content.decode()
    assert "Số người không được âm." in html
    data[f"p_{staffed.police.pk}_{shift.pk}"] = "3"
    assert c.post(url, data).status_code == 302
    rule = StaffingRule.objects.get(agency=staffed.police, shift=shift)
    assert (rule.primary_count, rule.backup_count) == (3, 1)


def test_duty_officer_records_own_leave_only(login, world, staffed):
    me = staffed.officers["health"][0]
    c = login(me.user)
    html = c.get(reverse("roster:mine")).content.decode()
    assert reverse("roster:leave_mine") in html and "Nghỉ phép của tôi" in html
    url = reverse("roster:leave_mine")
    assert c.get(url).status_code == 200
    response = c.post(
        url, {"member": me.pk, "start": "27/04/2026", "end": "28/04/2026", "reason": "Nghỉ phép năm"}
    )
    assert response.status_code == 302
    leave = Unavailability.objects.get(member=me)
    assert leave.start == dt.datetime(2026, 4, 27, tzinfo=TZ) and leave.end == dt.datetime(
        2026, 4, 29, tzinfo=TZ
    )
    html = c.get(url).content.decode()
    assert "Nghỉ phép năm" in html and "27/04/2026" in html and "hết ngày 28/04/2026" in html
    # Someone else's membership is not a choice.
    other = staffed.officers["health"][1]
    html = c.post(url, {"member": other.pk, "start": "27/04/2026", "end": "28/04/2026"}).content.decode()
    assert "Hãy chọn một lựa chọn hợp lệ" in html or "Lựa chọn" in html
    assert not Unavailability.objects.filter(member=other).exists()
    # End before start.
    html = c.post(url, {"member": me.pk, "start": "05/05/2026", "end": "04/05/2026"}).content.decode()
    assert "Ngày kết thúc phải từ ngày bắt đầu trở đi." in html
    # Overlapping leave.
    html = c.post(url, {"member": me.pk, "start": "28/04/2026", "end": "30/04/2026"}).content.decode()
    assert "đã có nghỉ phép" in html
    assert Unavailability.objects.count() == 1


def test_staff_record_anyones_leave_and_are_warned_of_duties(login, world, published, staffed):
    from chihuy.roster.models import Assignment

    member = staffed.officers["police"][0]
    duty = Assignment.objects.filter(member=member, start__gt=dt.datetime(2026, 4, 27, tzinfo=TZ)).first()
    day = duty.start.astimezone(TZ).strftime("%d/%m/%Y")
    c = login(world.user("commune", "commander"))
    url = reverse("roster:centre_leave", args=[staffed.centre.pk])
    response = c.post(url, {"member": member.pk, "start": day, "end": day, "reason": "Ốm"}, follow=True)
    html = response.content.decode()
    assert "Đã ghi nghỉ phép" in html and "cần sửa các ca đó" in html
    assert member.user.get_full_name() in html or str(member.user) in html
    # A member of another centre cannot be chosen.
    sibling_member = world.user("sibling", "duty_officer").memberships.get()
    c.post(url, {"member": sibling_member.pk, "start": day, "end": day})
    assert not Unavailability.objects.filter(member=sibling_member).exists()


def test_manual_edit_onto_leave_day_refused(login, world, published, staffed):
    from chihuy.roster.choices import DutyRole
    from chihuy.roster.models import Assignment

    a = Assignment.objects.filter(
        roster=published,
        role=DutyRole.PRIMARY,
        agency=staffed.health,
        start__gt=dt.datetime(2026, 4, 28, tzinfo=TZ),
    ).first()
    other = next(m for m in staffed.officers["health"] if m.user_id != a.user_id)
    services.unavailability_create(
        member=other,
        start=a.start - dt.timedelta(hours=1),
        end=a.end + dt.timedelta(hours=1),
        reason="Đi học",
    )
    c = login(world.user("commune", "commander"))
    data = {
        "member": other.pk,
        "start": a.start.astimezone(TZ).strftime("%H:%M %d/%m/%Y"),
        "end": a.end.astimezone(TZ).strftime("%H:%M %d/%m/%Y"),
        "override_reason": "Thiếu người",
    }
    html = c.post(reverse("roster:assignment_edit", args=[a.pk]), data).content.decode()
    assert "nghỉ phép từ" in html and "(Đi học): không phân công được ca trong thời gian này." in html
    a.refresh_from_db()
    assert a.member_id != other.pk


def test_calendar_links_settings_for_staff_only(login, world, staffed):
    url = reverse("roster:centre", args=[staffed.centre.pk])
    settings_url = reverse("roster:settings", args=[staffed.centre.pk])
    assert settings_url in login(world.user("commune", "standing")).get(url).content.decode()
    assert settings_url not in login(world.user("commune", "duty_officer")).get(url).content.decode()
