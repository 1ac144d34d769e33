from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from chihuy.alerts.models import AlertPolicy
from chihuy.alerts.services import alert_policy_for, alert_policy_update
from chihuy.centres.choices import Role

pytestmark = pytest.mark.django_db


def test_update_creates_then_changes_the_policy(world):
    policy = alert_policy_update(centre=world.commune, minutes=3, repeats=4)
    assert (policy.minutes, policy.repeats) == (3, 4)
    alert_policy_update(centre=world.commune, minutes=10)
    assert AlertPolicy.objects.get(centre=world.commune).minutes == 10
    assert AlertPolicy.objects.filter(centre=world.commune).count() == 1


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"sms_enabled": True}, "sms_webhook_url"),
        ({"zalo_enabled": True}, "zalo_webhook_url"),
        ({"minutes": 0}, "minutes"),
        ({"repeats": 50}, "repeats"),
        ({"sms_webhook_url": "not a url"}, "sms_webhook_url"),
    ],
)
def test_bad_policy_is_refused_and_nothing_saved(world, fields, field):
    with pytest.raises(ValidationError) as exc:
        alert_policy_update(centre=world.commune, **fields)
    assert field in exc.value.message_dict
    assert not AlertPolicy.objects.filter(centre=world.commune).exists()


def test_commander_edits_the_policy_page_and_secret_is_kept_unless_typed(world, client):
    client.force_login(world.user("commune", Role.COMMANDER))
    url = reverse("alerts:policy", args=[world.commune.pk])
    assert client.get(url).status_code == 200
    data = {
        "minutes": "2",
        "repeats": "3",
        "email_enabled": "on",
        "sms_enabled": "on",
        "sms_webhook_url": "https://sms.example.vn/hook",
        "zalo_webhook_url": "",
        "webhook_secret": "s3cret",
    }
    assert client.post(url, data).status_code == 302
    policy = alert_policy_for(centre=world.commune)
    assert (policy.minutes, policy.repeats, policy.sms_enabled) == (2, 3, True)
    assert policy.webhook_secret == "s3cret"
    data["webhook_secret"] = ""
    client.post(url, data)
    assert alert_policy_for(centre=world.commune).webhook_secret == "s3cret"
    data["clear_secret"] = "on"
    client.post(url, data)
    assert alert_policy_for(centre=world.commune).webhook_secret == ""


def test_policy_page_shows_field_errors_in_vietnamese(world, client):
    client.force_login(world.user("commune", Role.COMMANDER))
    url = reverse("alerts:policy", args=[world.commune.pk])
    response = client.post(url, {"minutes": "5", "repeats": "2", "zalo_enabled": "on"})
    assert response.status_code == 200
    assert "phải có địa chỉ webhook Zalo OA" in response.text


def test_policy_denied(world, client):
    url = reverse("alerts:policy", args=[world.commune.pk])
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(world.user("commune", Role.DUTY_OFFICER))
    assert client.get(url).status_code == 403
    client.force_login(world.user("sibling", Role.COMMANDER))
    assert client.get(url).status_code == 404
