from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from chihuy.alerts.adapters import register_adapter
from chihuy.alerts.choices import Channel
from chihuy.alerts.models import AlertPolicy
from chihuy.centres.choices import Role
from chihuy.notifications.models import Notification
from chihuy.notifications.services import notification_deliver, notify_users


@pytest.fixture
def people(world):
    a = world.user("commune", Role.COMMANDER)
    b = world.user("commune", Role.DUTY_OFFICER)
    return a, b


def test_notify_creates_one_notice_per_person_and_mails_after_commit(
    world, people, django_capture_on_commit_callbacks
):
    a, b = people
    with django_capture_on_commit_callbacks(execute=True):
        n = notify_users(
            users=[a, b, a],
            subject="Nhắc báo cáo",
            body="Hạn 17:00",
            url="/reports/",
            centre=world.commune,
            kind="t",
        )
    assert n == 2
    assert Notification.objects.filter(subject="Nhắc báo cáo").count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.email, b.email])
    assert "http://" in mail.outbox[0].body and "/reports/" in mail.outbox[0].body
    notice = Notification.objects.get(user=a)
    assert notice.deliveries["email"]["status"] == "sent"


def test_rolled_back_action_notifies_nobody(world, people, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify_users(users=people, subject="X", body="")
                raise RuntimeError
        except RuntimeError:
            pass
    assert not Notification.objects.exists()
    assert callbacks == [] and mail.outbox == []


def test_delivery_is_idempotent_and_records_failures(world, people):
    a, _ = people
    a.phone = ""
    a.save()
    notify_users(users=[a], subject="S", body="B", centre=world.commune, channels=["in_app", "email", "sms"])
    ids = list(Notification.objects.values_list("pk", flat=True))
    first = notification_deliver(ids=ids)
    second = notification_deliver(ids=ids)
    assert first == {"sent": 1, "failed": 1}
    assert second == {"sent": 0, "failed": 1}  # e-mail is never sent twice; the SMS failure is retried
    assert len(mail.outbox) == 1
    notice = Notification.objects.get()
    assert notice.deliveries["sms"]["status"] == "failed"


def test_sms_goes_through_the_centres_webhook_adapter(world, people):
    a, _ = people
    a.phone = "0912345678"
    a.save()
    AlertPolicy.objects.create(
        centre=world.commune, sms_enabled=True, sms_webhook_url="http://127.0.0.1:9/sms"
    )
    sent = []

    class Fake:
        def send(self, *, user, message, policy):
            sent.append((user.phone, message.subject, policy.sms_webhook_url))

    previous = register_adapter(Channel.SMS.value, Fake())
    try:
        notify_users(users=[a], subject="S", body="B", centre=world.commune, channels=["sms"])
        notification_deliver(ids=list(Notification.objects.values_list("pk", flat=True)))
    finally:
        register_adapter(Channel.SMS.value, previous)
    assert sent == [("0912345678", "S", "http://127.0.0.1:9/sms")]


def test_unknown_channel_is_refused(people):
    with pytest.raises(ValueError):
        notify_users(users=people, subject="S", body="", channels=["pigeon"])


def test_list_open_and_badge(world, people, client):
    a, b = people
    notify_users(users=[a, b], subject="Giao ban đổi phòng", body="Phòng họp 2", url="/briefings/")
    client.force_login(a)
    page = client.get(reverse("notifications:index"))
    assert page.status_code == 200 and "Giao ban đổi phòng" in page.text
    assert ">1</span>" in client.get(reverse("notifications:badge")).text
    mine = Notification.objects.get(user=a)
    response = client.post(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/briefings/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.get(user=b).read_at is None
    assert "badge-red" not in client.get(reverse("notifications:badge")).text


def test_someone_elses_notice_is_404_and_read_all_is_mine_only(world, people, client):
    a, b = people
    notify_users(users=[a, b], subject="S", body="")
    client.force_login(a)
    theirs = Notification.objects.get(user=b)
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.get(user=a).read_at is not None
    assert Notification.objects.get(user=b).read_at is None


def test_offsite_url_is_not_followed(world, people, client):
    a, _ = people
    notify_users(users=[a], subject="S", body="", url="https://evil.example/x")
    client.force_login(a)
    response = client.post(reverse("notifications:open", args=[Notification.objects.get().pk]))
    assert response["Location"] == reverse("notifications:index")


@pytest.mark.parametrize(
    "name,method,args",
    [("index", "get", []), ("badge", "get", []), ("read_all", "post", []), ("open", "post", [1])],
)
def test_anonymous_is_sent_to_login(client, db, name, method, args):
    response = getattr(client, method)(reverse(f"notifications:{name}", args=args))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_query_count(world, people, client, django_assert_max_num_queries):
    a, _ = people
    for i in range(30):
        notify_users(users=[a], subject=f"S{i}", body="", centre=world.commune)
    client.force_login(a)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("notifications:index")).status_code == 200


def test_header_shows_the_unread_count_with_the_page(world, people, client):
    a, _ = people
    notify_users(users=[a], subject="S1", body="")
    notify_users(users=[a], subject="S2", body="")
    client.force_login(a)
    page = client.get(reverse("notifications:index"))
    assert 'id="notif-badge"' in page.text and ">2</span>" in page.text
