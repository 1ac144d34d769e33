"""A person's notices: the list, opening one (marks it read), marking all read, the header badge."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from chihuy.notifications.selectors import notification_get, notification_list, notification_unread_count
from chihuy.notifications.services import notification_mark_read


@login_required
@require_GET
def notification_index(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(notification_list(user=request.user, unread_only=unread_only), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_only": unread_only, "unread": notification_unread_count(user=request.user)},
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notice = notification_get(user=request.user, pk=pk)
    notification_mark_read(user=request.user, ids=[notice.pk])
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
        return redirect(notice.url)
    return redirect("notifications:index")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notification_mark_read(user=request.user)
    return redirect("notifications:index")


@login_required
@require_GET
def notification_badge(request: HttpRequest) -> HttpResponse:
    return render(
        request, "notifications/_badge.html", {"unread": notification_unread_count(user=request.user)}
    )
