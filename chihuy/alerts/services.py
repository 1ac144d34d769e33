"""Urgent alerts: raise, escalate, deliver, acknowledge (R3 "báo cáo ngay", R10).

Every deadline lives in the database (``AlertStep.due_at``). Tasks and the auditor only
*wake up* ``alert_escalate_due``, the single place that fires steps; a step is claimed
with a conditional ``UPDATE … WHERE fired_at IS NULL`` (after a ``SKIP LOCKED`` row lock
on PostgreSQL), so a retried task, a second worker or the auditor never fire it twice,
and a crashed worker loses nothing: its transaction rolls back and the step stays due.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.alerts.adapters import AlertMessage, DeliveryError, get_adapter
from chihuy.alerts.bus import announce
from chihuy.alerts.choices import AlertStatus, Channel, DeliveryStatus, StepKind
from chihuy.alerts.conf import (
    MAX_ATTEMPTS,
    RETRY_BACKOFF_SECONDS,
    missing_alert_window_seconds,
    stuck_seconds,
)
from chihuy.alerts.models import Alert, AlertDelivery, AlertPolicy, AlertStep
from chihuy.centres.choices import Role
from chihuy.core.actor import acting_as
from chihuy.core.durable import enqueue_in_transaction
from chihuy.core.periodic import ensure_pending, supports_defer

logger = logging.getLogger(__name__)


# --- the chain -----------------------------------------------------------------------------


def alert_policy_for(*, centre: Any) -> AlertPolicy:
    """The centre's policy, or an unsaved one carrying the defaults."""
    policy = AlertPolicy.objects.filter(centre=centre).first()
    return policy if policy is not None else AlertPolicy(centre=centre)


POLICY_FIELDS = (
    "minutes",
    "repeats",
    "email_enabled",
    "sms_enabled",
    "zalo_enabled",
    "sms_webhook_url",
    "zalo_webhook_url",
    "webhook_secret",
)


def alert_policy_update(*, centre: Any, **fields: Any) -> AlertPolicy:
    """Set how the centre's urgent alerts escalate and travel (R3): N minutes, K passes, channels.

    A channel switched on needs its webhook address; alerts already raised keep the chain and
    timing they were created with (the chain is frozen at creation).
    """
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown alert policy fields: {sorted(unknown)}")
    with transaction.atomic():
        policy = AlertPolicy.objects.select_for_update().filter(centre=centre).first() or AlertPolicy(
            centre=centre
        )
        for name, value in fields.items():
            setattr(policy, name, value)
        errors: dict[str, str] = {}
        if policy.sms_enabled and not policy.sms_webhook_url:
            errors["sms_webhook_url"] = _("Bật gửi SMS thì phải có địa chỉ webhook cổng SMS.")
        if policy.zalo_enabled and not policy.zalo_webhook_url:
            errors["zalo_webhook_url"] = _("Bật gửi Zalo OA thì phải có địa chỉ webhook Zalo OA.")
        if errors:
            raise ValidationError(errors)
        policy.full_clean(exclude=["centre"])
        policy.save()
    return policy


def _roster_duty(centre: Any, at: dt.datetime) -> list[Any]:
    try:
        from chihuy.roster.selectors import command_duty_users
    except ImportError:
        return []
    try:
        return list(command_duty_users(centre=centre, at=at))
    except Exception:  # a roster bug must never stop an urgent alert
        logger.exception("command_duty_users failed for centre %s", centre.pk)
        return []


