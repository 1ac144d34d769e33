"""Briefing settings, the recurring schedule, creation, and venue/time changes (R5, R6, R26)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.briefings.access import BriefingAction, can_briefing
from chihuy.briefings.choices import (
    BriefingKind,
    BriefingStatus,
    ChangeKind,
    PointKind,
    VenueKind,
)
from chihuy.briefings.models import (
    BridgePoint,
    Briefing,
    BriefingChange,
    BriefingSettings,
    Participant,
)
from chihuy.briefings.models.settings import DEFAULT_TIME
from chihuy.briefings.services.common import (
    _ROLE_RANK,
    ATTENDING_ROLES,
    _acting,
    _check_centre_open,
    _check_open,
    _participant_users,
    _url,
    fmt,
    local_dt,
    notify,
)
from chihuy.centres.choices import CentreStatus, Role
from chihuy.centres.models import Centre, Member

# --- Settings and schedule -------------------------------------------------------------


def briefing_settings_for(centre: Centre) -> BriefingSettings:
    """The centre's settings; an unsaved default (daily at 17:00) until someone edits them."""
    found = BriefingSettings.objects.filter(centre=centre).first()
    return found if found is not None else BriefingSettings(centre=centre)


_SETTINGS_FIELDS = frozenset(
    {"regular_enabled", "regular_time", "duration_minutes", "days_ahead", "video_url_template"}
)


def briefing_settings_update(*, centre: Centre, actor: Any, **fields: Any) -> BriefingSettings:
    """Edit the daily briefing (R12: from 17:00, editable per centre) and create the days ahead."""
    unknown = set(fields) - _SETTINGS_FIELDS
    if unknown:
        raise TypeError(f"Unknown settings fields: {', '.join(sorted(unknown))}")
    _check_centre_open(centre)
    obj = briefing_settings_for(centre)
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.full_clean()
    with _acting(actor), transaction.atomic():
        obj.save()
        briefings_ensure_upcoming(centre=centre, actor=actor)
    return obj


def video_url(*, settings_obj: BriefingSettings, centre: Centre, starts_at: dt.datetime, kind: str) -> str:
    local = timezone.localtime(starts_at)
    return settings_obj.video_url_template.format(
        centre=centre.short_code.lower(), date=f"{local:%Y%m%d}", time=f"{local:%H%M}", kind=kind
    )


def default_chair(*, centre: Centre, at: dt.datetime) -> Any | None:
    """R9: the commander or the deputy on command duty at the meeting's time; else the commander."""
    from chihuy.roster.selectors import command_duty_users

    leaders = {
        m.user_id: m
        for m in Member.objects.filter(
            centre=centre, is_active=True, role__in=[Role.COMMANDER, Role.DEPUTY]
        ).select_related("user")
    }
    for user in command_duty_users(centre=centre, at=at):
        if user.pk in leaders:
            return user
    commander = next((m for m in leaders.values() if m.role == Role.COMMANDER), None)
    return commander.user if commander else None


def pick_room(*, centre: Centre, expected: int) -> tuple[str, str]:
    """R5: the meeting room, or the larger fallback room when attendance exceeds its capacity."""
    primary_fits = centre.room_primary_capacity is None or expected <= centre.room_primary_capacity
    if centre.room_primary and (primary_fits or not centre.room_fallback):
        return VenueKind.PRIMARY, centre.room_primary
    if centre.room_fallback:
        return VenueKind.FALLBACK, centre.room_fallback
    return VenueKind.OTHER, centre.address


def _centre_attendees(centre: Centre) -> list[Member]:
    """One membership per person (his highest role) among the centre's attending roles."""
    chosen: dict[int, Member] = {}
    rows = Member.objects.filter(centre=centre, is_active=True, role__in=ATTENDING_ROLES).select_related(
        "user"
    )
    for m in sorted(rows, key=lambda m: (_ROLE_RANK[Role(m.role)], m.pk)):
        if m.user.is_active:
            chosen.setdefault(m.user_id, m)
    return list(chosen.values())


