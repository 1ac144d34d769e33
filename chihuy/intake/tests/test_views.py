from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chihuy.centres.choices import Sector
from chihuy.intake.choices import IntakeStatus
from chihuy.intake.models import IntakeRecord
from chihuy.intake.tests.factories import form_data, make_intake

pytestmark = pytest.mark.django_db


# --- access ----------------------------------------------------------------------------------

RECORD_URLS = ["intake:detail", "intake:edit"]
RECORD_POSTS = ["intake:status", "intake:assign", "intake:forward", "intake:escalate", "intake:note"]


@pytest.mark.parametrize(
    "url",
    [
        reverse("intake:list"),
        reverse("intake:create"),
        reverse("intake:export_xlsx"),
        reverse("intake:export_pdf"),
        reverse("intake:check_duplicates"),
        reverse("intake:check_route"),
    ],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"] or "login" in response["Location"]


def test_anonymous_record_pages_send_to_login(client, world):
    record = make_intake(centre=world.commune)
    for name in RECORD_URLS:
        response = client.get(reverse(name, args=[record.pk]))
        assert response.status_code == 302
    for name in RECORD_POSTS:
        response = client.post(reverse(name, args=[record.pk]))
        assert response.status_code == 302
    assert IntakeRecord.objects.get().status == IntakeStatus.RECEIVED


def test_sibling_centre_gets_404_everywhere(world, login):
    record = make_intake(centre=world.commune)
    client = login(world.user("sibling", "commander"))
    for name in RECORD_URLS:
        assert client.get(reverse(name, args=[record.pk])).status_code == 404
    for name in RECORD_POSTS:
        assert client.post(reverse(name, args=[record.pk]), {"reason": "x", "note": "x"}).status_code == 404
    listing = client.get(reverse("intake:list"))
    assert record.number not in listing.content.decode()


def test_member_role_may_read_but_not_log(world, login):
    record = make_intake(centre=world.commune)
    client = login(world.user("commune", "member"))
    assert client.get(reverse("intake:list")).status_code == 200
    assert client.get(reverse("intake:detail", args=[record.pk])).status_code == 200
    assert client.get(reverse("intake:create")).status_code == 403
    assert client.post(reverse("intake:create"), form_data(world)).status_code == 403
    assert client.get(reverse("intake:edit", args=[record.pk])).status_code == 403
    for name in RECORD_POSTS:
        assert client.post(reverse(name, args=[record.pk]), {"reason": "x"}).status_code == 403
    assert client.get(reverse("intake:check_duplicates")).status_code == 403
    assert IntakeRecord.objects.count() == 1


def test_duty_officer_may_not_assign(world, login):
    record = make_intake(centre=world.commune)
    member = world.commune.members.get(role="member")
    client = login(world.user("commune", "duty_officer"))
    response = client.post(reverse("intake:assign", args=[record.pk]), {"member": member.pk})
    assert response.status_code == 403


def test_parent_centre_reads_but_does_not_write_in_child_logbook(world, login):
    record = make_intake(centre=world.commune)
    client = login(world.user("district", "commander"))
    assert client.get(reverse("intake:detail", args=[record.pk])).status_code == 200
    response = client.post(reverse("intake:status", args=[record.pk]), {"status": "in_progress"})
    assert response.status_code == 403
    listing = client.get(reverse("intake:list"), {"below": "on", "date_from": "", "q": ""})
    assert record.number in listing.content.decode()


def test_user_without_centre_gets_404(world, login, django_user_model):
    loner = django_user_model.objects.create_user(username="loner", password="x")
    client = login(loner)
    assert client.get(reverse("intake:list")).status_code == 404


def test_post_only_actions_refuse_get(world, login):
    record = make_intake(centre=world.commune)
    client = login(world.user("commune", "commander"))
    for name in RECORD_POSTS:
        assert client.get(reverse(name, args=[record.pk])).status_code == 405


# --- entry -----------------------------------------------------------------------------------


def test_new_form_has_autofocus_on_phone_and_now(world, login):
    client = login(world.user("commune", "duty_officer"))
    response = client.get(reverse("intake:create"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="reporter_phone"' in html and "autofocus" in html
    assert (
        html.index('name="reporter_phone"')
        < html.index('name="reporter_name"')
        < html.index('name="location"')
        < html.index('name="content"')
        < html.index('name="category"')
    )
    assert timezone.localtime().strftime("%d/%m/%Y") in html
    assert "intake/intake.js" in html
    assert "<script>" not in html


def test_create_saves_and_redirects_to_logbook(world, login):
    officer = world.user("commune", "duty_officer")
    client = login(officer)
    response = client.post(reverse("intake:create"), form_data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == reverse("intake:list")
    record = IntakeRecord.objects.get()
    assert record.received_by == officer
    assert record.centre == world.commune
    assert record.reporter_phone == "0987654321"
    page = client.get(reverse("intake:list")).content.decode()
    assert record.number in page
    assert "chờ giao ban" in page


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"reporter_phone": "12ab"}, "Số điện thoại không hợp lệ"),
        ({"content": ""}, "Nhập nội dung"),
        ({"jurisdiction": "", "location": "Xã Không Có"}, "Không tìm thấy địa bàn"),
        ({"jurisdiction": "999999"}, "Không tìm thấy địa bàn"),
        ({"received_at": "01/01/2099 10:00"}, "tương lai"),
        ({"received_at": "32/13/2026 25:00"}, "dd/mm/yyyy HH:MM"),
        ({"urgent": "on", "urgency_reason": ""}, "lý do khẩn cấp"),
    ],
)
def test_bad_input_shows_vietnamese_error_and_saves_nothing(world, login, extra, message):
    client = login(world.user("commune", "duty_officer"))
    response = client.post(reverse("intake:create"), form_data(world, **extra))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not IntakeRecord.objects.exists()


