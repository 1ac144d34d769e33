"""Views: inbox, acknowledgement, the record's alert panel; denied access for each (R3, R12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from chihuy.alerts.choices import AlertStatus
from chihuy.alerts.models import Alert
from chihuy.alerts.services import alert_raise
from chihuy.centres.choices import Role

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def alert(world, make_record, time_machine):
    time_machine.move_to(T0, tick=False)
    return alert_raise(record=make_record(world.commune))


@pytest.mark.parametrize(
    ("method", "name"), [("get", "/alerts/"), ("get", "/alerts/stream"), ("post", "ack")]
)
def test_anonymous_is_sent_to_login(client, alert, method, name):
    url = f"/alerts/{alert.pk}/acknowledge" if name == "ack" else name
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_inbox_lists_what_the_user_may_see(world, alert, login, django_assert_max_num_queries):
    client = login(world.user("commune", Role.COMMANDER))
    with django_assert_max_num_queries(12):
        response = client.get("/alerts/")
    assert response.status_code == 200
    assert alert.record.number in response.content.decode()
    assert 'id="alert-live"' in response.content.decode()  # the live area is on every page

    for key in (("district", Role.COMMANDER), ("province", Role.DEPUTY)):
        assert alert.record.number in login(world.user(*key)).get("/alerts/").content.decode()
    for key in (("sibling", Role.COMMANDER), ("commune", Role.DUTY_OFFICER), ("district", Role.MEMBER)):
        assert alert.record.number not in login(world.user(*key)).get("/alerts/").content.decode()


def test_acknowledge_from_the_inbox(world, alert, login):
    client = login(world.user("commune", Role.COMMANDER))
    response = client.post(f"/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == world.user("commune", Role.COMMANDER)


def test_acknowledge_as_json_for_the_banner(world, alert, login):
    client = login(world.user("district", Role.COMMANDER))
    response = client.post(f"/alerts/{alert.pk}/acknowledge", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "alert": alert.pk, "status": "acknowledged"}


def test_acknowledge_with_htmx_returns_the_record_panel(world, alert, login):
    client = login(world.user("commune", Role.COMMANDER))
    response = client.post(f"/alerts/{alert.pk}/acknowledge", headers={"HX-Request": "true"})
    body = response.content.decode()
    assert f'id="record-alerts-{alert.record.pk}"' in body
    assert 'data-alert-status="acknowledged"' in body


@pytest.mark.parametrize(
    "key", [("sibling", Role.COMMANDER), ("commune", Role.DUTY_OFFICER), ("district", Role.MEMBER)]
)
def test_acknowledge_by_outsider_is_404(world, alert, login, key):
    response = login(world.user(*key)).post(f"/alerts/{alert.pk}/acknowledge")
    assert response.status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_acknowledge_needs_post(world, alert, login):
    assert (
        login(world.user("commune", Role.COMMANDER)).get(f"/alerts/{alert.pk}/acknowledge").status_code == 405
    )


def _panel(user, record) -> str:
    request = RequestFactory().get("/intake/1/")
    request.user = user
    template = Template('{% include "alerts/_record_alerts.html" %}')
    return template.render(Context({"record": record, "request": request, "csrf_token": "tok"}))


def test_record_panel_shows_chain_and_deliveries(world, alert, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        html = _panel(world.user("commune", Role.COMMANDER), alert.record)
    assert html.count("data-step=") == 6
    assert 'data-delivery-status="sent"' in html
    assert f'action="/alerts/{alert.pk}/acknowledge"' in html
    assert "22/11/2026 15:00:00" in html  # shown in Asia/Ho_Chi_Minh


def test_record_panel_is_empty_for_outsiders(world, alert):
    html = _panel(world.user("sibling", Role.COMMANDER), alert.record)
    assert "data-step=" not in html
    assert "acknowledge" not in html