def _unique(users: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for u in users:
        if u.pk not in seen and u.is_active:
            seen.add(u.pk)
            out.append(u)
    return out


def duty_commanders(*, centre: Any, category: str, at: dt.datetime) -> list[Any]:
    """Who is on command duty: the roster's answer, else the commander and the sector's deputies (R3, R9)."""
    users = _roster_duty(centre, at)
    if users:
        return _unique(users)
    from chihuy.centres.models import Member

    members = (
        Member.objects.filter(centre=centre, is_active=True)
        .filter(Q(role=Role.COMMANDER) | Q(role=Role.DEPUTY, sectors__sector=category))
        .select_related("user")
        .order_by("role", "id")  # "commander" sorts before "deputy"
        .distinct()
    )
    return _unique(m.user for m in members)


def _deputies(centre: Any) -> list[Any]:
    from chihuy.centres.models import Member

    members = Member.objects.filter(centre=centre, is_active=True, role=Role.DEPUTY).select_related("user")
    return _unique(m.user for m in members.order_by("id"))


def _standing(centre: Any) -> list[Any]:
    from chihuy.centres.models import Member

    members = Member.objects.filter(centre=centre, is_active=True, role=Role.STANDING).select_related("user")
    return _unique(m.user for m in members.order_by("id"))


def _chain(*, record: Any, at: dt.datetime) -> list[tuple[str, Any, list[Any]]]:
    centre = record.centre
    parent = centre.parent
    links: list[tuple[str, Any, list[Any]]] = [
        (StepKind.DUTY, centre, duty_commanders(centre=centre, category=record.category, at=at)),
        (StepKind.DEPUTIES, centre, _deputies(centre)),
    ]
    if parent is not None:
        links.append(
            (StepKind.PARENT_DUTY, parent, duty_commanders(centre=parent, category=record.category, at=at))
        )
    links = [link for link in links if link[2]]
    if not links and _standing(centre):
        # A centre with no leaders yet still has someone who must hear about it.
        links = [(StepKind.DUTY, centre, _standing(centre))]
    return links


# --- raise ---------------------------------------------------------------------------------


def alert_raise(*, record: Any) -> Alert:
    """Raise the alert for an urgent record: freeze the chain, fire step 1 at once (R3).

    Called inside the record's own transaction, so the two commit together (issue 12).
    Idempotent per record: a second call (a retried request, the auditor) returns the
    existing alert. The chain (people and deadlines) is written now and never recomputed,
    so a roster or membership change afterwards does not alter who this alert goes to.
    """
    existing = Alert.objects.filter(record=record).first()
    if existing is not None:
        return existing
    now = timezone.now()
    policy = alert_policy_for(centre=record.centre)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                record=record,
                centre_id=record.centre_id,
                created_at=now,
                repeats=policy.repeats,
                interval_seconds=policy.interval.total_seconds(),
                channels=policy.channels(),
            )
            links = _chain(record=record, at=now)
            steps = []
            position = 0
            for round_no in range(1, policy.repeats + 1):
                for kind, centre, _users in links:
                    steps.append(
                        AlertStep(
                            alert=alert,
                            position=position,
                            round=round_no,
                            kind=kind,
                            centre=centre,
                            due_at=now + policy.interval * position,
                        )
                    )
                    position += 1
            AlertStep.objects.bulk_create(steps)
            through = AlertStep.recipients.through
            rows: list[Any] = []
            for step in steps:
                users = links[step.position % len(links)][2]
                rows.extend(through(alertstep_id=step.pk, user_id=u.pk) for u in users)
            through.objects.bulk_create(rows)
            if not steps:
                logger.warning("Alert %s for record %s has nobody to tell", alert.pk, record.pk)
    except IntegrityError:
        # Two requests raced on the same record: the other one won, use its alert.
        return Alert.objects.get(record=record)
    # Step 1 is due now: fire it in this transaction, so the commander's open tab hears the
    # moment the record commits, and a record never commits without its first step fired.
    alert_escalate_due(now=now, alert_ids=[alert.pk])
    # The crash net's next run is a row of this transaction too (issue 12); the task workers'
    # sweep also revives it (chihuy.core.periodic.ensure_self_scheduling).
    schedule_auditor()
    return alert


# --- escalate ------------------------------------------------------------------------------


def _claim_step(step_id: int, now: dt.datetime) -> bool:
    """Mark one step fired if nobody did yet and the alert still waits; True when we won."""
    return (
        AlertStep.objects.filter(pk=step_id, fired_at__isnull=True, alert__status=AlertStatus.OPEN).update(
            fired_at=now
        )
        == 1
    )


