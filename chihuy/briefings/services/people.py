"""Who attends a briefing: participants per bridge point, absences and their approval, attendance
(R7, R10, R12).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.briefings.access import BriefingAction, can_briefing
from chihuy.briefings.choices import (
    AbsenceStatus,
    Attendance,
    BriefingStatus,
    PointKind,
)
from chihuy.briefings.models import (
    AbsenceRequest,
    BridgePoint,
    Briefing,
    Participant,
)
from chihuy.briefings.services.common import ATTENDANCE_OPENS, _acting, _check_open, _url, fmt, notify
from chihuy.briefings.services.schedule import _meeting_text
from chihuy.centres.choices import Role
from chihuy.centres.models import Member

# --- Participants (R12, R26, R7) -------------------------------------------------------


def _check_before_start(briefing: Briefing, message: str) -> None:
    if timezone.now() >= briefing.starts_at:
        raise ValidationError(message)


def participant_add(
    *, briefing: Briefing, actor: Any, member: Member, point: BridgePoint | None = None
) -> Participant:
    """Add a member to the meeting, at the centre's point unless another point is named."""
    _check_open(briefing)
    point = point or briefing.points.get(kind=PointKind.HQ)
    if point.briefing_id != briefing.pk:
        raise ValidationError({"point": _("Điểm cầu không thuộc cuộc họp này.")})
    allowed_centres = {briefing.centre_id} | set(
        briefing.points.filter(kind=PointKind.CHILD).values_list("centre_id", flat=True)
    )
    if member.centre_id not in allowed_centres or not member.is_active:
        raise ValidationError(
            {"member": _("Người này không phải thành viên của trung tâm hoặc của điểm cầu cấp dưới.")}
        )
    if briefing.participants.filter(user_id=member.user_id).exists():
        raise ValidationError({"member": _("%(u)s đã có trong danh sách dự họp.") % {"u": member.user}})
    participant = Participant(
        briefing=briefing, user=member.user, member=member, centre=member.centre, point=point
    )
    participant.full_clean(validate_constraints=False)
    with _acting(actor), transaction.atomic():
        participant.save()
        notify(
            users=[member.user],
            subject=_("Mời dự họp: %(t)s") % {"t": briefing.title},
            body=_("Bạn dự họp tại: %(p)s.") % {"p": point.label} + "\n" + _meeting_text(briefing),
            url=_url(briefing),
            centre=briefing.centre,
            kind="invited",
        )
    return participant


def participant_move(*, participant: Participant, actor: Any, point: BridgePoint) -> Participant:
    """R26: the commander (or the chair) seats a member at headquarters or at a ward point.
    R7: a participant may himself join from his own device instead."""
    briefing = participant.briefing
    _check_open(briefing)
    if point.briefing_id != briefing.pk:
        raise ValidationError({"point": _("Điểm cầu không thuộc cuộc họp này.")})
    own_remote = participant.user_id == getattr(actor, "pk", None) and point.kind in (
        PointKind.PERSONAL,
        PointKind.HQ,
    )
    if not own_remote and not can_briefing(actor, briefing, BriefingAction.DECIDE):
        raise ValidationError(_("Chỉ chỉ huy trưởng hoặc người chủ trì quyết định ai dự ở điểm cầu nào."))
    if participant.point_id == point.pk:
        return participant
    old = participant.point
    with _acting(actor), transaction.atomic():
        participant.point = point
        participant.full_clean(validate_constraints=False)
        participant.save()
        notify(
            users=[participant.user],
            subject=_("Đổi điểm cầu dự họp: %(t)s") % {"t": briefing.title},
            body=_("Bạn dự họp tại %(new)s (trước đây: %(old)s).") % {"new": point.label, "old": old.label},
            url=_url(briefing),
            centre=briefing.centre,
            kind="moved",
        )
    return participant


def participant_remove(*, participant: Participant, actor: Any) -> None:
    briefing = participant.briefing
    _check_open(briefing)
    _check_before_start(briefing, _("Cuộc họp đã bắt đầu; không bớt người dự được nữa, hãy điểm danh."))
    if participant.user_id == briefing.chair_id:
        raise ValidationError(_("Không bỏ người chủ trì khỏi danh sách dự họp."))
    with _acting(actor), transaction.atomic():
        participant.absences.all().delete()
        participant.delete()


