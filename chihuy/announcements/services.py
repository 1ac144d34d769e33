"""Writes of the announcement channel (R4): post a message, mark messages read.

A message may reference an intake record and a task the author can see; the channel's
members are told through the shared ``notify_users`` (in the app; important messages
also by e-mail).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.announcements.access import can_post, is_member
from chihuy.announcements.models import Message, MessageRead
from chihuy.centres.models import Centre, Member
from chihuy.core.actor import acting_as

KIND = "announcement"


def channel_users(centre: Centre) -> list[Any]:
    """The channel's members: every active user with a role at the centre."""
    seen: dict[int, Any] = {}
    for m in Member.objects.filter(centre=centre, is_active=True, user__is_active=True).select_related(
        "user"
    ):
        seen.setdefault(m.user_id, m.user)
    return list(seen.values())


def message_post(
    *,
    actor: Any,
    centre: Centre,
    body: str = "",
    attachment: Any = None,
    important: bool = False,
    intake_record: Any = None,
    task: Any = None,
) -> Message:
    """Post to ``centre``'s channel; only its members may (R4). Text or a file is required;
    a referenced record or task must be one the author can see."""
    from django.core.exceptions import PermissionDenied

    from chihuy.directives.models import Task
    from chihuy.intake.models import IntakeRecord

    if not can_post(actor, centre):
        raise PermissionDenied(_("Chỉ thành viên của %(c)s được gửi tin trong kênh này.") % {"c": centre})
    body = (body or "").strip()
    errors: dict[str, list[str]] = {}
    if not body and not attachment:
        errors["body"] = [_("Nhập nội dung tin nhắn hoặc đính kèm một tệp.")]
    if (
        intake_record is not None
        and not IntakeRecord.objects.visible_to(actor).filter(pk=intake_record.pk).exists()
    ):
        errors["intake_record"] = [_("Không tìm thấy thông tin tiếp nhận này, hoặc bạn không có quyền xem.")]
    if task is not None and not Task.objects.visible_to(actor).filter(pk=task.pk).exists():
        errors["task"] = [_("Không tìm thấy nhiệm vụ này, hoặc bạn không có quyền xem.")]
    if errors:
        raise ValidationError(errors)
    message = Message(
        centre=centre,
        author=actor,
        body=body,
        important=important,
        intake_record=intake_record,
        task=task,
        created_at=timezone.now(),
    )
    if attachment:
        message.attachment = attachment
    with transaction.atomic(), acting_as(actor):
        message.full_clean()
        message.save()
        MessageRead.objects.create(message=message, user=actor, read_at=message.created_at)
        from chihuy.notifications.services import notify_users

        author = actor.get_full_name() or actor.get_username()
        preview = body[:280] or message.attachment_name
        notify_users(
            users=[u for u in channel_users(centre) if u.pk != actor.pk],
            subject=_("[%(c)s] %(who)s: %(text)s")
            % {"c": centre.short_code, "who": author, "text": (body or message.attachment_name)[:80]},
            body=preview,
            url=reverse("announcements:centre", args=[centre.pk]) + f"#m{message.pk}",
            centre=centre,
            kind=KIND,
            channels=("in_app", "email") if important else ("in_app",),
        )
    return message


def messages_mark_read(*, user: Any, centre: Centre, message_ids: Iterable[int]) -> int:
    """Record that ``user`` has seen these messages; only the centre's members leave receipts."""
    if not is_member(user, centre):
        return 0
    ids = list(Message.objects.filter(centre=centre, pk__in=list(message_ids)).values_list("pk", flat=True))
    if not ids:
        return 0
    already = set(
        MessageRead.objects.filter(user=user, message_id__in=ids).values_list("message_id", flat=True)
    )
    now = timezone.now()
    rows = [MessageRead(message_id=pk, user=user, read_at=now) for pk in ids if pk not in already]
    MessageRead.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