def test_attachment_of_wrong_type_is_refused(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.user("commune", "duty_officer"))
    data = form_data(world, attachments=SimpleUploadedFile("x.exe", b"MZ"))
    response = client.post(reverse("intake:create"), data)
    assert response.status_code == 200
    assert "không được chấp nhận" in response.content.decode()
    assert not IntakeRecord.objects.exists()


def test_misdirected_report_goes_to_detail_with_forward_button(world, login):
    client = login(world.user("commune", "duty_officer"))
    data = form_data(world, jurisdiction=str(world.sibling.jurisdiction.pk), location="Phường Liên Bảo")
    response = client.post(reverse("intake:create"), data)
    record = IntakeRecord.objects.get()
    assert response["Location"] == reverse("intake:detail", args=[record.pk])
    page = client.get(response["Location"]).content.decode()
    assert world.sibling.name in page
    assert world.sibling.hotline in page
    assert "Chuyển" in page
    response = client.post(
        reverse("intake:forward", args=[record.pk]), {"to_centre": world.sibling.pk, "reason": "Sai địa bàn"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == IntakeStatus.FORWARDED
    copy = IntakeRecord.objects.get(centre=world.sibling)
    sibling = login(world.user("sibling", "duty_officer"))
    page = sibling.get(reverse("intake:list")).content.decode()
    assert copy.number in page
    detail = sibling.get(reverse("intake:detail", args=[copy.pk])).content.decode()
    assert record.number in detail  # the history of both centres


def test_route_partial(world, login):
    client = login(world.user("commune", "duty_officer"))
    response = client.get(
        reverse("intake:check_route"), {"jurisdiction": world.sibling.jurisdiction.pk, "category": "cach_ly"}
    )
    assert world.sibling.name in response.content.decode()
    response = client.get(
        reverse("intake:check_route"), {"jurisdiction": world.commune.jurisdiction.pk, "category": "cach_ly"}
    )
    assert response.content.decode().strip() == ""


def test_duplicate_partial(world, login):
    make_intake(centre=world.commune, reporter_phone="0911222333", content="Có người sốt cao ở khu trọ số 5")
    client = login(world.user("commune", "duty_officer"))
    response = client.get(
        reverse("intake:check_duplicates"),
        {"reporter_phone": "0911 222 333", "content": "nguoi sot cao khu tro so 5"},
    )
    assert "Có thể trùng" in response.content.decode()
    response = client.get(
        reverse("intake:check_duplicates"), {"reporter_phone": "0911222333", "content": "mất điện cả xóm"}
    )
    assert "Có thể trùng" not in response.content.decode()


def test_edit_status_assign_escalate_note(world, login):
    record = make_intake(centre=world.commune)
    client = login(world.user("commune", "commander"))
    response = client.get(reverse("intake:edit", args=[record.pk]))
    assert "Phường Tích Sơn" in response.content.decode()
    data = form_data(world, content="Nội dung đã sửa lại")
    data.pop("jurisdiction")
    data["jurisdiction"] = str(world.commune.jurisdiction.pk)
    assert client.post(reverse("intake:edit", args=[record.pk]), data).status_code == 302
    member = world.commune.members.get(role="member")
    client.post(reverse("intake:assign", args=[record.pk]), {"member": member.pk})
    client.post(reverse("intake:status", args=[record.pk]), {"status": "resolved", "result": "Đã xử lý xong"})
    client.post(reverse("intake:note", args=[record.pk]), {"note": "Gọi lại người dân"})
    record.refresh_from_db()
    assert record.content == "Nội dung đã sửa lại"
    assert record.handler_member == member
    assert record.status == IntakeStatus.RESOLVED
    other = make_intake(centre=world.commune)
    response = client.post(reverse("intake:escalate", args=[other.pk]), {"reason": ""}, follow=True)
    assert "lý do" in response.content.decode()
    client.post(reverse("intake:escalate", args=[other.pk]), {"reason": "Vượt thẩm quyền"})
    assert IntakeRecord.objects.filter(centre=world.district, forwarded_from=other).exists()
    page = client.get(reverse("intake:detail", args=[record.pk])).content.decode()
    assert "Gọi lại người dân" in page


def test_invalid_status_change_is_reported(world, login):
    record = make_intake(centre=world.commune)
    client = login(world.user("commune", "commander"))
    response = client.post(reverse("intake:status", args=[record.pk]), {"status": "resolved"}, follow=True)
    assert "Ghi kết quả xử lý" in response.content.decode()


def test_member_handles_what_is_assigned_to_him(world, login):
    from chihuy.intake.services import intake_assign

    record = make_intake(centre=world.commune)
    member = world.commune.members.get(role="member")
    intake_assign(record=record, member=member)
    client = login(member.user)
    response = client.post(
        reverse("intake:status", args=[record.pk]), {"status": "resolved", "result": "Xong"}
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == IntakeStatus.RESOLVED


# --- logbook ---------------------------------------------------------------------------------


def test_filters_and_accent_insensitive_search(world, login):
    officer = world.user("commune", "duty_officer")
    a = make_intake(centre=world.commune, content="Người về từ Đà Nẵng chưa khai báo", received_by=officer)
    b = make_intake(centre=world.commune, content="Thiếu lương thực ở khu cách ly", category=Sector.FOOD)
    c = make_intake(
        centre=world.commune, content="Tụ tập đông người", urgent=True, urgency_reason="Đang xô xát"
    )
    old = make_intake(
        centre=world.commune, content="Việc hôm qua", received_at=timezone.now() - dt.timedelta(days=1)
    )
    client = login(officer)

    def numbers(**params):
        html = client.get(reverse("intake:list"), params).content.decode()
        return {r.number for r in (a, b, c, old) if r.number in html}

    assert numbers() == {a.number, b.number, c.number}
    assert numbers(q="da nang khai bao") == {a.number}
    assert numbers(q="DA NANG lương") == set()
    assert numbers(category=Sector.FOOD) == {b.number}
    assert numbers(urgency="urgent") == {c.number}
    assert numbers(urgency="normal") == {a.number, b.number}
    assert numbers(officer=officer.pk) == {a.number}
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert numbers(date_from=yesterday, date_to=yesterday) == {old.number}
    assert numbers(date_from=yesterday) == {a.number, b.number, c.number, old.number}
    assert numbers(jurisdiction=world.commune.jurisdiction.district_id, date_from=yesterday) == {
        a.number,
        b.number,
        c.number,
        old.number,
    }
    assert numbers(status="resolved", date_from=yesterday) == set()


def test_htmx_refresh_returns_only_results(world, login):
    make_intake(centre=world.commune)
    client = login(world.user("commune", "duty_officer"))
    response = client.get(reverse("intake:list"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html


def test_list_query_count_does_not_grow_with_rows(world, login, django_assert_max_num_queries):
    officer = world.user("commune", "duty_officer")
    member = world.commune.members.get(role="member")
    from chihuy.intake.services import intake_assign

    for _i in range(3):
        intake_assign(record=make_intake(centre=world.commune, received_by=officer), member=member)
    client = login(officer)
    client.get(reverse("intake:list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("intake:list"))
    for _i in range(20):
        intake_assign(record=make_intake(centre=world.commune, received_by=officer), member=member)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("intake:list"))
    assert response.status_code == 200
