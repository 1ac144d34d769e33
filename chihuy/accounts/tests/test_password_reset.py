"""Password reset by e-mail, in Vietnamese: the mail goes out and its link sets a new password."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from chihuy.core.testing.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Mat-khau-dat-lai-2026"


def _request_reset(client, email):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def test_reset_page_is_in_vietnamese(client):
    response = client.get(reverse("accounts:password_reset"))
    assert response.status_code == 200
    assert "Quên mật khẩu" in response.text
    assert "Địa chỉ e-mail" in response.text


def test_reset_mail_goes_out_and_link_sets_a_new_password(client):
    user = UserFactory(full_name="Trần Thị Lan")
    response = _request_reset(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert "Đã gửi e-mail" in client.get(response["Location"]).text

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert "Đặt lại mật khẩu" in message.subject
    assert "\n" not in message.subject
    assert "Kính gửi Trần Thị Lan" in message.body
    assert user.username in message.body
    link = re.search(r"https?://testserver(/accounts/reset/[^\s]+/)", message.body)
    assert link, message.body

    # Django swaps the token for a session marker and redirects to the form.
    response = client.get(link.group(1))
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.status_code == 200
    assert "Đặt mật khẩu mới" in response.text
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert "Đã đặt mật khẩu mới" in client.get(response["Location"]).text

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The link works once only.
    response = client.get(link.group(1), follow=True)
    assert "không hợp lệ" in response.text


def test_unknown_address_sends_nothing_but_says_the_same(client):
    response = _request_reset(client, "khong-ai@example.test")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_bad_token_shows_invalid_link(client):
    user = UserFactory()
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    response = client.get(reverse("accounts:password_reset_confirm", args=[uid, "sai-token"]))
    assert response.status_code == 200
    assert "Đường dẫn đặt lại mật khẩu không hợp lệ" in response.text
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)