def alert_escalate_due(*, now: dt.datetime | None = None, alert_ids: list[int] | None = None) -> list[int]:
    """Fire every step whose ``due_at`` has passed and that has not fired: the one place that fires.

    Returns the ids of the steps fired by this call. Safe to call from any number of workers
    at once and again after a crash (see the module docstring). External deliveries are
    sent after commit, by a task.
    """
    now = now or timezone.now()
    fired: list[int] = []
    with transaction.atomic():
        due = AlertStep.objects.filter(fired_at__isnull=True, due_at__lte=now, alert__status=AlertStatus.OPEN)
        if alert_ids is not None:
            due = due.filter(alert_id__in=alert_ids)
        due = due.order_by("alert_id", "position")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        candidates = list(due.values_list("pk", "alert_id", "round")[:500])
        for step_id, alert_id, round_no in candidates:
            if not _claim_step(step_id, now):
                continue
            fired.append(step_id)
            _record_fired_step(step_id=step_id, alert_id=alert_id, round_no=round_no, now=now)
        if fired:
            _after_fire(fired)  # queues its follow-ups as rows of this transaction
    return fired


def _record_fired_step(*, step_id: int, alert_id: int, round_no: int, now: dt.datetime) -> None:
    alert = Alert.objects.only("channels").get(pk=alert_id)
    user_ids = list(
        AlertStep.recipients.through.objects.filter(alertstep_id=step_id).values_list("user_id", flat=True)
    )
    rows = []
    for user_id in user_ids:
        for channel in alert.channels or [Channel.IN_APP]:
            in_app = channel == Channel.IN_APP
            rows.append(
                AlertDelivery(
                    alert_id=alert_id,
                    step_id=step_id,
                    user_id=user_id,
                    channel=channel,
                    # Storing the in-app event *is* its delivery: the live stream reads it.
                    status=DeliveryStatus.SENT if in_app else DeliveryStatus.PENDING,
                    attempted_at=now if in_app else None,
                    created_at=now,
                    not_before=now,
                )
            )
    AlertDelivery.objects.bulk_create(rows)
    announce(user_ids)  # open tabs read the new in-app events the moment this commits
    last = not AlertStep.objects.filter(alert_id=alert_id, fired_at__isnull=True).exists()
    Alert.objects.filter(pk=alert_id, status=AlertStatus.OPEN).update(
        repeat=round_no, **({"status": AlertStatus.EXHAUSTED} if last else {})
    )


def _after_fire(step_ids: list[int]) -> None:
    """In the firing transaction: queue the external sends and the wake-up for the next step."""
    from chihuy.alerts.tasks import alert_deliver_task

    alert_ids = set(AlertStep.objects.filter(pk__in=step_ids).values_list("alert_id", flat=True))
    if AlertDelivery.objects.filter(step_id__in=step_ids, status=DeliveryStatus.PENDING).exists():
        enqueue_in_transaction(alert_deliver_task, step_ids=step_ids)
    for alert_id in alert_ids:
        schedule_next_step(alert_id=alert_id)


def schedule_next_step(*, alert_id: int) -> None:
    """Wake a worker when the alert's next step falls due; the deadline itself is already stored."""
    step = (
        AlertStep.objects.filter(alert_id=alert_id, fired_at__isnull=True, alert__status=AlertStatus.OPEN)
        .order_by("position")
        .only("due_at")
        .first()
    )
    if step is None:
        return
    from chihuy.alerts.tasks import alert_escalate_task

    enqueue_in_transaction(alert_escalate_task, alert_id=alert_id, run_after=step.due_at)


