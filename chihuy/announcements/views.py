"""The announcement channel page (R4): messages, read receipts, live update by HTMX polling."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chihuy.announcements import selectors, services
from chihuy.announcements.access import access_channel, access_message, can_post
from chihuy.announcements.forms import MessageForm
from chihuy.core.files import serve_file
from chihuy.core.forms import add_service_errors

POLL_SECONDS = 5


def _context(request: HttpRequest, centre: Any, form: MessageForm | None = None) -> dict[str, Any]:
    # Opening the channel is reading it: the receipts are stored first so the page counts them.
    latest = selectors.channel_queryset(centre=centre).values_list("pk", flat=True)[: selectors.PAGE]
    services.messages_mark_read(user=request.user, centre=centre, message_ids=list(latest))
    rows = selectors.channel_messages(user=request.user, centre=centre)
    postable = can_post(request.user, centre)
    return {
        "centre": centre,
        "rows": rows,
        "can_post": postable,
        # The poll only swaps the messages: no form to build.
        "form": form
        or (MessageForm(user=request.user, centre=centre) if postable and not request.htmx else None),  # type: ignore[attr-defined]
        "poll_seconds": POLL_SECONDS,
    }


@require_GET
@login_required
def channel(request: HttpRequest) -> HttpResponse:
    """The channel of the centre the user is working in."""
    centre = request.centre  # type: ignore[attr-defined]
    if centre is None:
        raise Http404(_("Bạn chưa có vai trò tại trung tâm nào."))
    return redirect("announcements:centre", pk=centre.pk)


@require_GET
@login_required
def centre_channel(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_channel(request.user, pk)
    template = "announcements/channel.html#messages" if request.htmx else "announcements/channel.html"  # type: ignore[attr-defined]
    return render(request, template, _context(request, centre))


@require_POST
@login_required
def post(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_channel(request.user, pk, post=True)
    form = MessageForm(request.POST, request.FILES, user=request.user, centre=centre)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.message_post(
                actor=request.user,
                centre=centre,
                body=data.get("body", ""),
                attachment=data.get("attachment"),
                important=data.get("important", False),
                intake_record=data.get("record_number"),
                task=data.get("task"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:  # type: ignore[attr-defined]
                flash.success(request, _("Đã gửi tin nhắn."))
            return redirect("announcements:centre", pk=centre.pk)
    return render(request, "announcements/channel.html", _context(request, centre, form), status=400)


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A message's file, to whoever may read the channel (issue 12 §6)."""
    message = access_message(request.user, pk)
    return serve_file(message.attachment, filename=message.attachment_name)
