"""Who hears about the roster, and what they read (R1, issue 4).

Every roster notice goes through the shared ``notify_users``: the in-app notice is written in
the caller's transaction (the service that publishes, swaps or takes over; the task that claims
a missed check-in or the day's gap list), and e-mail, SMS and Zalo OA follow after commit on
the channels the centre chose for its urgent alerts. So a rolled-back action tells nobody and a
claimed one is told exactly once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from chihuy.centres.choices import LEADER_ROLES, Role
from chihuy.notifications.selectors import centre_channels
from chihuy.notifications.services import notify_users

KIND_PUBLISHED = "roster.published"
KIND_AGENCY_LIST = "roster.agency_list"
KIND_SWAP = "roster.swap_"  # + the swap's status: requested, accepted, approved, rejected
KIND_TAKE_OVER = "roster.take_over"
KIND_CHECKIN_MISSED = "roster.checkin_missed"
KIND_COVERAGE_GAPS = "roster.coverage_gaps"


def _fmt(value: Any) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y")


def line(a: Any) -> str:
    agency = f" – {a.agency}" if a.agency_id else ""
    return f"{_fmt(a.start)} → {_fmt(a.end)}: {a.get_role_display()}{agency}: {a.member.user}"


def subject(centre: Any, text: str) -> str:
    return _("[%(centre)s] %(text)s") % {"centre": centre.short_code, "text": text}


def _send(
    *,
    users: Iterable[Any],
    centre: Any,
    title: str,
    body: str,
    url: str,
    kind: str,
    channels: Sequence[str] | None = None,
) -> int:
    return notify_users(
        users=users,
        subject=subject(centre, title),
        body=body,
        url=url,
        centre=centre,
        kind=kind,
        channels=channels if channels is not None else centre_channels(centre=centre),
    )


def _members(centre: Any, **filters: Any) -> list[Any]:
    from chihuy.centres.models import Member

    return list(
        Member.objects.filter(centre=centre, is_active=True, **filters).select_related("user").order_by("pk")
    )


def standing_users(centre: Any) -> list[Any]:
    return [m.user for m in _members(centre, role=Role.STANDING)]


def leader_users(centre: Any) -> list[Any]:
    return [m.user for m in _members(centre, role__in=LEADER_ROLES)]


def _calendar_url(centre: Any, day: dt.date | None = None) -> str:
    url = reverse("roster:centre", args=[centre.pk])
    return f"{url}?{urlencode({'view': 'day', 'date': day.isoformat()})}" if day else url


def roster_published(*, roster: Any) -> int:
    """Each person gets his own shifts; each agency's people get the agency's duty list (R1)."""
    from chihuy.roster.models import Assignment

    centre = roster.centre
    by_user: dict[int, list[Any]] = {}
    by_agency: dict[int, list[Any]] = {}
    for a in (
        Assignment.objects.filter(roster=roster)
        .select_related("member__user", "agency")
        .order_by("start", "role")
    ):
        by_user.setdefault(a.user_id, []).append(a)
        if a.agency_id:
            by_agency.setdefault(a.agency_id, []).append(a)
    if not by_user:
        return 0
    channels = centre_channels(centre=centre)
    period = f"{roster.start:%d/%m/%Y} – {roster.end:%d/%m/%Y}"
    month = urlencode({"view": "month", "date": roster.start.isoformat()})
    sent = 0
    for items in by_user.values():
        member = items[0].member
        sent += _send(
            users=[member.user],
            centre=centre,
            title=_("Lịch trực của bạn %(p)s") % {"p": period},
            body="\n".join(line(a) for a in items),
            url=f"{reverse('roster:person', args=[member.pk])}?{month}",
            kind=KIND_PUBLISHED,
            channels=channels,
        )
    people: dict[int, list[Any]] = {}
    for m in _members(centre, agency_id__in=list(by_agency)):
        people.setdefault(m.agency_id, []).append(m.user)
    detail = reverse("roster:detail", args=[roster.pk])
    for agency_id, items in by_agency.items():
        sent += _send(
            users=people.get(agency_id, []),
            centre=centre,
            title=_("Danh sách trực của %(a)s %(p)s") % {"a": items[0].agency, "p": period},
            body="\n".join(line(a) for a in items),
            url=detail,
            kind=KIND_AGENCY_LIST,
            channels=channels,
        )
    return sent


def swap_changed(*, swap: Any) -> int:
    """A request goes to the colleague asked; an accepted one to the leaders who approve it; the
    decision to both people."""
    from chihuy.roster.choices import SwapStatus

    a = swap.assignment
    centre = a.centre
    names = {"who": swap.requester.user, "to": swap.counterpart.user, "line": line(a)}
    if swap.status == SwapStatus.REQUESTED:
        to = [swap.counterpart.user]
        body = _("%(who)s đề nghị %(to)s nhận ca %(line)s.") % names
        if swap.reason:
            body = f"{body}\n{swap.reason}"
    elif swap.status == SwapStatus.ACCEPTED:
        to = leader_users(centre)
        body = _("%(to)s đã đồng ý nhận ca %(line)s thay %(who)s; cần chỉ huy duyệt.") % names
    elif swap.status == SwapStatus.APPROVED:
        to = [swap.requester.user, swap.counterpart.user]
        body = _("Đã duyệt: %(to)s nhận ca %(line)s thay %(who)s.") % names
    else:
        to = [swap.requester.user, swap.counterpart.user]
        body = _("Yêu cầu của %(who)s đề nghị %(to)s nhận ca %(line)s không được chấp nhận.") % names
    return _send(
        users=to,
        centre=centre,
        title=_("Đổi ca: %(s)s") % {"s": swap.get_status_display()},
        body=body,
        url=reverse("roster:mine"),
        kind=f"{KIND_SWAP}{swap.status}",
    )


def taken_over(*, assignment: Any) -> int:
    """An emergency take-over bypassed the rules: the standing unit and the leaders must know."""
    centre = assignment.centre
    return _send(
        users=standing_users(centre) + leader_users(centre),
        centre=centre,
        title=_("Nhận ca khẩn cấp"),
        body=line(assignment) + "\n" + assignment.override_reason,
        url=_calendar_url(centre, timezone.localdate(assignment.start)),
        kind=KIND_TAKE_OVER,
    )


def _backup_users(assignment: Any, at: dt.datetime) -> list[Any]:
    from chihuy.roster.choices import DutyRole
    from chihuy.roster.models import Assignment

    return [
        b.member.user
        for b in Assignment.objects.filter(
            centre=assignment.centre,
            role=DutyRole.BACKUP,
            agency=assignment.agency,
            roster__status=assignment.roster.status,
            start__lte=at,
            end__gt=at,
        ).select_related("member__user")
    ]


def checkin_missed(*, assignment: Any, at: dt.datetime) -> int:
    """No check-in by ``at`` (start + grace): the backup officer on watch then and the standing unit."""
    a = assignment
    return _send(
        users=_backup_users(a, at) + standing_users(a.centre),
        centre=a.centre,
        title=_("Chưa điểm danh ca trực"),
        body=_(
            "%(name)s chưa điểm danh ca trực bắt đầu lúc %(start)s (%(agency)s). "
            "Cán bộ dự phòng đề nghị đến thay ngay; bộ phận thường trực kiểm tra."
        )
        % {"name": a.member.user, "start": _fmt(a.start), "agency": a.agency or _("trực chỉ huy")},
        url=_calendar_url(a.centre, timezone.localdate(a.start)),
        kind=KIND_CHECKIN_MISSED,
    )


def coverage_gaps(*, centre: Any, gaps: Sequence[Any]) -> int:
    """The standing unit learns which slots of the coming days have no primary officer."""
    if not gaps:
        return 0
    lines = [
        f"{timezone.localtime(g.start):%H:%M %d/%m} – {timezone.localtime(g.end):%H:%M %d/%m}: "
        f"{g.agency or _('Trực chỉ huy')} ({_('thiếu %(n)d') % {'n': g.missing}})"
        for g in gaps
    ]
    return _send(
        users=standing_users(centre),
        centre=centre,
        title=_("%(n)d vị trí trực chưa có người trong 14 ngày tới") % {"n": len(gaps)},
        body="\n".join(lines),
        url=_calendar_url(centre),
        kind=KIND_COVERAGE_GAPS,
    )