def schedule_escalation(*, now: dt.datetime | None = None) -> bool:
    """Make sure a wake-up waits for the earliest unfired step of any open alert; True if booked.

    ``schedule_next_step`` books one as each step fires; this repairs the chain when that
    booking was lost (a worker killed between firing and booking). Cheap when one is waiting.
    """
    due = (
        AlertStep.objects.filter(fired_at__isnull=True, alert__status=AlertStatus.OPEN)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    if due is None:
        return False
    from chihuy.alerts.tasks import alert_escalate_task

    run_after = max(due, now or timezone.now())
    return ensure_pending(alert_escalate_task, run_after=run_after, rebook_if_later=True)


# --- deliver -------------------------------------------------------------------------------


def _record_url(record: Any) -> str:
    for name in ("intake:detail", "intake:record_detail", "intake:record"):
        try:
            return reverse(name, args=[record.pk])
        except NoReverseMatch:
            continue
    if hasattr(record, "get_absolute_url"):
        return str(record.get_absolute_url())
    return reverse("alerts:inbox")


def alert_message(*, alert: Alert) -> AlertMessage:
    from django.conf import settings

    record = alert.record
    url = f"{settings.SITE_URL}{_record_url(record)}"
    category = record.get_category_display()
    subject = _("[KHẨN] %(number)s – %(category)s") % {"number": record.number, "category": category}
    text = _(
        "Thông tin khẩn cấp tại %(centre)s.\nSố hiệu: %(number)s\nPhân loại: %(category)s\n"
        "Lý do khẩn cấp: %(reason)s\nNội dung: %(content)s\n\nĐề nghị xác nhận đã nhận trên ChiHuy: %(url)s"
    ) % {
        "centre": alert.centre.name,
        "number": record.number,
        "category": category,
        "reason": record.urgency_reason,
        "content": record.content[:500],
        "url": url,
    }
    return AlertMessage(
        alert_id=alert.pk,
        record_number=record.number,
        category=str(category),
        subject=subject,
        text=text,
        url=url,
    )


def _send_one(delivery_id: int, now: dt.datetime) -> None:
    claimed = AlertDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENDING, attempted_at=now
    )
    if not claimed:
        return  # another run took it
    delivery = AlertDelivery.objects.select_related("user", "alert__record", "alert__centre").get(
        pk=delivery_id
    )
    policy = AlertPolicy.objects.filter(centre_id=delivery.alert.centre_id).first()
    message = dataclasses.replace(alert_message(alert=delivery.alert), key=delivery.idempotency_key)
    try:
        receipt = get_adapter(delivery.channel).send(user=delivery.user, message=message, policy=policy)
    except DeliveryError as exc:
        _fail(delivery, str(exc), permanent=exc.permanent, now=now)
    except Exception as exc:
        logger.exception("adapter %s crashed", delivery.channel)
        _fail(delivery, f"{type(exc).__name__}: {exc}", permanent=False, now=now)
    else:
        # The receipt first, on its own: from here on the auditor knows the message left.
        if receipt:
            AlertDelivery.objects.filter(pk=delivery_id).update(gateway_id=str(receipt)[:200])
        AlertDelivery.objects.filter(pk=delivery_id).update(status=DeliveryStatus.SENT, error="")


def _fail(delivery: AlertDelivery, error: str, *, permanent: bool, now: dt.datetime) -> None:
    with transaction.atomic():
        AlertDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED, error=error[:2000])
        if permanent or delivery.attempt >= MAX_ATTEMPTS:
            return
        wait = RETRY_BACKOFF_SECONDS[min(delivery.attempt - 1, len(RETRY_BACKOFF_SECONDS) - 1)]
        AlertDelivery.objects.get_or_create(
            step_id=delivery.step_id,
            user_id=delivery.user_id,
            channel=delivery.channel,
            attempt=delivery.attempt + 1,
            defaults={
                "alert_id": delivery.alert_id,
                "status": DeliveryStatus.PENDING,
                "created_at": now,
                "not_before": now + dt.timedelta(seconds=wait),
            },
        )