def _set_up_points_and_people(briefing: Briefing) -> None:
    centre = briefing.centre
    hq = BridgePoint(
        briefing=briefing,
        kind=PointKind.HQ,
        centre=centre,
        label=centre.name,
        location=briefing.venue,
        order=0,
    )
    hq.full_clean()
    hq.save()
    for member in _centre_attendees(centre):
        Participant.objects.create(
            briefing=briefing, user=member.user, member=member, centre=centre, point=hq
        )
    taken = set(briefing.participants.values_list("user_id", flat=True))
    children = Centre.objects.filter(parent=centre).exclude(status=CentreStatus.DISSOLVED).order_by("path")
    for i, child in enumerate(children, start=1):
        point = BridgePoint.objects.create(
            briefing=briefing,
            kind=PointKind.CHILD,
            centre=child,
            label=child.name,
            location=child.room_primary or child.address,
            order=i,
        )
        # R12: the child's head attends by default; the child centre adds the others.
        head = (
            Member.objects.filter(centre=child, is_active=True, role=Role.COMMANDER)
            .select_related("user")
            .first()
        )
        if head is not None and head.user_id not in taken and head.user.is_active:
            Participant.objects.create(
                briefing=briefing, user=head.user, member=head, centre=child, point=point
            )
            taken.add(head.user_id)
    BridgePoint.objects.create(
        briefing=briefing,
        kind=PointKind.PERSONAL,
        centre=None,
        label=str(_("Thiết bị cá nhân (điện thoại, máy tính)")),
        order=9999,
    )


