from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from chihuy.announcements import services
from chihuy.announcements.models import Message, MessageRead
from chihuy.announcements.selectors import render_body
from chihuy.announcements.tests.factories import MessageFactory
from chihuy.intake.tests.factories import make_intake
from chihuy.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _channel(centre):
    return reverse("announcements:centre", args=[centre.pk])


def test_post_notifies_members_in_app_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(
            actor=world.user("commune", "standing"), centre=world.commune, body="Họp lúc 16:30"
        )
    notices = Notification.objects.filter(kind="announcement")
    assert notices.count() == 4  # the other four members
    assert all(n.channels == ["in_app"] for n in notices)
    assert mail.outbox == []


def test_important_message_is_also_emailed(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_post(
            actor=world.user("commune", "commander"),
            centre=world.commune,
            body="Phong tỏa tổ 5",
            important=True,
        )
    assert Notification.objects.filter(kind="announcement", channels=["in_app", "email"]).count() == 4
    assert len(mail.outbox) == 4


def test_only_members_post_and_text_or_file_is_needed(world):
    with pytest.raises(PermissionDenied):
        services.message_post(actor=world.user("district", "commander"), centre=world.commune, body="x")
    with pytest.raises(ValidationError) as exc:
        services.message_post(actor=world.user("commune", "member"), centre=world.commune, body="   ")
    assert "Nhập nội dung" in exc.value.message_dict["body"][0]
    other = make_intake(centre=world.sibling)
    with pytest.raises(ValidationError):
        services.message_post(
            actor=world.user("commune", "member"), centre=world.commune, body="x", intake_record=other
        )
    assert not Message.objects.exists()


def test_record_numbers_link_only_when_visible():
    html = render_body("Xem #TS-20261122-0001 và #LB-20261122-0002 <b>", {"TS-20261122-0001": 7})
    assert '<a href="/intake/7/" class="record-link">#TS-20261122-0001</a>' in html
    assert "#LB-20261122-0002" in html and "/intake/" in html and html.count("<a ") == 1
    assert "&lt;b&gt;" in html


def test_read_receipts(world, login):
    author = world.user("commune", "standing")
    record = make_intake(centre=world.commune)
    msg = services.message_post(
        actor=author, centre=world.commune, body=f"Xử lý ngay #{record.number}", intake_record=record
    )
    assert msg.reads.count() == 1  # the author
    reader = login(world.user("commune", "member"))
    html = reader.get(_channel(world.commune)).content.decode()
    assert f'href="/intake/{record.pk}/"' in html
    assert "đã xem 1/4" in html
    assert MessageRead.objects.filter(message=msg, user=world.user("commune", "member")).exists()
    author_view = login(author).get(_channel(world.commune)).content.decode()
    assert "đã xem 1/4" in author_view and "member commune" in author_view


def test_parent_staff_read_only_and_reads_do_not_count(world, login):
    msg = services.message_post(
        actor=world.user("commune", "member"), centre=world.commune, body="Báo cáo nhanh"
    )
    client = login(world.user("district", "deputy"))
    html = client.get(_channel(world.commune)).content.decode()
    assert "Báo cáo nhanh" in html and "chỉ đọc" in html and 'action="/announcements/' not in html
    assert not MessageRead.objects.filter(message=msg, user=world.user("district", "deputy")).exists()
    assert (
        client.post(reverse("announcements:post", args=[world.commune.pk]), {"body": "x"}).status_code == 403
    )


@pytest.mark.parametrize(
    "who,code",
    [(("district", "duty_officer"), 403), (("district", "member"), 403), (("sibling", "commander"), 404)],
)
def test_channel_denied(world, login, who, code):
    assert login(world.user(*who)).get(_channel(world.commune)).status_code == code


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(_channel(world.commune))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("announcements:channel")).status_code == 302


def test_my_channel_redirects_to_the_active_centre(world, login):
    response = login(world.user("commune", "member")).get(reverse("announcements:channel"))
    assert response["Location"] == _channel(world.commune)


def test_post_form_and_poll_partial(world, login, django_assert_max_num_queries):
    client = login(world.user("commune", "member"))
    record = make_intake(centre=world.commune)
    response = client.post(
        reverse("announcements:post", args=[world.commune.pk]),
        {"body": "Đã xác minh", "record_number": record.number},
    )
    assert response.status_code == 302
    assert Message.objects.get().intake_record == record
    bad = client.post(
        reverse("announcements:post", args=[world.commune.pk]), {"body": "x", "record_number": "ZZ-1"}
    )
    assert bad.status_code == 400 and "Không tìm thấy thông tin tiếp nhận" in bad.content.decode()
    for i in range(20):
        MessageFactory(
            centre=world.commune, author=world.user("commune", "deputy"), body=f"Tin {i} #{record.number}"
        )
    with django_assert_max_num_queries(17):
        poll = client.get(_channel(world.commune), HTTP_HX_REQUEST="true")
    html = poll.content.decode()
    assert html.lstrip().startswith('<div id="messages"') and "<html" not in html and "Tin 19" in html


def test_api_list_post_and_read(world):
    client = APIClient()
    client.force_authenticate(world.user("commune", "member"))
    record = make_intake(centre=world.commune)
    created = client.post(
        "/api/v1/announcements",
        {"centre": world.commune.pk, "body": f"Xem #{record.number}", "intake_record": record.pk},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["read_total"] == 4 and created.json()["intake_record_number"] == record.number
    other = APIClient()
    other.force_authenticate(world.user("commune", "deputy"))
    mid = created.json()["id"]
    assert other.post(f"/api/v1/announcements/{mid}/read").json() == {"marked": 1}
    listed = client.get("/api/v1/announcements", {"centre": world.commune.pk}).json()
    assert listed["results"][0]["read_count"] == 1 and "record-link" in listed["results"][0]["text_html"]
    empty = client.post("/api/v1/announcements", {"centre": world.commune.pk, "body": ""}, format="json")
    assert empty.status_code == 400 and "body" in empty.json()["errors"]


def test_api_denied(world):
    anonymous = APIClient()
    assert anonymous.get("/api/v1/announcements", {"centre": world.commune.pk}).status_code in (401, 403)
    sibling = APIClient()
    sibling.force_authenticate(world.user("sibling", "commander"))
    assert sibling.get("/api/v1/announcements", {"centre": world.commune.pk}).status_code == 404
    parent = APIClient()
    parent.force_authenticate(world.user("district", "commander"))
    assert parent.get("/api/v1/announcements", {"centre": world.commune.pk}).status_code == 200
    posted = parent.post("/api/v1/announcements", {"centre": world.commune.pk, "body": "x"}, format="json")
    assert posted.status_code == 403
