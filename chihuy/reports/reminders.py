"""Reminders of the daily report (issue 5 §3): 60 and 15 minutes before the deadline to the
children that have not filed, and at the deadline the list of missing ones to the parent's
standing unit.

The schedule is stored, not remembered: each parent's deadline is in ``ReportingSettings``
(17:00 local time by default) and each notice sent is a ``ReminderLog`` row whose unique
key (parent, day, kind) is claimed in the same transaction that writes the notifications.
``send_due_reminders`` can therefore run at any moment, any number of times, from any
number of workers: it sends what is due and not yet sent, and a restart never sends twice.

Reminders travel on the channels each recipient centre chose for its urgent alerts
(``AlertPolicy.channels()``: in-app always, e-mail, SMS and Zalo OA when enabled), so a
commune that gets intake alerts by SMS also gets its report reminders by SMS.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.choices import CentreStatus, Role
from chihuy.centres.models import Centre, Member
from chihuy.reports.access import FILER_ROLES
from chihuy.reports.choices import FILED_STATES, ReminderKind
from chihuy.reports.models import DEFAULT_DEADLINE, DailyReport, ReminderLog, ReportingSettings
from chihuy.reports.selectors import owes_q

FIRST_BEFORE = dt.timedelta(minutes=60)
SECOND_BEFORE = dt.timedelta(minutes=15)
KIND = "report_reminder"


def reminder_times(*, day: dt.date, deadline: dt.time) -> dict[str, dt.datetime]:
    due = timezone.make_aware(dt.datetime.combine(day, deadline), timezone.get_default_timezone())
    return {
        ReminderKind.FIRST: due - FIRST_BEFORE,
        ReminderKind.SECOND: due - SECOND_BEFORE,
        ReminderKind.MISSING: due,
    }


def next_reminder_at(*, now: dt.datetime | None = None) -> dt.datetime:
    """The next moment any reminder falls due, today or tomorrow (for the self-rescheduling task)."""
    now = now or timezone.now()
    deadlines = set(ReportingSettings.objects.values_list("deadline", flat=True)) | {DEFAULT_DEADLINE}
    today = timezone.localdate(now)
    for day in (today, today + dt.timedelta(days=1)):
        upcoming = [t for d in deadlines for t in reminder_times(day=day, deadline=d).values() if t > now]
        if upcoming:
            return min(upcoming)
    return now + dt.timedelta(hours=1)  # unreachable: tomorrow always has a time


def _due_kinds(times: dict[str, dt.datetime], now: dt.datetime) -> list[str]:
    deadline = times[ReminderKind.MISSING]
    if now >= deadline:
        return [ReminderKind.MISSING]
    if now >= times[ReminderKind.SECOND]:
        return [ReminderKind.SECOND]
    if now >= times[ReminderKind.FIRST]:
        return [ReminderKind.FIRST]
    return []


def _claim(parent_id: int, day: dt.date, kind: str, now: dt.datetime) -> ReminderLog | None:
    try:
        with transaction.atomic():
            return ReminderLog.objects.create(centre_id=parent_id, date=day, kind=kind, sent_at=now)
    except IntegrityError:
        return None


def _missing_children(parent: Centre, day: dt.date) -> list[Centre]:
    filed = DailyReport.objects.filter(parent=parent, date=day, state__in=FILED_STATES).values("centre_id")
    return list(Centre.objects.filter(owes_q(day), parent=parent).exclude(pk__in=filed).order_by("name"))


def _users(centres: list[Centre], roles: frozenset[str]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for m in Member.objects.filter(centre__in=centres, is_active=True, role__in=roles).select_related("user"):
        out.setdefault(m.centre_id, []).append(m.user)
    return out


class CentreChannels:
    """The alert channels of every centre a batch of reminders may reach, read in one query.

    The recipients are the parents (the list of missing reports) and their children (the
    reminders), so the policies of both are loaded together; a centre without a policy
    gets the default channels of a notice (in-app and e-mail).
    """

    def __init__(self, parent_ids: Collection[int]) -> None:
        from chihuy.notifications.selectors import channels_by_centre

        self._by_centre = channels_by_centre(
            where=Q(centre_id__in=parent_ids) | Q(centre__parent_id__in=parent_ids)
        )

    def of(self, centre: Centre) -> Sequence[str]:
        from chihuy.notifications.choices import DEFAULT_CHANNELS

        return self._by_centre.get(centre.pk, DEFAULT_CHANNELS)


def _notify(*, centre: Centre, channels: CentreChannels, **kwargs: Any) -> int:
    from chihuy.notifications.services import notify_users

    return notify_users(kind=KIND, centre=centre, channels=channels.of(centre), **kwargs)


def _remind_children(
    parent: Centre,
    day: dt.date,
    kind: str,
    missing: list[Centre],
    deadline: dt.time,
    channels: CentreChannels,
) -> int:
    at = deadline.strftime("%H:%M")
    people = _users(missing, FILER_ROLES)
    sent = 0
    for child in missing:
        sent += _notify(
            channels=channels,
            users=people.get(child.pk, []),
            subject=_("[%(code)s] Nhắc nộp báo cáo ngày %(d)s trước %(at)s")
            % {"code": child.short_code, "d": f"{day:%d/%m/%Y}", "at": at},
            body=_(
                "%(centre)s chưa nộp báo cáo hằng ngày ngày %(d)s cho %(parent)s. "
                "Hạn nộp: %(at)s hôm nay. Đây là lần nhắc %(n)s."
            )
            % {
                "centre": child.name,
                "parent": parent.name,
                "d": f"{day:%d/%m/%Y}",
                "at": at,
                "n": "1" if kind == ReminderKind.FIRST else "2",
            },
            url=reverse("reports:file", args=[child.pk, day.isoformat()]),
            centre=child,
        )
    return sent


def _tell_parent(parent: Centre, day: dt.date, missing: list[Centre], channels: CentreChannels) -> int:
    people = _users([parent], frozenset({Role.STANDING})).get(parent.pk) or _users(
        [parent], frozenset({Role.COMMANDER, Role.DEPUTY})
    ).get(parent.pk, [])
    lines = [f"- {c.name}" for c in missing]
    return _notify(
        channels=channels,
        users=people,
        subject=_("[%(code)s] %(n)d đơn vị chưa nộp báo cáo ngày %(d)s")
        % {"code": parent.short_code, "n": len(missing), "d": f"{day:%d/%m/%Y}"},
        body=_("Đến hạn nộp báo cáo ngày %(d)s, các đơn vị sau chưa nộp:") % {"d": f"{day:%d/%m/%Y}"}
        + "\n"
        + "\n".join(lines),
        url=reverse("reports:dashboard", args=[parent.pk]),
        centre=parent,
    )


def send_due_reminders(*, now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """Send every reminder of today that is due and not yet sent; returns (parent id, kind) sent.

    A reminder missed while the workers were down is not sent late: before the deadline
    only the latest reminder is sent (the earlier one is recorded as skipped), and after
    the deadline only the list of missing reports, once.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    parent_ids = set(
        Centre.objects.filter(owes_q(day), parent__isnull=False)
        .exclude(parent__status=CentreStatus.DISSOLVED)
        .values_list("parent_id", flat=True)
    )
    if not parent_ids:
        return []
    deadlines = dict(
        ReportingSettings.objects.filter(centre_id__in=parent_ids).values_list("centre_id", "deadline")
    )
    done = set(
        ReminderLog.objects.filter(centre_id__in=parent_ids, date=day).values_list("centre_id", "kind")
    )
    due = [
        (parent_id, kind)
        for parent_id in sorted(parent_ids)
        for kind in _due_kinds(
            reminder_times(day=day, deadline=deadlines.get(parent_id, DEFAULT_DEADLINE)), now
        )
        if (parent_id, kind) not in done
    ]
    if not due:
        return []
    due_parents = {parent_id for parent_id, _kind in due}
    parents = {c.pk: c for c in Centre.objects.filter(pk__in=due_parents)}
    channels = CentreChannels(due_parents)
    sent: list[tuple[int, str]] = []
    for parent_id, kind in due:
        with transaction.atomic():
            log = _claim(parent_id, day, kind, now)
            if log is None:
                continue
            if kind == ReminderKind.SECOND and (parent_id, ReminderKind.FIRST) not in done:
                _claim(parent_id, day, ReminderKind.FIRST, now)  # too late for it: skipped
            if kind == ReminderKind.MISSING:
                for skipped in (ReminderKind.FIRST, ReminderKind.SECOND):
                    if (parent_id, skipped) not in done:
                        _claim(parent_id, day, skipped, now)
            parent = parents[parent_id]
            missing = _missing_children(parent, day)
            if missing:
                if kind == ReminderKind.MISSING:
                    log.recipients = _tell_parent(parent, day, missing, channels)
                else:
                    deadline = deadlines.get(parent_id, DEFAULT_DEADLINE)
                    log.recipients = _remind_children(parent, day, kind, missing, deadline, channels)
            log.missing = len(missing)
            log.save(update_fields=["recipients", "missing"])
        sent.append((parent_id, kind))
    return sent
