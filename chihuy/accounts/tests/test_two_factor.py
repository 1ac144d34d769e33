"""Two-factor authentication: setup with a real TOTP code, verify at login, backup codes, disable."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chihuy.accounts import services
from chihuy.accounts.tests.helpers import code_for, enable_2fa, mark_verified
from chihuy.audit.models import AuditEntry
from chihuy.core.testing.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
DISABLE = reverse("accounts:two_factor_disable")
BACKUP = reverse("accounts:backup_codes_regenerate")
PROFILE = reverse("accounts:profile")
HOME = reverse("centres:home")


def _codes_on_page(text):
    return [c.replace(" ", "") for c in re.findall(r"<li><code>([a-z2-7]{4} [a-z2-7]{4})</code></li>", text)]


def _password_login(client, user, **extra):
    return client.post(
        reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD, **extra}
    )


# --- setup -----------------------------------------------------------------------------------------


def test_setup_shows_inline_svg_qr_and_base32_secret(client, login):
    user = UserFactory()
    login(user)
    response = client.get(SETUP)
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert "<svg" in response.text
    assert "<img" not in response.text.split('class="qr"')[1].split("</div>")[0]
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', response.text).group(1)
    assert shown.replace(" ", "") == secret
    # No inline script: every <script> is a vendored file carrying the CSP nonce.
    for tag in re.findall(r"<script[^>]*>", response.text):
        assert "src=" in tag and "nonce=" in tag
    # Reloading keeps the same secret, so a QR code already scanned stays valid.
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert TOTPDevice.objects.get(user=user).key == device.key


def test_setup_with_a_real_code_turns_2fa_on_and_shows_backup_codes_once(client, login):
    user = UserFactory()
    login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(SETUP, {"token": code_for(device)})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    codes = _codes_on_page(response.text)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    # The session counts as verified: the rest of the site is open.
    assert client.get(PROFILE).status_code == 200
    assert "Đang bật" in client.get(PROFILE).text
    # Shown once: the setup page now just says 2FA is on.
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"] == PROFILE
    assert AuditEntry.objects.filter(object_id=str(device.pk), action="update").exists()


def test_setup_rejects_a_wrong_code_with_a_vietnamese_field_error(client, login):
    user = UserFactory()
    login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    response = client.post(SETUP, {"token": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["token"] == ["Mã xác thực không đúng hoặc đã hết hạn."]
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.filter(device__user=user).exists()
    # The failure is counted (django-otp throttling) even though the form was rejected.
    assert device.throttling_failure_count == 1


def test_setup_rejects_a_code_that_is_not_six_digits(client, login):
    login(UserFactory())
    client.get(SETUP)
    response = client.post(SETUP, {"token": "12ab"})
    assert response.context["form"].errors["token"] == ["Mã xác thực gồm 6 chữ số."]
    response = client.post(SETUP, {"token": ""})
    assert response.context["form"].errors["token"] == ["Vui lòng nhập mã xác thực."]


def test_service_refuses_a_second_device():
    user = UserFactory()
    enable_2fa(user)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.totp_device_create(user=user)


# --- verify at login ------------------------------------------------------------------------------


def test_login_with_2fa_goes_to_verify_keeping_next(client):
    user = UserFactory()
    device, _ = enable_2fa(user)
    response = _password_login(client, user, next="/audit/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=%2Faudit%2F"
    # Password alone opens nothing else.
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)
    # Verify page, then the code, then where the user was going.
    assert client.get(response["Location"]).status_code == 200
    response = client.post(VERIFY, {"token": code_for(device), "next": "/audit/"})
    assert response.status_code == 302
    assert response["Location"] == "/audit/"
    assert client.get(HOME).status_code == 200


def test_verify_rejects_wrong_code_and_unsafe_next(client):
    user = UserFactory()
    device, _ = enable_2fa(user)
    _password_login(client, user)
    response = client.post(VERIFY, {"token": "000000"})
    if code_for(device) != "000000":
        assert response.status_code == 200
        assert response.context["form"].errors["token"]
    device.throttle_reset()
    response = client.post(VERIFY, {"token": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == HOME


def test_a_verified_session_skips_the_verify_page(client, login):
    user = UserFactory()
    device, _ = enable_2fa(user)
    login(user)
    mark_verified(client, device)
    response = client.get(VERIFY)
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_a_user_without_2fa_is_not_asked_for_a_code(client):
    user = UserFactory()
    response = _password_login(client, user)
    assert response["Location"] == HOME
    assert client.get(VERIFY)["Location"] == HOME


def test_backup_code_works_once(client):
    user = UserFactory()
    _, codes = enable_2fa(user)
    _password_login(client, user)
    code = codes[0]
    response = client.post(VERIFY, {"token": f"{code[:4]} {code[4:].upper()}"}, follow=True)
    assert response.status_code == 200
    assert "còn lại 9 mã" in response.text
    assert client.get(HOME).status_code == 200
    client.post(reverse("accounts:logout"))

    _password_login(client, user)
    response = client.post(VERIFY, {"token": code})
    assert response.status_code == 200
    assert response.context["form"].errors["token"] == ["Mã xác thực không đúng hoặc đã hết hạn."]
    assert client.get(HOME).status_code == 302


# --- backup codes ---------------------------------------------------------------------------------


def test_regenerate_backup_codes_replaces_the_old_ones(client, login):
    user = UserFactory()
    device, old = enable_2fa(user)
    login(user)
    mark_verified(client, device)
    assert client.get(BACKUP).status_code == 405
    response = client.post(BACKUP)
    assert response.status_code == 200
    new = _codes_on_page(response.text)
    assert len(new) == 10
    assert not set(new) & set(old)
    assert StaticToken.objects.filter(device__user=user).count() == 10


def test_regenerate_needs_2fa_on(client, login):
    login(UserFactory())
    response = client.post(BACKUP)
    assert response["Location"] == PROFILE
    assert not StaticToken.objects.exists()


# --- disable --------------------------------------------------------------------------------------


def test_disable_with_the_current_password(client, login):
    user = UserFactory()
    device, _ = enable_2fa(user)
    login(user)
    mark_verified(client, device)
    assert client.get(DISABLE).status_code == 200
    response = client.post(DISABLE, {"password": "sai"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["Mật khẩu không đúng."]
    response = client.post(DISABLE, {})
    assert "Nhập mật khẩu hiện tại hoặc một mã xác thực" in response.text
    assert TOTPDevice.objects.filter(user=user).exists()

    response = client.post(DISABLE, {"password": TEST_PASSWORD})
    assert response["Location"] == PROFILE
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticToken.objects.filter(device__user=user).exists()
    assert "Chưa bật" in client.get(PROFILE).text


def test_disable_with_a_code(client, login):
    user = UserFactory()
    device, codes = enable_2fa(user)
    login(user)
    mark_verified(client, device)
    response = client.post(DISABLE, {"token": codes[3]})
    assert response["Location"] == PROFILE
    assert not TOTPDevice.objects.filter(user=user).exists()


def test_password_alone_cannot_disable_2fa(client):
    """A session that has only passed the password step is sent to verify, not allowed to disable."""
    user = UserFactory()
    enable_2fa(user)
    _password_login(client, user)
    for response in (
        client.get(DISABLE),
        client.post(DISABLE, {"password": TEST_PASSWORD}),
        client.post(BACKUP),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_profile_shows_setup_action_when_off(client, login):
    login(UserFactory())
    response = client.get(PROFILE)
    assert "Chưa bật" in response.text
    assert SETUP in response.text


# --- denied access --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "accounts:two_factor_setup"),
        ("post", "accounts:two_factor_setup"),
        ("get", "accounts:two_factor_verify"),
        ("get", "accounts:two_factor_disable"),
        ("post", "accounts:two_factor_disable"),
        ("post", "accounts:backup_codes_regenerate"),
        ("get", "accounts:profile"),
        ("get", "accounts:password_change"),
    ],
)
def test_anonymous_is_sent_to_login(client, method, name):
    url = reverse(name)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('accounts:login')}?next=")
    assert not TOTPDevice.objects.exists()