def point_choose_attendees(*, point: BridgePoint, actor: Any, members: Iterable[Member]) -> list[Participant]:
    """R12: a child centre decides who attends at its own point: the chosen members of that
    centre are seated there, the ones no longer chosen are taken off (before the start)."""
    briefing = point.briefing
    _check_open(briefing)
    if point.kind != PointKind.CHILD or point.centre_id is None:
        raise ValidationError(_("Chỉ điểm cầu của trung tâm cấp dưới mới tự chọn người dự."))
    _check_before_start(briefing, _("Cuộc họp đã bắt đầu; không đổi người dự ở điểm cầu được nữa."))
    chosen = list(members)
    for m in chosen:
        if m.centre_id != point.centre_id or not m.is_active:
            raise ValidationError(
                {"members": _("%(u)s không phải thành viên của %(c)s.") % {"u": m.user, "c": point.centre}}
            )
    wanted = {m.user_id: m for m in chosen}
    current = {p.user_id: p for p in briefing.participants.filter(point=point, centre_id=point.centre_id)}
    others = set(briefing.participants.exclude(point=point).values_list("user_id", flat=True))
    clash = [m.user for uid, m in wanted.items() if uid in others]
    if clash:
        raise ValidationError(
            {"members": _("%(u)s đã được xếp dự ở điểm cầu khác.") % {"u": ", ".join(str(u) for u in clash)}}
        )
    with _acting(actor), transaction.atomic():
        for uid, p in current.items():
            if uid not in wanted:
                p.absences.all().delete()
                p.delete()
        added = []
        for uid, m in wanted.items():
            if uid not in current:
                p = Participant(briefing=briefing, user=m.user, member=m, centre=m.centre, point=point)
                p.full_clean(validate_constraints=False)
                p.save()
                added.append(p)
        if added:
            notify(
                users=[p.user for p in added],
                subject=_("Mời dự họp: %(t)s") % {"t": briefing.title},
                body=_("Bạn dự họp tại: %(p)s.") % {"p": point.label} + "\n" + _meeting_text(briefing),
                url=_url(briefing),
                centre=briefing.centre,
                kind="invited",
            )
    return list(briefing.participants.filter(point=point).select_related("user"))


# --- Absences (R10) --------------------------------------------------------------------


def can_decide_absence(user: Any, absence: AbsenceRequest) -> bool:
    """The commander or the chair decides; nobody decides his own request. When the commander
    (or the chair) is the one asking, a deputy of the centre decides."""
    participant = absence.participant
    if not getattr(user, "is_authenticated", False) or user.pk == participant.user_id:
        return False
    briefing = participant.briefing
    if can_briefing(user, briefing, BriefingAction.DECIDE):
        return True
    from chihuy.centres.access import roles_at

    asker_roles = roles_at(participant.user, briefing.centre)
    asker_leads = Role.COMMANDER in asker_roles or participant.user_id == briefing.chair_id
    return asker_leads and Role.DEPUTY in roles_at(user, briefing.centre)


def _deciders(briefing: Briefing, asker: Any) -> list[Any]:
    users = [
        m.user
        for m in Member.objects.filter(
            centre=briefing.centre, is_active=True, role=Role.COMMANDER
        ).select_related("user")
    ]
    if briefing.chair is not None:
        users.append(briefing.chair)
    users = [u for u in users if u.pk != asker.pk]
    if not users:
        users = [
            m.user
            for m in Member.objects.filter(
                centre=briefing.centre, is_active=True, role=Role.DEPUTY
            ).select_related("user")
            if m.user_id != asker.pk
        ]
    return users


def absence_request(*, participant: Participant, actor: Any, reason: str) -> AbsenceRequest:
    """R10: a member asks permission before the meeting; the commander is told."""
    briefing = participant.briefing
    _check_open(briefing)
    if getattr(actor, "pk", None) != participant.user_id:
        raise ValidationError(_("Chỉ người dự họp tự xin phép vắng mặt cho mình."))
    _check_before_start(
        briefing, _("Phải xin phép vắng mặt trước giờ họp (%(t)s).") % {"t": fmt(briefing.starts_at)}
    )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Ghi rõ lý do xin vắng mặt.")})
    if participant.absences.filter(status__in=[AbsenceStatus.REQUESTED, AbsenceStatus.APPROVED]).exists():
        raise ValidationError(_("Bạn đã có đơn xin vắng cho cuộc họp này."))
    absence = AbsenceRequest(participant=participant, reason=reason)
    absence.full_clean(validate_constraints=False)
    with _acting(actor), transaction.atomic():
        absence.save()
        notify(
            users=_deciders(briefing, participant.user),
            subject=_("Xin vắng mặt: %(u)s – %(t)s") % {"u": participant.user, "t": briefing.title},
            body=_("%(u)s xin vắng mặt cuộc họp lúc %(t)s. Lý do: %(r)s")
            % {"u": participant.user, "t": fmt(briefing.starts_at), "r": reason},
            url=_url(briefing),
            centre=briefing.centre,
            kind="absence_requested",
        )
    return absence


