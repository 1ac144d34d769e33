"""Logging in and out, the Vietnamese error, axes lockout (429) and changing the password."""

import pytest
from django.urls import reverse

from chihuy.core.testing.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def test_login_page_links_to_password_reset(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert reverse("accounts:password_reset") in response.text
    assert "Quên mật khẩu?" in response.text


def test_login_success_goes_home(client):
    user = UserFactory()
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("centres:home")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_keeps_a_safe_next_and_drops_an_unsafe_one(client):
    user = UserFactory()
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD, "next": "/audit/"})
    assert response["Location"] == "/audit/"
    client.logout()
    response = client.post(
        LOGIN, {"username": user.username, "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("centres:home")


def test_login_failure_shows_vietnamese_error(client):
    user = UserFactory()
    response = client.post(LOGIN, {"username": user.username, "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.text
    assert "_auth_user_id" not in client.session


def test_logout_requires_post(client, login):
    user = UserFactory()
    login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_lockout_after_failure_limit_returns_429(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    statuses = [
        client.post(LOGIN, {"username": user.username, "password": "sai-mat-khau"}).status_code
        for _ in range(3)
    ]
    assert statuses[:2] == [200, 200]
    assert statuses[2] == 429
    # Locked out: even the right password is refused, in Vietnamese, saying for how long.
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Tài khoản tạm khoá" in response.text
    assert "15 phút" in response.text
    assert "_auth_user_id" not in client.session


def test_lockout_is_per_username(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    victim, other = UserFactory(), UserFactory()
    for _ in range(2):
        client.post(LOGIN, {"username": victim.username, "password": "sai-mat-khau"})
    response = client.post(LOGIN, {"username": other.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_success_resets_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    for _ in range(2):
        client.post(LOGIN, {"username": user.username, "password": "sai-mat-khau"})
    assert client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD}).status_code == 302
    client.logout()
    for _ in range(2):
        assert client.post(LOGIN, {"username": user.username, "password": "sai"}).status_code == 200


def test_password_change(client, login):
    user = UserFactory()
    login(user)
    new = "Mat-khau-moi-rat-dai-2026"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.get(reverse("accounts:password_change_done")).status_code == 200


def test_password_change_rejects_wrong_old_password(client, login):
    user = UserFactory()
    login(user)
    new = "Mat-khau-moi-rat-dai-2026"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "sai", "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


@pytest.mark.parametrize(
    "name",
    ["accounts:profile", "accounts:password_change", "accounts:password_change_done"],
)
def test_anonymous_is_sent_to_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