def _fire_steps_fallen_due() -> None:
    """Between two sends, fire any step that fell due: deliveries share the alerts worker with
    escalation, and a batch through a slow gateway must not hold a step back longer than one send."""
    if AlertStep.objects.filter(
        fired_at__isnull=True, due_at__lte=timezone.now(), alert__status=AlertStatus.OPEN
    ).exists():
        with acting_as(None):
            alert_escalate_due()


def _settle_steps(step_ids: Iterable[int], *, now: dt.datetime) -> None:
    """Mark delivered the steps none of whose deliveries is still waiting or under way."""
    for step_id in step_ids:
        if not AlertDelivery.objects.filter(
            step_id=step_id, status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        ).exists():
            AlertStep.objects.filter(pk=step_id, delivered_at__isnull=True).update(delivered_at=now)


def alert_deliver_pending(*, step_ids: list[int] | None = None, now: dt.datetime | None = None) -> int:
    """Send external deliveries whose time has come; returns how many were attempted.

    Each attempt is claimed pending → sending with a conditional UPDATE, so two runs never
    send the same attempt; a failure is recorded with its error and, unless permanent,
    retried up to ``MAX_ATTEMPTS`` with a growing wait.
    """
    now = now or timezone.now()
    pending = AlertDelivery.objects.filter(status=DeliveryStatus.PENDING, not_before__lte=now).exclude(
        channel=Channel.IN_APP
    )
    if step_ids is not None:
        pending = pending.filter(step_id__in=step_ids)
    ids = list(pending.order_by("id").values_list("pk", flat=True)[:500])
    for delivery_id in ids:
        _send_one(delivery_id, timezone.now() if now is None else now)
        _fire_steps_fallen_due()
    touched = set(AlertDelivery.objects.filter(pk__in=ids).values_list("step_id", flat=True))
    _settle_steps(touched | set(step_ids or []), now=now)
    retry = (
        AlertDelivery.objects.filter(status=DeliveryStatus.PENDING, not_before__gt=now)
        .exclude(channel=Channel.IN_APP)
        .order_by("not_before")
        .values_list("not_before", flat=True)
        .first()
    )
    if retry is not None and supports_defer():
        from chihuy.alerts.tasks import alert_deliver_task

        alert_deliver_task.using(run_after=retry).enqueue(step_ids=None)
    return len(ids)


# --- acknowledge ---------------------------------------------------------------------------


def can_acknowledge(*, alert: Alert, user: Any) -> bool:
    """A person the alert reached, or a commander/deputy of its centre or an ancestor (R3, R10)."""
    return Alert.objects.visible_to(user).filter(pk=alert.pk).exists()


def alert_acknowledge(*, alert: Alert, user: Any) -> Alert:
    """Record who took the alert in hand; stops the escalation (no later step fires)."""
    if not can_acknowledge(alert=alert, user=user):
        raise PermissionDenied(_("Bạn không nằm trong danh sách nhận báo khẩn này."))
    with transaction.atomic():
        now = timezone.now()
        updated = Alert.objects.filter(
            pk=alert.pk, status__in=[AlertStatus.OPEN, AlertStatus.EXHAUSTED]
        ).update(status=AlertStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=user)
        alert.refresh_from_db()
        if not updated and alert.status != AlertStatus.ACKNOWLEDGED:
            raise ValidationError(_("Báo khẩn không còn chờ xác nhận."))
    return alert


# --- audit ---------------------------------------------------------------------------------


