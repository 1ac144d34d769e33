"""Roster notices travel through the shared notifications: an in-app notice written with the
action, e-mail / SMS / Zalo delivered after commit on the centre's alert channels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chihuy.alerts.models import AlertPolicy
from chihuy.centres.models import Member
from chihuy.notifications.models import Notification
from chihuy.roster import notify, services
from chihuy.roster.choices import DutyRole
from chihuy.roster.models import Assignment
from chihuy.roster.tests.conftest import TZ

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=TZ)


def _draft(staffed):
    return services.roster_generate(
        centre=staffed.centre, start=dt.date(2026, 4, 24), end=dt.date(2026, 4, 26)
    )


def _users(staffed, *roles):
    return set(
        Member.objects.filter(centre=staffed.centre, role__in=roles, is_active=True).values_list(
            "user_id", flat=True
        )
    )


def _health_primary(roster, start):
    return Assignment.objects.get(roster=roster, role=DutyRole.PRIMARY, agency__kind="health", start=start)


def _fresh_health_officer(staffed):
    from chihuy.core.testing.factories import MemberFactory, UserFactory

    return MemberFactory(
        centre=staffed.centre, role="duty_officer", agency=staffed.health, user=UserFactory(username="yt_moi")
    )


def test_publication_notices_link_to_pages_their_readers_can_open(
    staffed, login, django_capture_on_commit_callbacks
):
    roster = _draft(staffed)
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_publish(roster=roster)
    officer = staffed.officers["health"][0]
    own = Notification.objects.get(kind=notify.KIND_PUBLISHED, user=officer.user)
    assert own.centre == staffed.centre and own.channels == ["in_app", "email"]
    assert own.url == reverse("roster:person", args=[officer.pk]) + "?view=month&date=2026-04-24"
    assert own.body.count("\n") + 1 == Assignment.objects.filter(roster=roster, user=officer.user).count()
    agency = Notification.objects.get(kind=notify.KIND_AGENCY_LIST, user=officer.user)
    assert agency.url == reverse("roster:detail", args=[roster.pk]) and "YT" in agency.subject
    client = login(officer.user)
    assert client.get(own.url).status_code == 200
    assert client.get(agency.url).status_code == 200
    assert {m.to[0] for m in mail.outbox} >= {officer.user.email}


def test_publication_reads_the_alert_policy_once(staffed):
    roster = _draft(staffed)
    with CaptureQueriesContext(connection) as queries:
        services.roster_publish(roster=roster)
    policy_reads = [q["sql"] for q in queries if "alerts_alertpolicy" in q["sql"]]
    assert len(policy_reads) == 1, policy_reads
    assert Notification.objects.filter(kind=notify.KIND_PUBLISHED).exists()


def test_a_rolled_back_publication_tells_nobody(staffed, django_capture_on_commit_callbacks):
    roster = _draft(staffed)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.roster_publish(roster=roster)
        raise RuntimeError("later step failed")
    assert callbacks == [] and not mail.outbox
    assert not Notification.objects.exists()


def test_notices_travel_on_the_centres_alert_channels(staffed, gateway, django_capture_on_commit_callbacks):
    AlertPolicy.objects.create(
        centre=staffed.centre,
        email_enabled=False,
        sms_enabled=True,
        sms_webhook_url=f"{gateway.url}/sms",
        zalo_enabled=True,
        zalo_webhook_url=f"{gateway.url}/zalo",
    )
    standing = staffed.standing.user
    standing.phone = "0912345678"
    standing.save()
    roster = _draft(staffed)
    with django_capture_on_commit_callbacks(execute=True):
        services.roster_publish(roster=roster)
    notices = Notification.objects.filter(centre=staffed.centre)
    assert notices.exists() and all(n.channels == ["in_app", "sms", "zalo"] for n in notices)
    assert not mail.outbox  # e-mail turned off for this centre
    to_standing = notices.filter(user=standing)
    assert all(n.deliveries["sms"]["status"] == n.deliveries["zalo"]["status"] == "sent" for n in to_standing)
    posted = [r.json() for r in gateway.requests]
    assert posted and {p["to"] for p in posted} == {"0912345678"}
    assert {r.path for r in gateway.requests} == {"/sms", "/zalo"}
    assert any("Lịch trực của bạn" in n.subject for n in to_standing)


def test_every_swap_step_is_noticed(published, staffed, django_capture_on_commit_callbacks):
    a = _health_primary(published, at(27, 7))
    requester = a.user
    target = _fresh_health_officer(staffed)
    leaders = _users(staffed, "commander", "deputy")
    mine = reverse("roster:mine")

    with django_capture_on_commit_callbacks(execute=True):
        swap = services.swap_request(assignment=a, user=requester, counterpart=target, reason="Việc gia đình")
    asked = Notification.objects.get(kind="roster.swap_requested")
    assert asked.user == target.user and asked.url == mine and "Việc gia đình" in asked.body
    with django_capture_on_commit_callbacks(execute=True):
        swap = services.swap_accept(swap=swap, user=target.user)
    accepted = Notification.objects.filter(kind="roster.swap_accepted")
    assert {n.user_id for n in accepted} == leaders and all(n.url == mine for n in accepted)
    with django_capture_on_commit_callbacks(execute=True):
        services.swap_approve(swap=swap, by=staffed.commander.user)
    approved = Notification.objects.filter(kind="roster.swap_approved")
    assert {n.user_id for n in approved} == {requester.pk, target.user_id}
    assert {m.to[0] for m in mail.outbox} == {target.user.email, requester.email} | set(
        Member.objects.filter(user_id__in=leaders).values_list("user__email", flat=True)
    )


def test_a_rejected_swap_is_noticed_to_both(published, staffed, django_capture_on_commit_callbacks):
    a = _health_primary(published, at(28, 7))
    target = _fresh_health_officer(staffed)
    swap = services.swap_request(assignment=a, user=a.user, counterpart=target)
    with django_capture_on_commit_callbacks(execute=True):
        services.swap_reject(swap=swap, by=target.user)
    rejected = Notification.objects.filter(kind="roster.swap_rejected")
    assert {n.user_id for n in rejected} == {a.user_id, target.user_id}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.user.email, target.user.email])


def test_take_over_is_noticed_to_standing_and_leaders(
    published, staffed, frozen, django_capture_on_commit_callbacks
):
    frozen.move_to(at(24, 14))
    a = _health_primary(published, at(24, 13))
    taker = next(
        m
        for m in staffed.officers["health"]
        if not Assignment.objects.filter(user=m.user).overlapping(at(24, 14), at(24, 19)).exists()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_take_over(assignment=a, member=taker)
    notices = Notification.objects.filter(kind=notify.KIND_TAKE_OVER)
    assert {n.user_id for n in notices} == _users(staffed, "standing", "commander", "deputy")
    url = reverse("roster:centre", args=[staffed.centre.pk]) + "?view=day&date=2026-04-24"
    assert all(n.url == url and "khẩn cấp" in n.body for n in notices)
    assert len(mail.outbox) == notices.count()