def _new_briefing(
    *,
    centre: Centre,
    actor: Any,
    kind: str,
    starts_at: dt.datetime,
    title: str,
    duration_minutes: int | None,
    chair: Any | None,
    occurrence_date: dt.date | None = None,
) -> Briefing:
    settings_obj = briefing_settings_for(centre)
    expected = len(_centre_attendees(centre))
    venue_kind, venue = pick_room(centre=centre, expected=expected)
    briefing = Briefing(
        centre=centre,
        kind=kind,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes or settings_obj.duration_minutes,
        occurrence_date=occurrence_date,
        chair=chair if chair is not None else default_chair(centre=centre, at=starts_at),
        venue_kind=venue_kind,
        venue=venue,
        video_url=video_url(settings_obj=settings_obj, centre=centre, starts_at=starts_at, kind=kind),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    briefing.full_clean(validate_constraints=False)
    briefing.save()
    _set_up_points_and_people(briefing)
    return briefing


def _check_chair(centre: Centre, chair: Any | None) -> None:
    if chair is None:
        return
    ok = Member.objects.filter(
        centre=centre, user=chair, is_active=True, role__in=[Role.COMMANDER, Role.DEPUTY]
    ).exists()
    if not ok:
        raise ValidationError(
            {"chair": _("Chủ trì phải là chỉ huy trưởng hoặc phó chỉ huy trưởng của trung tâm.")}
        )


def briefing_create(
    *,
    centre: Centre,
    actor: Any,
    starts_at: dt.datetime,
    title: str = "",
    duration_minutes: int | None = None,
    chair: Any | None = None,
) -> Briefing:
    """An ad-hoc meeting (R10: members attend regular and ad-hoc briefings); everyone is told."""
    _check_centre_open(centre)
    if starts_at <= timezone.now():
        raise ValidationError(
            {"starts_at": _("Không thể lên lịch một cuộc họp trong quá khứ (%(t)s).") % {"t": fmt(starts_at)}}
        )
    _check_chair(centre, chair)
    title = (title or "").strip() or _("Họp đột xuất")
    with _acting(actor), transaction.atomic():
        briefing = _new_briefing(
            centre=centre,
            actor=actor,
            kind=BriefingKind.ADHOC,
            starts_at=starts_at,
            title=title,
            duration_minutes=duration_minutes,
            chair=chair,
        )
        notify(
            users=_participant_users(briefing),
            subject=_("Triệu tập họp: %(t)s") % {"t": briefing.title},
            body=_meeting_text(briefing),
            url=_url(briefing),
            centre=centre,
            kind="created",
        )
    return briefing


def _meeting_text(briefing: Briefing) -> str:
    lines = [
        _("Thời gian: %(t)s") % {"t": fmt(briefing.starts_at)},
        _("Địa điểm điểm cầu trung tâm: %(v)s") % {"v": briefing.venue or "—"},
        _("Họp trực tuyến: %(u)s") % {"u": briefing.video_url or "—"},
    ]
    if briefing.chair is not None:
        lines.append(_("Chủ trì: %(c)s") % {"c": briefing.chair})
    return "\n".join(lines)


def regular_title(day: dt.date) -> str:
    return _("Giao ban trực tuyến ngày %(d)s") % {"d": f"{day:%d/%m/%Y}"}


def briefings_ensure_upcoming(
    *, centre: Centre, actor: Any = None, days: int | None = None, today: dt.date | None = None
) -> list[Briefing]:
    """Create the regular briefings of the coming days that do not exist yet (R12: daily from 17:00).

    Idempotent: one regular briefing a day per centre (a unique constraint), so a second run,
    or two runs at once, create nothing more. A day whose time has passed is skipped.
    """
    if centre.status == CentreStatus.DISSOLVED:
        return []
    settings_obj = briefing_settings_for(centre)
    if not settings_obj.regular_enabled:
        return []
    today = today or timezone.localdate()
    span = days if days is not None else settings_obj.days_ahead
    existing = set(
        Briefing.objects.filter(
            centre=centre,
            kind=BriefingKind.REGULAR,
            occurrence_date__gte=today,
            occurrence_date__lt=today + dt.timedelta(days=span),
        ).values_list("occurrence_date", flat=True)
    )
    created = []
    now = timezone.now()
    for i in range(span):
        day = today + dt.timedelta(days=i)
        starts_at = local_dt(day, settings_obj.regular_time or DEFAULT_TIME)
        if day in existing or starts_at <= now:
            continue
        try:
            with _acting(actor), transaction.atomic():
                created.append(
                    _new_briefing(
                        centre=centre,
                        actor=actor,
                        kind=BriefingKind.REGULAR,
                        starts_at=starts_at,
                        title=regular_title(day),
                        duration_minutes=None,
                        chair=None,
                        occurrence_date=day,
                    )
                )
        except IntegrityError:
            continue  # another run created this day first
    return created


def briefings_ensure_all(*, today: dt.date | None = None) -> int:
    """The daily run: every centre that has set up its briefing settings."""
    total = 0
    ids = BriefingSettings.objects.filter(regular_enabled=True).values_list("centre_id", flat=True)
    for centre in Centre.objects.filter(pk__in=list(ids)).exclude(status=CentreStatus.DISSOLVED):
        total += len(briefings_ensure_upcoming(centre=centre, today=today))
    return total


# --- Venue and time changes (R5) -------------------------------------------------------


def late_change_message(briefing: Briefing) -> str:
    if briefing.is_regular:
        return _(
            "Đã quá thời hạn: thay đổi địa điểm, thời gian của cuộc giao ban định kỳ phải chuẩn bị "
            "trước giờ họp (%(deadline)s). Chỉ chỉ huy trưởng hoặc người chủ trì được thay đổi muộn, "
            "kèm lý do."
        ) % {"deadline": fmt(briefing.change_deadline)}
    return _(
        "Đã quá thời hạn: thay đổi địa điểm, thời gian của cuộc họp đột xuất phải thực hiện ít nhất "
        "30 phút trước giờ họp (trước %(deadline)s). Chỉ chỉ huy trưởng hoặc người chủ trì được thay đổi "
        "muộn, kèm lý do."
    ) % {"deadline": fmt(briefing.change_deadline)}


def briefing_change(
    *,
    briefing: Briefing,
    actor: Any,
    venue: str | None = None,
    venue_kind: str | None = None,
    starts_at: dt.datetime | None = None,
    override_reason: str = "",
) -> list[BriefingChange]:
    """Change the venue of the centre's point or the time (R5) and tell every participant.

    Before the deadline (the start for the regular briefing, 30 minutes before an ad-hoc one)
    anyone who organises the meeting may change it; after it the form refuses, unless the
    commander (or the chair) overrides with a reason, which is recorded.
    """
    _check_open(briefing)
    now = timezone.now()
    override_reason = (override_reason or "").strip()
    errors: dict[str, list[str]] = {}
    late = now >= briefing.change_deadline
    if late:
        if not override_reason:
            raise ValidationError(late_change_message(briefing))
        if not can_briefing(actor, briefing, BriefingAction.DECIDE):
            raise ValidationError(
                {"override_reason": [_("Chỉ chỉ huy trưởng hoặc người chủ trì được thay đổi sau thời hạn.")]}
            )
    old_venue, old_start = briefing.venue, briefing.starts_at
    new_venue = old_venue if venue is None else venue.strip()
    if venue_kind is not None and venue is None:
        new_venue = {
            VenueKind.PRIMARY: briefing.centre.room_primary,
            VenueKind.FALLBACK: briefing.centre.room_fallback,
        }.get(VenueKind(venue_kind), old_venue)
    new_start = old_start if starts_at is None else starts_at
    if new_start != old_start:
        if new_start <= now:
            errors.setdefault("starts_at", []).append(
                _("Không thể dời cuộc họp về thời điểm đã qua (%(t)s).") % {"t": fmt(new_start)}
            )
        elif not late and briefing.kind == BriefingKind.ADHOC and new_start - now < dt.timedelta(minutes=30):
            errors.setdefault("starts_at", []).append(
                _("Giờ họp đột xuất mới phải cách thời điểm thông báo ít nhất 30 phút.")
            )
    if not new_venue:
        errors.setdefault("venue", []).append(_("Nhập địa điểm điểm cầu trung tâm."))
    if errors:
        raise ValidationError(errors)
    if new_venue == old_venue and new_start == old_start:
        raise ValidationError(_("Không có thay đổi nào so với lịch hiện tại."))
    changes: list[BriefingChange] = []
    with _acting(actor), transaction.atomic():
        briefing.venue = new_venue
        if venue_kind is not None:
            briefing.venue_kind = venue_kind
        elif new_venue != old_venue:
            briefing.venue_kind = _venue_kind_of(briefing.centre, new_venue)
        briefing.starts_at = new_start
        briefing.full_clean(validate_constraints=False)
        briefing.save()
        BridgePoint.objects.filter(briefing=briefing, kind=PointKind.HQ).update(location=new_venue)
        by = actor if getattr(actor, "is_authenticated", False) else None
        if new_venue != old_venue:
            changes.append(
                BriefingChange(
                    briefing=briefing, kind=ChangeKind.VENUE, old_value=old_venue, new_value=new_venue
                )
            )
        if new_start != old_start:
            changes.append(
                BriefingChange(
                    briefing=briefing,
                    kind=ChangeKind.TIME,
                    old_value=fmt(old_start),
                    new_value=fmt(new_start),
                )
            )
        users = _participant_users(briefing)
        lines = [f"{c.get_kind_display()}: {c.old_value or '—'} → {c.new_value}" for c in changes]
        if late:
            lines.append(_("Thay đổi sau thời hạn, lý do: %(r)s") % {"r": override_reason})
        sent = notify(
            users=users,
            subject=_("Thay đổi cuộc họp: %(t)s") % {"t": briefing.title},
            body="\n".join([*lines, "", _meeting_text(briefing)]),
            url=_url(briefing),
            centre=briefing.centre,
            kind="changed",
        )
        for change in changes:
            change.late = late
            change.reason = override_reason if late else ""
            change.changed_by = by
            change.notified = sent
            change.full_clean()
            change.save()
    return changes


def _venue_kind_of(centre: Centre, venue: str) -> str:
    if venue and venue == centre.room_primary:
        return VenueKind.PRIMARY
    if venue and venue == centre.room_fallback:
        return VenueKind.FALLBACK
    return VenueKind.OTHER


def briefing_cancel(*, briefing: Briefing, actor: Any, reason: str) -> Briefing:
    """Call a meeting off; everyone is told why."""
    _check_open(briefing)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Ghi lý do huỷ cuộc họp.")})
    with _acting(actor), transaction.atomic():
        briefing.status = BriefingStatus.CANCELLED
        briefing.save()
        sent = notify(
            users=_participant_users(briefing),
            subject=_("Huỷ cuộc họp: %(t)s") % {"t": briefing.title},
            body=_("Cuộc họp lúc %(t)s đã huỷ. Lý do: %(r)s") % {"t": fmt(briefing.starts_at), "r": reason},
            url=_url(briefing),
            centre=briefing.centre,
            kind="cancelled",
        )
        BriefingChange.objects.create(
            briefing=briefing,
            kind=ChangeKind.CANCEL,
            old_value=fmt(briefing.starts_at),
            new_value="",
            reason=reason,
            changed_by=actor if getattr(actor, "is_authenticated", False) else None,
            notified=sent,
        )
    return briefing