def alert_audit(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The crash net: take back tasks of dead workers (every queue), raise missing alerts, fire
    overdue steps, keep the chain awake, and settle deliveries cut off mid-send or never sent.

    A delivery still "sending" after ``stuck_seconds`` was cut off. With a gateway receipt
    stored, the gateway took it: it is marked sent, never sent again. Without one, nobody knows
    whether it left, so it is retried (a new attempt, within ``MAX_ATTEMPTS``) with the same
    idempotency key, which lets a de-duplicating gateway drop the copy.
    """
    from chihuy.core.workers import tasks_recover_stale

    now = now or timezone.now()
    try:
        recovered = tasks_recover_stale(now=now)
    except Exception:  # the alert checks below matter more
        logger.exception("recovering the tasks of dead workers failed")
        recovered = {"requeued": 0, "failed": 0}
    raised = _raise_missing_alerts(now=now)
    first_overdue = dict(
        AlertStep.objects.filter(
            position=0, fired_at__isnull=True, due_at__lte=now, alert__status=AlertStatus.OPEN
        ).values_list("pk", "alert__record_id")
    )
    fired = alert_escalate_due(now=now)
    if fired:
        logger.warning("alert auditor fired %d overdue step(s): a wake-up was missed", len(fired))
    for step_id in set(fired) & set(first_overdue):
        _note_on_record(
            first_overdue[step_id],
            _("Bộ kiểm tra định kỳ đã phát bước báo khẩn đầu tiên (bị bỏ lỡ khi tiếp nhận)."),
        )
    schedule_escalation(now=now)
    stuck_before = now - dt.timedelta(seconds=stuck_seconds())
    stuck = 0
    receipted: set[int] = set()
    for delivery in AlertDelivery.objects.filter(
        status=DeliveryStatus.SENDING, attempted_at__lt=stuck_before
    ):
        if delivery.gateway_id:
            if AlertDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.SENT, error=""
            ):
                logger.warning("delivery %s cut off after the gateway took it: not sent again", delivery.pk)
                receipted.add(delivery.step_id)
            continue
        claimed = AlertDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING
        )
        if claimed:
            delivery.refresh_from_db()
            _fail(delivery, _("Bị gián đoạn: tiến trình gửi dừng đột ngột."), permanent=False, now=now)
            stuck += 1
    _settle_steps(receipted, now=now)
    sent = alert_deliver_pending(now=now)
    return {
        "raised": raised,
        "fired": len(fired),
        "stuck": stuck,
        "sent": sent,
        "tasks_requeued": recovered["requeued"],
    }


def _note_on_record(record_id: int, note: str) -> None:
    from chihuy.intake.models import IntakeRecord
    from chihuy.intake.services import intake_note

    intake_note(record=IntakeRecord.objects.get(pk=record_id), note=note, by=None)


def _raise_missing_alerts(*, now: dt.datetime) -> int:
    """Urgent records of the last day still open and without an alert: raise it, and say so.

    Since issue 12 a record and its alert commit together, so this finds nothing unless a
    record reached the table some other way (an import, a hand fix, a bug): defence in depth.
    """
    from chihuy.intake.choices import IntakeStatus
    from chihuy.intake.models import IntakeRecord

    missing = list(
        IntakeRecord.objects.filter(
            urgent=True,
            alerts__isnull=True,
            created_at__gte=now - dt.timedelta(seconds=missing_alert_window_seconds()),
            status__in=[IntakeStatus.RECEIVED, IntakeStatus.IN_PROGRESS],
        ).order_by("id")[:200]
    )
    for record in missing:
        with transaction.atomic():
            alert_raise(record=record)
            _note_on_record(
                record.pk, _("Bộ kiểm tra định kỳ đã phát báo khẩn còn thiếu cho thông tin khẩn này.")
            )
        logger.warning("alert auditor raised the missing alert of urgent record %s", record.number)
    return len(missing)


def schedule_auditor(*, from_auditor: bool = False) -> None:
    """Keep exactly one auditor waiting in the queue (a durable backend only).

    The running auditor re-arms itself (``from_auditor``: its own RUNNING row does not
    count); anyone else only starts one when none is waiting or recently started, which also
    revives the chain after a crash killed a running auditor.
    """
    from chihuy.alerts.conf import audit_seconds
    from chihuy.alerts.tasks import alert_audit_task

    every = dt.timedelta(seconds=audit_seconds())
    ensure_pending(
        alert_audit_task,
        run_after=timezone.now() + every,
        stale_running_after=None if from_auditor else 4 * every + dt.timedelta(seconds=60),
    )
