"""RequireTwoFactorMiddleware: leaders of a centre that requires 2FA, half-logged-in sessions, HTMX."""

import pytest
from django.urls import reverse

from chihuy.accounts.tests.helpers import code_for, enable_2fa, mark_verified

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
HOME = reverse("centres:home")


@pytest.fixture
def strict(world):
    """The commune centre requires 2FA for its commander and deputies."""
    world.commune.require_2fa_for_leaders = True
    world.commune.save()
    return world


@pytest.mark.parametrize("role", ["commander", "deputy"])
def test_leader_without_2fa_is_sent_to_setup_with_a_message(strict, client, login, role):
    login(strict.user("commune", role))
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2F"
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert "yêu cầu chỉ huy trưởng, phó chỉ huy trưởng bật xác thực hai lớp" in response.text


@pytest.mark.parametrize("role", ["duty_officer", "member", "standing"])
def test_other_roles_are_not_forced(strict, client, login, role):
    login(strict.user("commune", role))
    assert client.get(HOME).status_code == 200


def test_leader_of_a_centre_without_the_rule_is_not_forced(strict, client, login):
    login(strict.user("sibling", "commander"))
    assert client.get(HOME).status_code == 200
    # The rule is per centre, not inherited: the district commander above is free too.
    login(strict.user("district", "commander"))
    assert client.get(HOME).status_code == 200


def test_leader_who_sets_up_2fa_is_let_through(strict, client, login):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = strict.user("commune", "commander")
    login(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    client.post(SETUP, {"token": code_for(device)})
    assert client.get(HOME).status_code == 200


def test_leader_with_2fa_but_unverified_session_goes_to_verify(strict, client, login):
    user = strict.user("commune", "commander")
    device, _ = enable_2fa(user)
    login(user)
    response = client.get("/audit/?page=2")
    assert response["Location"] == f"{VERIFY}?next=%2Faudit%2F%3Fpage%3D2"
    mark_verified(client, device)
    assert client.get(HOME).status_code == 200


def test_any_user_with_2fa_must_verify(world, client, login):
    user = world.user("commune", "duty_officer")
    enable_2fa(user)
    login(user)
    assert client.get(HOME)["Location"].startswith(VERIFY)
    assert client.get(reverse("accounts:profile"))["Location"].startswith(VERIFY)
    assert client.get(reverse("accounts:password_change"))["Location"].startswith(VERIFY)


def test_htmx_request_gets_hx_redirect(strict, client, login):
    login(strict.user("commune", "commander"))
    response = client.get(
        reverse("centres:list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/centres/"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{SETUP}?next=%2Fcentres%2F"
    assert "Location" not in response


def test_exempt_paths_stay_open(strict, client, login):
    login(strict.user("commune", "commander"))
    assert client.get("/healthz").status_code == 200
    assert client.get(SETUP).status_code == 200
    assert client.get(reverse("accounts:password_reset")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.get("/static/css/app.css").status_code in (200, 404)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")


def test_api_is_not_redirected_but_refuses_a_session_that_skipped_2fa(strict, client, login):
    login(strict.user("commune", "commander"))
    response = client.get("/api/v1/centres/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert "Location" not in response


def test_anonymous_api_requests_pass_through(strict, client):
    response = client.get("/api/v1/centres/")
    assert response.status_code != 302


def test_anonymous_users_are_untouched(client, db):
    response = client.get(HOME)
    assert response["Location"].startswith(reverse("accounts:login"))
