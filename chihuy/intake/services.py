"""Writes for the intake logbook. The staff pages, the API, the public portal and the SMS
webhook all call these, so each rule lives here once (R3, R10, R15, R16).

Every service validates with ``full_clean`` and saves inside ``transaction.atomic``;
the Audited base records each change. The acting user comes from ``chihuy.core.actor``
(set by the request middleware), or from ``by=`` for callers outside a request.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.choices import CentreStatus
from chihuy.centres.models import Agency, Centre, Member
from chihuy.core.actor import acting_as, current_actor
from chihuy.intake.choices import STATUS_FLOW, Channel, EventKind, IntakeStatus
from chihuy.intake.models import (
    IntakeAttachment,
    IntakeDayCounter,
    IntakeEvent,
    IntakeProcedure,
    IntakeRecord,
    ProcedureAcknowledgement,
    RoutingRule,
)

logger = logging.getLogger(__name__)

# What a caller may set when creating a record; the rest is derived.
CREATE_FIELDS = frozenset(
    {
        "received_at",
        "channel",
        "reporter_name",
        "reporter_phone",
        "reporter_org",
        "anonymous",
        "jurisdiction",
        "jurisdiction_id",
        "address",
        "category",
        "content",
        "urgent",
        "urgency_reason",
        "handler_member",
        "handler_agency",
        "source",
    }
)
# What may be corrected afterwards (handling goes through status/assign).
UPDATE_FIELDS = frozenset(
    {
        "received_at",
        "channel",
        "reporter_name",
        "reporter_phone",
        "reporter_org",
        "anonymous",
        "jurisdiction",
        "jurisdiction_id",
        "address",
        "category",
        "content",
        "urgent",
        "urgency_reason",
        "result",
        "reporter_told",
    }
)
# Copied to the receiving centre when a record is handed over (R16: "the full record").
_HANDOVER_FIELDS = (
    "reporter_name",
    "reporter_phone",
    "reporter_org",
    "anonymous",
    "jurisdiction_id",
    "address",
    "category",
    "content",
    "urgent",
    "urgency_reason",
    "source",
)
_TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
TRACKING_CODE_LENGTH = 10


@contextmanager
def _acting(by: Any | None) -> Iterator[None]:
    """Attribute the audit entries to ``by`` when no request has set the actor."""
    if by is not None and current_actor() is None:
        with acting_as(by):
            yield
    else:
        with nullcontext():
            yield


def _actor(by: Any | None) -> Any | None:
    actor = by if by is not None else current_actor()
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown intake fields: {', '.join(sorted(unknown))}")


def _new_tracking_code() -> str:
    """A random public code: 32^10 ≈ 10^15 values, so no lookup is spent on uniqueness.

    The unique constraint still guards it: at ten million records the chance that a new
    code repeats one is about 1 in 10^8, and that rare request fails whole (nothing saved)
    and succeeds when retried (the API's Idempotency-Key makes the retry safe).
    """
    return "".join(secrets.choice(_TRACKING_ALPHABET) for _i in range(TRACKING_CODE_LENGTH))


def _bump_counter(*, centre: Centre, day: Any) -> int | None:
    """Add one to the centre's counter for ``day`` and read it back in one statement."""
    table = connection.ops.quote_name(IntakeDayCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE centre_id = %s AND day = %s RETURNING last",
            [centre.pk, connection.ops.adapt_datefield_value(day)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _next_number(*, centre: Centre, when: Any) -> str:
    """``VP-20261122-0042``: the centre's code, the local day, and the day's sequence.

    One UPDATE … RETURNING bumps the counter and reads it, so concurrent entries wait on
    the row (PostgreSQL) or the write lock (SQLite) and each gets its own value. Must run
    inside the caller's transaction, so a failed save gives the number back.
    """
    day = timezone.localdate(when)
    for _attempt in range(5):
        last = _bump_counter(centre=centre, day=day)
        if last is None:
            try:
                with transaction.atomic():
                    IntakeDayCounter.objects.create(centre=centre, day=day, last=1)
            except IntegrityError:
                continue  # another entry created the day's counter first: bump it instead
            last = 1
        return f"{centre.short_code}-{day:%Y%m%d}-{last:04d}"
    raise RuntimeError("Could not allocate an intake number")  # pragma: no cover


def _event(
    *,
    record: IntakeRecord,
    kind: str,
    actor: Any | None,
    note: str = "",
    from_centre: Centre | None = None,
    to_centre: Centre | None = None,
) -> IntakeEvent:
    event = IntakeEvent(
        record=record,
        kind=kind,
        actor=actor,
        note=note,
        from_centre=from_centre,
        to_centre=to_centre,
        at=timezone.now(),
    )
    # The related rows are objects in hand; only the event's own fields need checking.
    event.full_clean(exclude=["record", "actor", "from_centre", "to_centre"])
    event.save()
    return event


def _raise_alert(record: IntakeRecord) -> None:
    """R3: an urgent record and its alert (frozen chain, step 1 fired) commit together or not at all.

    Called inside the record's transaction: a connection lost between the commit and an
    after-commit hook can no longer leave an urgent record without its alert (issue 12).
    Only the external sends and the wake-up of the next step are work for later, and they
    too are rows written in this transaction (``chihuy.core.periodic.enqueue_in_transaction``).
    """
    # Imported late: the alerts app builds on intake, not the other way round.
    from chihuy.alerts.services import alert_raise

    alert_raise(record=record)


def _check_centre_open(centre: Centre) -> None:
    if centre.status == CentreStatus.DISSOLVED:
        raise ValidationError(
            _("Trung tâm %(name)s đã giải thể, không tiếp nhận thông tin.") % {"name": centre}
        )


def _checked_attachments(files: Iterable[Any], actor: Any | None) -> list[IntakeAttachment]:
    """The attachments to store, each checked (type from its bytes, size) before any is
    written, so a refused file leaves nothing on disk or in the database (issue 12 §6)."""
    attachments = [IntakeAttachment(file=upload, uploaded_by=actor) for upload in files]
    for attachment in attachments:
        try:
            attachment.clean_fields(exclude=["record", "uploaded_by"])
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from exc
    return attachments


def _save_attachments(*, record: IntakeRecord, attachments: list[IntakeAttachment]) -> None:
    for attachment in attachments:
        attachment.record = record
        attachment.save()  # under a random name; the name it was sent with is kept in ``name``


def intake_create(
    *,
    centre: Centre,
    received_by: Any | None,
    attachments: Iterable[Any] = (),
    **fields: Any,
) -> IntakeRecord:
    """Write one line in ``centre``'s logbook (R3, R15).

    Validates everything before anything is stored (phone, content, location, time, urgency
    reason, attachments), gives the record its day number and public tracking code, records
    the "received" event, and, when urgent, raises the alert in the same transaction (R3:
    "báo cáo ngay").
    """
    _check_fields(fields, CREATE_FIELDS)
    _check_centre_open(centre)
    record = IntakeRecord(centre=centre, received_by=received_by, **fields)
    # The centre and the officer are objects in hand: no need to query that they exist.
    # clean() gives the urgency-reason rule its field message; the database enforces it too,
    # and the number is unique by construction: no constraint queries on this hot path.
    record.full_clean(
        exclude=["number", "tracking_code", "centre", "received_by"], validate_constraints=False
    )
    files = _checked_attachments(attachments, received_by)
    with _acting(received_by), transaction.atomic():
        # The day counter's row lock is held until commit: take it as late as possible.
        record.tracking_code = _new_tracking_code()
        record.number = _next_number(centre=centre, when=record.received_at)
        record.save()
        _save_attachments(record=record, attachments=files)
        _event(record=record, kind=EventKind.CREATED, actor=_actor(received_by))
        if record.urgent:
            _raise_alert(record)
    return record


def intake_update(*, record: IntakeRecord, by: Any | None = None, **fields: Any) -> IntakeRecord:
    """Correct a record; a record already handed to another centre is that centre's to change."""
    _check_fields(fields, UPDATE_FIELDS)
    if record.status in (IntakeStatus.FORWARDED, IntakeStatus.ESCALATED):
        raise ValidationError(_("Thông tin đã chuyển cho trung tâm khác, không sửa được tại đây."))
    was_urgent = record.urgent
    before = record.audit_values()
    for name, value in fields.items():
        setattr(record, name, value)
    record.full_clean()
    changed = [f for f, v in record.audit_values().items() if before.get(f) != v]
    with _acting(by), transaction.atomic():
        record.save()
        if changed:
            labels = ", ".join(_field_label(f) for f in changed)
            _event(record=record, kind=EventKind.UPDATED, actor=_actor(by), note=labels)
        if record.urgent and not was_urgent:
            _raise_alert(record)
    return record


def _field_label(attname: str) -> str:
    name = attname[:-3] if attname.endswith("_id") else attname
    return str(getattr(IntakeRecord._meta.get_field(name), "verbose_name", name))


def intake_set_status(
    *,
    record: IntakeRecord,
    status: str,
    result: str = "",
    reporter_told: str = "",
    by: Any | None = None,
) -> IntakeRecord:
    """Move a record along received → in progress → resolved → closed (R3).

    Forwarding and escalation have their own services; a resolved record says what was done.
    """
    if status not in IntakeStatus.values:
        raise ValidationError({"status": _("Trạng thái không hợp lệ.")})
    allowed = STATUS_FLOW[record.status]
    if status != record.status and status not in allowed:
        raise ValidationError(
            {
                "status": _("Không thể chuyển từ “%(old)s” sang “%(new)s”.")
                % {"old": record.get_status_display(), "new": IntakeStatus(status).label}
            }
        )
    if result.strip():
        record.result = result.strip()
    if reporter_told.strip():
        record.reporter_told = reporter_told.strip()
    if status in (IntakeStatus.RESOLVED, IntakeStatus.CLOSED) and not record.result:
        raise ValidationError(
            {
                "result": _("Ghi kết quả xử lý trước khi chuyển sang “%(s)s”.")
                % {"s": IntakeStatus(status).label}
            }
        )
    old = record.status
    record.status = status
    record.full_clean()
    with _acting(by), transaction.atomic():
        record.save()
        note = f"{IntakeStatus(old).label} → {IntakeStatus(status).label}"
        if result.strip():
            note += f": {result.strip()}"
        _event(record=record, kind=EventKind.STATUS, actor=_actor(by), note=note)
    return record


def intake_assign(
    *,
    record: IntakeRecord,
    member: Member | None = None,
    agency: Agency | None = None,
    by: Any | None = None,
) -> IntakeRecord:
    """Name who handles the record: a member of the centre and/or a member agency (R10)."""
    if record.status in (IntakeStatus.FORWARDED, IntakeStatus.ESCALATED, IntakeStatus.CLOSED):
        raise ValidationError(
            _("Thông tin ở trạng thái “%(s)s”, không giao xử lý được.") % {"s": record.get_status_display()}
        )
    if member is None and agency is None:
        raise ValidationError({"handler_member": _("Chọn thành viên hoặc cơ quan xử lý.")})
    record.handler_member = member
    record.handler_agency = agency
    if record.status == IntakeStatus.RECEIVED:
        record.status = IntakeStatus.IN_PROGRESS
    record.full_clean()
    with _acting(by), transaction.atomic():
        record.save()
        _event(record=record, kind=EventKind.ASSIGNED, actor=_actor(by), note=record.handler_label)
    return record


def _hand_over(
    *, record: IntakeRecord, to_centre: Centre, reason: str, kind: str, status: str, by: Any | None
) -> IntakeRecord:
    if to_centre.pk == record.centre_id:
        raise ValidationError({"to_centre": _("Không thể chuyển cho chính trung tâm đang giữ thông tin.")})
    if record.status in (IntakeStatus.FORWARDED, IntakeStatus.ESCALATED):
        raise ValidationError(_("Thông tin này đã được chuyển đi."))
    if record.status == IntakeStatus.CLOSED:
        raise ValidationError(_("Thông tin đã đóng, không chuyển được."))
    try:
        _check_centre_open(to_centre)
    except ValidationError as exc:
        raise ValidationError({"to_centre": exc.messages}) from exc
    actor = _actor(by)
    copy = IntakeRecord(
        centre=to_centre,
        received_by=actor,
        received_at=timezone.now(),
        channel=Channel.FORWARDED,
        forwarded_from=record,
        **{f: getattr(record, f) for f in _HANDOVER_FIELDS},
    )
    copy.full_clean(exclude=["number", "tracking_code"])
    origin = record.centre
    record.status = status
    with _acting(by), transaction.atomic():
        record.save()
        _event(record=record, kind=kind, actor=actor, note=reason, from_centre=origin, to_centre=to_centre)
        copy.number = _next_number(centre=to_centre, when=copy.received_at)
        copy.tracking_code = _new_tracking_code()
        copy.save()
        for attachment in record.attachments.all():
            IntakeAttachment.objects.create(
                record=copy,
                file=attachment.file.name,
                name=attachment.name,
                uploaded_by=attachment.uploaded_by,
            )
        _event(record=copy, kind=kind, actor=actor, note=reason, from_centre=origin, to_centre=to_centre)
        if copy.urgent:
            _raise_alert(copy)
    return copy


def intake_forward(
    *, record: IntakeRecord, to_centre: Centre, reason: str = "", by: Any | None = None
) -> IntakeRecord:
    """R16: hand the full record to the centre of the right level or area.

    The copy lands at once in ``to_centre``'s queue (status "received", channel "forwarded",
    ``forwarded_from`` pointing back); the original is marked forwarded; both keep an event.
    Returns the copy.
    """
    return _hand_over(
        record=record,
        to_centre=to_centre,
        reason=reason.strip(),
        kind=EventKind.FORWARDED,
        status=IntakeStatus.FORWARDED,
        by=by,
    )


def intake_escalate(*, record: IntakeRecord, reason: str, by: Any | None = None) -> IntakeRecord:
    """R10: what is beyond the centre's authority goes to its parent centre, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Ghi rõ lý do báo cáo cấp trên (vượt thẩm quyền).")})
    parent = record.centre.parent
    if parent is None:
        raise ValidationError(_("Trung tâm này không có trung tâm cấp trên."))
    return _hand_over(
        record=record,
        to_centre=parent,
        reason=reason,
        kind=EventKind.ESCALATED,
        status=IntakeStatus.ESCALATED,
        by=by,
    )


def intake_note(*, record: IntakeRecord, note: str, by: Any | None = None) -> IntakeEvent:
    """Add a note to the record's history."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Nhập nội dung ghi chú.")})
    with _acting(by), transaction.atomic():
        return _event(record=record, kind=EventKind.NOTE, actor=_actor(by), note=note)


def routing_rule_set(*, centre: Centre, category: str, level: str, note: str = "") -> RoutingRule:
    """R16: the province says at which level a category is handled; an empty level removes the rule."""
    with transaction.atomic():
        rule = RoutingRule.objects.filter(centre=centre, category=category).first()
        if not level:
            if rule is not None:
                rule.delete()
            return RoutingRule(centre=centre, category=category)
        if rule is None:
            rule = RoutingRule(centre=centre, category=category)
        rule.level = level
        rule.note = note
        rule.full_clean()
        rule.save()
        return rule


def routing_rules_save(*, centre: Centre, rules: Iterable[tuple[str, str, str]]) -> None:
    """Save all of a province's routing rules at once (category, level or "", note): all or nothing."""
    with transaction.atomic():
        for category, level, note in rules:
            routing_rule_set(centre=centre, category=category, level=level, note=note)


def procedure_acknowledge(*, user: Any, centre: Centre) -> ProcedureAcknowledgement | None:
    """Record that ``user`` has read the centre's current procedure (None when there is none)."""
    procedure = IntakeProcedure.objects.filter(centre=centre).only("updated_at").first()
    if procedure is None:
        return None
    ack, _created = ProcedureAcknowledgement.objects.update_or_create(
        user=user, centre=centre, defaults={"version": procedure.updated_at}
    )
    return ack


def procedure_save(*, centre: Centre, body: str, by: Any) -> IntakeProcedure:
    """Write the centre's procedure (R22); the Audited base logs the before and after.

    Line endings are normalised so an unchanged text is not a new version.
    """
    body = "\n".join(line.rstrip() for line in (body or "").replace("\r\n", "\n").split("\n")).strip()
    procedure = IntakeProcedure.objects.filter(centre=centre).first() or IntakeProcedure(centre=centre)
    if procedure.pk is not None and procedure.body == body:
        return procedure
    procedure.body = body
    procedure.updated_by = by
    procedure.full_clean()
    with transaction.atomic():
        if current_actor() is None:
            with acting_as(by):
                procedure.save()
        else:
            procedure.save()
    return procedure
