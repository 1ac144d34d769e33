"""Who may read and post in a centre's announcement channel (R4).

The centre's members read and post; the staff (commander, deputies, standing unit) of
the centres above it read without posting. A channel the user cannot see at all is 404;
one he can see (a centre below his) but may not read is 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from chihuy.centres.access import memberships, visible_centres
from chihuy.centres.choices import CentreStatus, Role

READER_ROLES = frozenset({Role.COMMANDER, Role.DEPUTY, Role.STANDING})


def is_member(user: Any, centre: Any) -> bool:
    return any(m.centre_id == centre.pk for m in memberships(user))


def can_read(user: Any, centre: Any) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or is_member(user, centre):
        return True
    ancestors = set(centre.ancestor_ids()) - {centre.pk}
    return any(m.centre_id in ancestors and m.role in READER_ROLES for m in memberships(user))


def can_post(user: Any, centre: Any) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.is_active
        and centre.status != CentreStatus.DISSOLVED
        and is_member(user, centre)
    )


def access_channel(user: Any, centre_pk: Any, *, post: bool = False) -> Any:
    """The centre whose channel ``user`` opens: 404 when invisible, 403 when not allowed."""
    from chihuy.centres.models import Centre

    try:
        centre = visible_centres(user).get(pk=centre_pk)
    except (Centre.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy kênh thông báo.")) from exc
    if not can_read(user, centre):
        raise PermissionDenied(_("Kênh thông báo chỉ dành cho thành viên trung tâm và lãnh đạo cấp trên."))
    if post and not can_post(user, centre):
        raise PermissionDenied(_("Chỉ thành viên của %(c)s được gửi tin trong kênh này.") % {"c": centre})
    return centre


def access_message(user: Any, pk: Any) -> Any:
    """One message, for reading it or its file: 404 when its centre is not visible (or it
    does not exist), 403 when the channel is visible but not open to ``user``."""
    from chihuy.announcements.models import Message

    try:
        message = Message.objects.visible_to(user).get(pk=pk)
    except (Message.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy tin nhắn.")) from exc
    access_channel(user, message.centre_id)
    return message