def absence_decide(*, absence: AbsenceRequest, actor: Any, approve: bool, note: str = "") -> AbsenceRequest:
    """The commander (or the chair) allows or refuses; an allowed absence is recorded as
    "absent with permission". Nobody approves his own absence."""
    participant = absence.participant
    briefing = participant.briefing
    _check_open(briefing)
    if absence.status != AbsenceStatus.REQUESTED:
        raise ValidationError(_("Đơn xin vắng này đã được quyết định."))
    if getattr(actor, "pk", None) == participant.user_id:
        raise ValidationError(_("Không ai được tự duyệt đơn xin vắng của chính mình."))
    if not can_decide_absence(actor, absence):
        raise ValidationError(_("Chỉ chỉ huy trưởng hoặc người chủ trì cuộc họp được duyệt đơn xin vắng."))
    with _acting(actor), transaction.atomic():
        absence.status = AbsenceStatus.APPROVED if approve else AbsenceStatus.REFUSED
        absence.decided_by = actor
        absence.decided_at = timezone.now()
        absence.decision_note = (note or "").strip()[:300]
        absence.full_clean(validate_constraints=False)
        absence.save()
        if approve:
            participant.attendance = Attendance.EXCUSED
            participant.attended_point = None
            participant.marked_by = actor
            participant.marked_at = absence.decided_at
            participant.save()
        notify(
            users=[participant.user],
            subject=(_("Đồng ý cho vắng mặt: %(t)s") if approve else _("Không đồng ý cho vắng mặt: %(t)s"))
            % {"t": briefing.title},
            body=absence.decision_note or absence.get_status_display(),
            url=_url(briefing),
            centre=briefing.centre,
            kind="absence_decided",
        )
    return absence


# --- Attendance (R10) ------------------------------------------------------------------


def attendance_record(
    *, briefing: Briefing, actor: Any, user: Any, attendance: str, point: BridgePoint | None = None
) -> Participant:
    """Mark one participant present (at a point), absent with permission (only with an allowed
    request) or absent without. Someone not on the list cannot be marked."""
    if briefing.status == BriefingStatus.CANCELLED:
        raise ValidationError(_("Cuộc họp đã huỷ."))
    if timezone.now() < briefing.starts_at - ATTENDANCE_OPENS:
        raise ValidationError(
            _("Chỉ điểm danh từ 30 phút trước giờ họp (%(t)s).") % {"t": fmt(briefing.starts_at)}
        )
    participant = briefing.participants.select_related("point").filter(user=user).first()
    if participant is None:
        raise ValidationError(
            {"user": _("%(u)s không có trong danh sách dự họp của cuộc họp này.") % {"u": user}}
        )
    if attendance not in Attendance.values or attendance == Attendance.UNKNOWN:
        raise ValidationError({"attendance": _("Chọn có mặt, vắng có phép hoặc vắng không phép.")})
    if (
        attendance == Attendance.EXCUSED
        and not participant.absences.filter(status=AbsenceStatus.APPROVED).exists()
    ):
        raise ValidationError(
            {
                "attendance": _(
                    "%(u)s chưa được phép vắng mặt: chỉ ghi “vắng có phép” khi đơn xin vắng đã được duyệt."
                )
                % {"u": user}
            }
        )
    if point is not None and point.briefing_id != briefing.pk:
        raise ValidationError({"point": _("Điểm cầu không thuộc cuộc họp này.")})
    with _acting(actor), transaction.atomic():
        participant.attendance = attendance
        participant.attended_point = (
            (point or participant.point) if attendance == Attendance.PRESENT else None
        )
        participant.marked_by = actor if getattr(actor, "is_authenticated", False) else None
        participant.marked_at = timezone.now()
        participant.full_clean(validate_constraints=False)
        participant.save()
    return participant


def attendance_record_many(
    *, briefing: Briefing, actor: Any, rows: Iterable[tuple[Any, str, BridgePoint | None]]
) -> int:
    """The attendance sheet in one go: all rows are saved, or none."""
    count = 0
    with transaction.atomic():
        for user, attendance, point in rows:
            attendance_record(briefing=briefing, actor=actor, user=user, attendance=attendance, point=point)
            count += 1
    return count
