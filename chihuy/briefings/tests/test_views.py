"""The briefing pages: what each role sees and may do, bad input, query counts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from chihuy.briefings import minutes, services
from chihuy.briefings.choices import AbsenceStatus, Attendance, BriefingKind, VenueKind
from chihuy.briefings.models import AbsenceRequest, Briefing, BriefingSettings, Conclusion
from chihuy.briefings.tests.conftest import at
from chihuy.briefings.tests.factories import AgendaItemFactory, BriefingFactory, BriefingSettingsFactory
from chihuy.centres.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def briefing(rooms, frozen):
    return services.briefing_create(
        centre=rooms.province,
        actor=rooms.user("province", Role.STANDING),
        starts_at=at(14),
        title="Họp đột xuất",
    )


def _u(world, key, role=Role.COMMANDER):
    return world.user(key, role)


# --- Index, create, settings -----------------------------------------------------------


def test_index_lists_upcoming_and_past_within_a_query_budget(
    world, frozen, login, django_assert_max_num_queries
):
    BriefingSettingsFactory(centre=world.province, days_ahead=5)
    services.briefings_ensure_upcoming(centre=world.province)
    BriefingFactory(centre=world.province, starts_at=at(8, day=18), title="Họp tuần trước")
    client = login(_u(world, "province"))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("briefings:index"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Giao ban trực tuyến ngày 24/11/2026" in body
    assert "Họp tuần trước" in body
    assert "Giao ban định kỳ hằng ngày lúc 17:00" in body


def test_district_sees_the_province_briefing_it_joins(world, briefing, login):
    body = login(_u(world, "district", Role.STANDING)).get(reverse("briefings:index")).content.decode()
    assert "Họp đột xuất" in body


def test_anonymous_is_sent_to_login(client, world, briefing):
    for url in (
        reverse("briefings:index"),
        reverse("briefings:detail", args=[briefing.pk]),
        reverse("briefings:minutes", args=[briefing.pk]),
        reverse("briefings:stats"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_create_adhoc_briefing(world, frozen, login):
    client = login(_u(world, "province", Role.STANDING))
    assert client.get(reverse("briefings:create")).status_code == 200
    response = client.post(
        reverse("briefings:create"),
        {
            "title": "Họp khẩn ổ dịch",
            "date": "20/11/2026",
            "time": "15:30",
            "duration_minutes": 45,
            "chair": "",
        },
    )
    b = Briefing.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("briefings:detail", args=[b.pk])
    assert (b.title, b.kind, b.duration_minutes) == ("Họp khẩn ổ dịch", BriefingKind.ADHOC, 45)


def test_create_in_the_past_shows_a_clear_message(world, frozen, login):
    client = login(_u(world, "province", Role.STANDING))
    response = client.post(
        reverse("briefings:create"), {"date": "19/11/2026", "time": "17:00", "duration_minutes": 60}
    )
    assert response.status_code == 200
    assert "Không thể lên lịch một cuộc họp trong quá khứ" in response.content.decode()
    assert not Briefing.objects.exists()


def test_create_bad_time_format(world, frozen, login):
    response = login(_u(world, "province")).post(
        reverse("briefings:create"), {"date": "20/11/2026", "time": "5pm", "duration_minutes": 60}
    )
    assert "Giờ không hợp lệ" in response.content.decode()


def test_members_and_duty_officers_cannot_schedule(world, frozen, login):
    for role in (Role.MEMBER, Role.DUTY_OFFICER):
        client = login(_u(world, "province", role))
        assert client.get(reverse("briefings:create")).status_code == 403
        assert client.post(reverse("briefings:settings"), {}).status_code == 403
        assert client.post(reverse("briefings:ensure")).status_code == 403


def test_settings_edit_and_ensure(world, frozen, login):
    client = login(_u(world, "province"))
    assert client.get(reverse("briefings:settings")).status_code == 200
    response = client.post(
        reverse("briefings:settings"),
        {
            "regular_enabled": "on",
            "regular_time": "17:30",
            "duration_minutes": 60,
            "days_ahead": 2,
            "video_url_template": "https://meet.jit.si/vp-{date}",
        },
    )
    assert response.status_code == 302
    assert BriefingSettings.objects.get().regular_time == dt.time(17, 30)
    assert Briefing.objects.filter(kind=BriefingKind.REGULAR).count() == 2
    assert Briefing.objects.first().video_url.startswith("https://meet.jit.si/vp-2026112")
    client.post(reverse("briefings:ensure"))
    assert Briefing.objects.count() == 2


# --- Detail, changes -------------------------------------------------------------------


def test_detail_within_a_query_budget(world, briefing, login, django_assert_max_num_queries):
    client = login(_u(world, "province"))
    with django_assert_max_num_queries(30):
        response = client.get(reverse("briefings:detail", args=[briefing.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "https://meet.jit.si/chihuy-vp-20261120-1400" in body
    assert world.district.name in body and "Thiết bị cá nhân" in body


def test_detail_visibility(world, briefing, login):
    url = reverse("briefings:detail", args=[briefing.pk])
    assert login(_u(world, "sibling")).get(url).status_code == 404
    assert login(_u(world, "commune")).get(url).status_code == 404
    assert login(_u(world, "district", Role.MEMBER)).get(url).status_code == 200  # a child point


def test_venue_change_too_late_is_refused_with_a_clear_message(world, briefing, frozen, login):
    frozen.move_to(at(13, 50))
    client = login(_u(world, "province", Role.STANDING))
    url = reverse("briefings:change", args=[briefing.pk])
    page = client.get(url).content.decode()
    assert "ít nhất 30 phút trước giờ họp" in page
    response = client.post(url, {"venue_kind": VenueKind.FALLBACK, "date": "20/11/2026", "time": "14:00"})
    assert response.status_code == 200
    assert "Đã quá thời hạn" in response.content.decode()
    briefing.refresh_from_db()
    assert briefing.venue_kind == VenueKind.PRIMARY


def test_venue_change_in_time(world, briefing, frozen, login):
    response = login(_u(world, "province", Role.STANDING)).post(
        reverse("briefings:change", args=[briefing.pk]),
        {
            "venue_kind": VenueKind.OTHER,
            "venue_other": "Phòng 5 tầng 4",
            "date": "20/11/2026",
            "time": "14:00",
        },
    )
    assert response.status_code == 302
    briefing.refresh_from_db()
    assert briefing.venue == "Phòng 5 tầng 4"


def test_change_needs_an_organiser(world, briefing, login):
    url = reverse("briefings:change", args=[briefing.pk])
    assert login(_u(world, "province", Role.MEMBER)).get(url).status_code == 403
    assert login(_u(world, "district")).get(url).status_code == 403
    assert login(_u(world, "sibling")).get(url).status_code == 404


def test_cancel_needs_the_commander(world, briefing, login):
    url = reverse("briefings:cancel", args=[briefing.pk])
    assert login(_u(world, "province", Role.STANDING)).post(url, {"reason": "x"}).status_code == 403
    login(_u(world, "province")).post(url, {"reason": "Trùng lịch"})
    briefing.refresh_from_db()
    assert briefing.status == "cancelled"


# --- Participants ----------------------------------------------------------------------


def test_child_point_page(world, briefing, login):
    point = briefing.points.get(centre=world.district)
    url = reverse("briefings:point", args=[briefing.pk, point.pk])
    client = login(_u(world, "district", Role.STANDING))
    assert client.get(url).status_code == 200
    member = world.district.members.get(role=Role.MEMBER)
    commander = world.district.members.get(role=Role.COMMANDER)
    assert client.post(url, {"members": [member.pk, commander.pk]}).status_code == 302
    assert set(point.participants.values_list("user__username", flat=True)) == {
        "district_member",
        "district_commander",
    }
    assert login(_u(world, "province", Role.MEMBER)).get(url).status_code == 403
    assert login(_u(world, "district", Role.MEMBER)).get(url).status_code == 403
    assert login(_u(world, "sibling")).get(url).status_code == 404


def test_add_move_remove_participants(world, briefing, login):
    client = login(_u(world, "province"))
    officer = world.province.members.get(role=Role.DUTY_OFFICER)
    client.post(reverse("briefings:participant_add", args=[briefing.pk]), {"member": officer.pk})
    p = briefing.participants.get(user=officer.user)
    ward = briefing.points.get(centre=world.district)
    client.post(reverse("briefings:participant_move", args=[briefing.pk, p.pk]), {"point": ward.pk})
    p.refresh_from_db()
    assert p.point == ward
    client.post(reverse("briefings:participant_remove", args=[briefing.pk, p.pk]))
    assert not briefing.participants.filter(pk=p.pk).exists()
    member = briefing.participants.get(user=_u(world, "province", Role.MEMBER))
    standing = login(_u(world, "province", Role.STANDING))
    assert (
        standing.post(
            reverse("briefings:participant_move", args=[briefing.pk, member.pk]), {"point": ward.pk}
        ).status_code
        == 403
    )
    assert (
        login(_u(world, "province", Role.MEMBER))
        .post(reverse("briefings:participant_add", args=[briefing.pk]), {"member": officer.pk})
        .status_code
        == 403
    )


# --- Absence and attendance ------------------------------------------------------------


def test_absence_requested_and_approved_through_the_pages(world, briefing, login):
    member = _u(world, "province", Role.MEMBER)
    login(member).post(
        reverse("briefings:absence_request", args=[briefing.pk]), {"reason": "Đi kiểm tra chốt"}
    )
    absence = AbsenceRequest.objects.get()
    url = reverse("briefings:absence_decide", args=[briefing.pk, absence.pk])
    # Asking for oneself is allowed; deciding one's own is not, with a clear message.
    response = login(member).post(url, {"decision": "approve"}, follow=True)
    assert "Không ai được tự duyệt đơn xin vắng của chính mình" in response.content.decode()
    assert login(_u(world, "province", Role.STANDING)).post(url, {"decision": "approve"}).status_code == 403
    page = login(_u(world, "province")).get(reverse("briefings:detail", args=[briefing.pk])).content.decode()
    assert "Đi kiểm tra chốt" in page and "Đồng ý cho vắng" in page
    login(_u(world, "province")).post(url, {"decision": "approve", "note": "Đồng ý"})
    absence.refresh_from_db()
    assert absence.status == AbsenceStatus.APPROVED


def test_outsider_cannot_ask_for_absence(world, briefing, login):
    response = login(_u(world, "province", Role.DUTY_OFFICER)).post(
        reverse("briefings:absence_request", args=[briefing.pk]), {"reason": "x"}
    )
    assert response.status_code == 403


def test_attendance_sheet(world, briefing, frozen, login):
    frozen.move_to(at(14, 5))
    client = login(_u(world, "province"))
    people = {p.user.username: p for p in briefing.participants.select_related("user")}
    ward = briefing.points.get(centre=world.district)
    data = {
        f"att-{people['province_commander'].pk}": Attendance.PRESENT,
        f"att-{people['province_member'].pk}": Attendance.PRESENT,
        f"pt-{people['province_member'].pk}": ward.pk,
        f"att-{people['province_deputy'].pk}": Attendance.UNEXCUSED,
    }
    client.post(reverse("briefings:attendance", args=[briefing.pk]), data)
    got = dict(briefing.participants.values_list("user__username", "attendance"))
    assert got["province_member"] == Attendance.PRESENT and got["province_deputy"] == Attendance.UNEXCUSED
    assert briefing.participants.get(user__username="province_member").attended_point == ward
    response = client.post(
        reverse("briefings:attendance", args=[briefing.pk]), {"att-999999": Attendance.PRESENT}, follow=True
    )
    assert "không thuộc danh sách dự họp" in response.content.decode()
    assert (
        login(_u(world, "province", Role.MEMBER))
        .post(reverse("briefings:attendance", args=[briefing.pk]), data)
        .status_code
        == 403
    )


# --- Minutes ---------------------------------------------------------------------------


def test_minutes_page_within_a_query_budget(world, briefing, login, django_assert_max_num_queries):
    for i in range(5):
        AgendaItemFactory(briefing=briefing, title=f"Mục {i}")
    minutes.conclusion_create(
        briefing=briefing,
        actor=None,
        text="Kết luận A",
        assignee_centres=[world.district],
        deadline=at(18, day=21),
    )
    client = login(_u(world, "province"))
    with django_assert_max_num_queries(25):
        response = client.get(reverse("briefings:minutes", args=[briefing.pk]))
    assert response.status_code == 200
    assert "Mục 4" in response.content.decode()


def test_agenda_move_renders_the_partial_for_htmx(world, briefing, login):
    a = AgendaItemFactory(briefing=briefing, title="Thứ nhất")
    b = AgendaItemFactory(briefing=briefing, title="Thứ hai")
    client = login(_u(world, "province", Role.STANDING))
    url = reverse("briefings:agenda_move", args=[briefing.pk, b.pk])
    response = client.post(url, {"direction": "up"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="agenda"' in body
    assert body.index("Thứ hai") < body.index("Thứ nhất")
    assert client.post(url, {"direction": "down"}).status_code == 302
    assert list(briefing.agenda.values_list("pk", flat=True)) == [a.pk, b.pk]
    assert login(_u(world, "province", Role.MEMBER)).post(url, {"direction": "up"}).status_code == 403
    assert login(_u(world, "sibling")).post(url, {"direction": "up"}).status_code == 404


def test_agenda_add_notes_build(world, briefing, login):
    client = login(_u(world, "province"))
    client.post(
        reverse("briefings:agenda_add", args=[briefing.pk]), {"title": "Tiêm chủng mũi 3", "body": ""}
    )
    item = briefing.agenda.get()
    client.post(reverse("briefings:agenda_notes", args=[briefing.pk, item.pk]), {"notes": "Đạt 80%"})
    item.refresh_from_db()
    assert item.notes == "Đạt 80%"
    assert client.post(reverse("briefings:agenda_build", args=[briefing.pk])).status_code == 302


def test_conclusion_form_errors_and_task(world, briefing, login):
    client = login(_u(world, "province"))
    url = reverse("briefings:conclusion_add", args=[briefing.pk])
    response = client.post(url, {"text": "Giao xã", "deadline_date": "19/11/2026", "priority": "normal"})
    assert response.status_code == 400
    assert "Thời hạn phải sau thời điểm họp" in response.content.decode()
    client.post(
        url,
        {
            "text": "Vĩnh Yên mở thêm khu cách ly",
            "assignee_centres": [world.district.pk],
            "deadline_date": "23/11/2026",
            "deadline_time": "17:00",
            "priority": "high",
        },
    )
    conclusion = Conclusion.objects.get()
    response = client.post(
        reverse("briefings:conclusion_task", args=[briefing.pk, conclusion.pk]), follow=True
    )
    conclusion.refresh_from_db()
    assert conclusion.has_task
    assert "Đã giao nhiệm vụ" in response.content.decode()


def test_publish_and_exports(world, briefing, frozen, login):
    from docx import Document

    client = login(_u(world, "province"))
    frozen.move_to(at(15))
    client.post(reverse("briefings:minutes_summary", args=[briefing.pk]), {"summary": "Khẩn trương"})
    client.post(reverse("briefings:minutes_publish", args=[briefing.pk]))
    briefing.refresh_from_db()
    assert briefing.minutes_published_at is not None
    pdf = client.get(reverse("briefings:minutes_pdf", args=[briefing.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="bien-ban-VP-20261120-1400.pdf"' in pdf["Content-Disposition"]
    docx = client.get(reverse("briefings:minutes_docx", args=[briefing.pk]))
    assert "Khẩn trương" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    # A district member (child point) reads the minutes; a sibling commune does not.
    assert (
        login(_u(world, "district", Role.MEMBER))
        .get(reverse("briefings:minutes_pdf", args=[briefing.pk]))
        .status_code
        == 200
    )
    assert (
        login(_u(world, "sibling")).get(reverse("briefings:minutes_docx", args=[briefing.pk])).status_code
        == 404
    )
    assert (
        login(_u(world, "province", Role.MEMBER))
        .post(reverse("briefings:minutes_publish", args=[briefing.pk]))
        .status_code
        == 403
    )


# --- Statistics ------------------------------------------------------------------------


def test_stats_page(world, briefing, frozen, login, django_assert_max_num_queries):
    frozen.move_to(at(15))
    services.attendance_record(
        briefing=briefing, actor=None, user=_u(world, "province"), attendance=Attendance.PRESENT
    )
    client = login(_u(world, "province"))
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("briefings:stats"), {"date_from": "01/11/2026", "date_to": "30/11/2026"}
        )
    body = response.content.decode()
    assert response.status_code == 200
    assert world.user("province", Role.COMMANDER).full_name in body and "100%" in body
    bad = client.get(reverse("briefings:stats"), {"date_from": "30/11/2026", "date_to": "01/11/2026"})
    assert "Ngày kết thúc phải sau ngày bắt đầu" in bad.content.decode()
    assert (
        login(_u(world, "sibling")).get(reverse("briefings:stats"), {"centre": world.province.pk}).status_code
        == 404
    )
