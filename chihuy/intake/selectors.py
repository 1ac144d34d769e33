"""Reads for the intake logbook, already restricted by the permission layer (R3, R15, R16)."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.choices import CentreLevel, CentreStatus
from chihuy.centres.models import Centre
from chihuy.core.text import search_key
from chihuy.intake.access import IntakeAction, access_intake
from chihuy.intake.choices import HandlingLevel, IntakeStatus
from chihuy.intake.models import (
    IntakeAttachment,
    IntakeEvent,
    IntakeProcedure,
    IntakeRecord,
    ProcedureAcknowledgement,
    RoutingRule,
)
from chihuy.intake.models.record import IntakeRecordQuerySet
from chihuy.intake.phone import phone_key
from chihuy.jurisdictions.models import Jurisdiction

DUPLICATE_WINDOW = dt.timedelta(hours=2)
DUPLICATE_THRESHOLD = 0.5
_MAX_SEARCH_WORDS = 8
_LEVEL_RANK = {CentreLevel.COMMUNE: 0, CentreLevel.DISTRICT: 1, CentreLevel.PROVINCE: 2}


def _base() -> IntakeRecordQuerySet:
    return IntakeRecord.objects.select_related(
        "centre",
        "jurisdiction",
        "received_by",
        "handler_member__user",
        "handler_agency",
        "forwarded_from__centre",
    )


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in local time, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def intake_list(
    *,
    user: Any,
    centre: Centre,
    include_below: bool = False,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    status: str = "",
    urgent: bool | None = None,
    category: str = "",
    jurisdiction: Jurisdiction | None = None,
    officer: Any = None,
    q: str = "",
) -> QuerySet[IntakeRecord]:
    """The logbook of ``centre`` (and, with ``include_below``, of the centres under it).

    Only what ``user`` may see: a centre's own records and its descendants', never a
    sibling's. Dates are local days, both ends included; ``q`` is accent-insensitive and
    every word must occur.
    """
    qs = _base().visible_to(user)
    qs = qs.filter(centre__path__startswith=centre.path) if include_below else qs.filter(centre=centre)
    if date_from is not None:
        qs = qs.filter(received_at__gte=day_start(date_from))
    if date_to is not None:
        qs = qs.filter(received_at__lt=day_start(date_to + dt.timedelta(days=1)))
    if status:
        qs = qs.filter(status=status)
    if urgent is not None:
        qs = qs.filter(urgent=urgent)
    if category:
        qs = qs.filter(category=category)
    if jurisdiction is not None:
        qs = qs.filter(
            Q(jurisdiction=jurisdiction)
            | Q(jurisdiction__district=jurisdiction)
            | Q(jurisdiction__province=jurisdiction)
        )
    if officer is not None:
        qs = qs.filter(received_by=officer)
    for word in search_key(q).split()[:_MAX_SEARCH_WORDS]:
        qs = qs.filter(search_key__contains=word)
    return qs.order_by("-received_at", "-id")


def intake_get(*, user: Any, pk: Any, action: IntakeAction = IntakeAction.VIEW) -> IntakeRecord:
    """One record: 404 when the user may not see it, 403 when his role may not do ``action``."""
    return access_intake(user, _base(), pk, action)


def intake_attachment(*, record: IntakeRecord, pk: Any) -> IntakeAttachment:
    """One attachment of ``record`` (already fetched through the permission layer); 404 otherwise."""
    try:
        return record.attachments.get(pk=pk)
    except (IntakeAttachment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy tệp đính kèm.")) from exc


def intake_history(*, record: IntakeRecord) -> QuerySet[IntakeEvent]:
    """The events of the record and of the records it was forwarded from or to (R16: both keep it)."""
    ids = {record.pk}
    origin = record
    while origin.forwarded_from_id is not None:
        ids.add(origin.forwarded_from_id)
        origin = origin.forwarded_from  # type: ignore[assignment]
    frontier = [origin.pk]
    while frontier:
        nxt = list(IntakeRecord.objects.filter(forwarded_from_id__in=frontier).values_list("pk", flat=True))
        ids.update(nxt)
        frontier = nxt
    return (
        IntakeEvent.objects.filter(record_id__in=ids)
        .select_related("record__centre", "from_centre", "to_centre", "actor")
        .order_by("at", "id")
    )


@dataclass(frozen=True)
class Duplicate:
    record: IntakeRecord
    similarity: float


def _similarity(a: str, b: str) -> float:
    words_a, words_b = set(a.split()), set(b.split())
    if not words_a or not words_b:
        return 0.0
    overlap = len(words_a & words_b) / min(len(words_a), len(words_b))
    return max(overlap * 0.9, difflib.SequenceMatcher(None, a, b).ratio())


def intake_duplicates(
    *,
    centre: Centre,
    phone: str,
    content: str,
    within: dt.timedelta = DUPLICATE_WINDOW,
    exclude_pk: int | None = None,
) -> list[Duplicate]:
    """Records at ``centre`` from the same phone in the last two hours with similar content (issue 3 §2)."""
    key = phone_key(phone)
    text = search_key(content or "")
    if not key or not text:
        return []
    qs = _base().filter(centre=centre, reporter_phone_key=key, received_at__gte=timezone.now() - within)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    found = []
    for record in qs.order_by("-received_at")[:50]:
        score = _similarity(text, search_key(record.content))
        if score >= DUPLICATE_THRESHOLD:
            found.append(Duplicate(record=record, similarity=score))
    return found


@dataclass(frozen=True)
class RouteAdvice:
    """Which centre should handle a report, and the number the caller should ring (R16)."""

    centre: Centre
    hotline: str
    reason: str


def _province_of(centres: list[Centre]) -> Centre | None:
    return next((c for c in centres if c.level == CentreLevel.PROVINCE), None)


def intake_route(*, centre: Centre, jurisdiction: Jurisdiction | None, category: str) -> RouteAdvice | None:
    """R16: the centre of the right level for a report, or None when ``centre`` is right.

    The province's rule for the category names the level that handles it; without a rule,
    the lowest centre whose area covers the location. A location inside the receiving
    centre's area stays with it unless a rule names another level.
    """
    if jurisdiction is None:
        return None
    covering_ids = [i for i in (jurisdiction.pk, jurisdiction.district_id, jurisdiction.province_id) if i]
    covering = sorted(
        Centre.objects.filter(jurisdiction_id__in=covering_ids, level__in=list(_LEVEL_RANK))
        .exclude(status=CentreStatus.DISSOLVED)
        .select_related("jurisdiction"),
        key=lambda c: _LEVEL_RANK[CentreLevel(c.level)],
    )
    if not covering:
        return None
    province = _province_of(covering)
    rule = (
        RoutingRule.objects.filter(centre=province, category=category).first()
        if province is not None and category
        else None
    )
    inside = centre.jurisdiction is not None and jurisdiction.is_within(centre.jurisdiction)
    if rule is None:
        if inside:
            return None
        target = covering[0]
        reason = _("Địa bàn %(place)s không thuộc phạm vi của trung tâm này.") % {"place": jurisdiction.name}
    else:
        wanted = _LEVEL_RANK[CentreLevel(HandlingLevel(rule.level).value)]
        # The named level, or the nearest level above it when that level has no centre here.
        target = next((c for c in covering if _LEVEL_RANK[CentreLevel(c.level)] >= wanted), covering[-1])
        reason = _("Theo quy định của tỉnh, lĩnh vực %(cat)s do %(level)s xử lý.") % {
            "cat": rule.get_category_display().lower(),
            "level": rule.get_level_display().lower(),
        }
    if target.pk == centre.pk:
        return None
    return RouteAdvice(centre=target, hotline=target.hotline, reason=reason)


def intake_for_briefing(*, centre: Centre, since: dt.datetime | None = None) -> QuerySet[IntakeRecord]:
    """R3: the centre's non-urgent records since the last briefing, for the daily briefing.

    ``since`` is the last briefing's time; without it, the start of today (local time).
    Records handed to another centre are that centre's to raise.
    """
    start = since if since is not None else day_start(timezone.localdate())
    return _base().filter(centre=centre, received_at__gte=start).for_briefing().order_by("received_at", "id")


def intake_today(*, centre: Centre) -> QuerySet[IntakeRecord]:
    """Today's page of the centre's logbook (local day)."""
    today = timezone.localdate()
    return (
        _base()
        .filter(
            centre=centre,
            received_at__gte=day_start(today),
            received_at__lt=day_start(today + dt.timedelta(days=1)),
        )
        .order_by("-received_at", "-id")
    )


def intake_open_count(*, centre: Centre) -> int:
    return IntakeRecord.objects.filter(
        centre=centre, status__in=[IntakeStatus.RECEIVED, IntakeStatus.IN_PROGRESS]
    ).count()


def procedure_get(*, centre: Centre) -> IntakeProcedure | None:
    """The centre's procedure, or None while the standing unit has not written one."""
    return IntakeProcedure.objects.select_related("updated_by").filter(centre=centre).first()


def procedure_must_show(*, user: Any, centre: Centre) -> bool:
    """R22: whether ``user`` must read the procedure before logging at ``centre``.

    True when the centre has a non-empty procedure and the user has not acknowledged its
    current version; an edit makes it due again for everyone.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    procedure = IntakeProcedure.objects.filter(centre=centre).only("body", "updated_at").first()
    if procedure is None or not procedure.body.strip():
        return False
    seen = (
        ProcedureAcknowledgement.objects.filter(user=user, centre=centre)
        .values_list("version", flat=True)
        .first()
    )
    return seen is None or seen < procedure.updated_at


def routing_rules(*, centre: Centre) -> QuerySet[RoutingRule]:
    """The province's routing rules (R16), one per category that has one."""
    return RoutingRule.objects.filter(centre=centre).order_by("category")
