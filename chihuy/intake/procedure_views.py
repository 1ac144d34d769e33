"""The centre's intake procedure (R15, R22): a page the standing unit edits, linked from the
intake form and shown to each officer the first time he opens the form.

The procedure's own read and write functions sit at the top of this module, for the
form view of the logbook to call:

- ``procedure_must_show(user=, centre=)``: True when the centre has a written procedure the
  user has not yet acknowledged in its current version (also after every edit);
- ``procedure_acknowledge(user=, centre=)``: record that he has read it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from chihuy.centres.access import Action, access_centre, can
from chihuy.centres.models import Centre
from chihuy.core.actor import acting_as, current_actor
from chihuy.intake.models import IntakeProcedure, ProcedureAcknowledgement

BODY_MAX_LENGTH = 20000

# --- reads and writes -------------------------------------------------------------------------


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


# --- views ------------------------------------------------------------------------------------


class ProcedureForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Quy trình tiếp nhận và xử lý thông tin"),
        max_length=BODY_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=gettext_lazy("Văn bản thường; xuống dòng được giữ nguyên khi hiển thị."),
    )


def _next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False)
    return url if url and allowed else ""


@login_required
def procedure_detail(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The procedure, for every member; with "I have read it" when it is due (R22)."""
    centre = access_centre(request.user, centre_id)
    context = {
        "centre": centre,
        "procedure": procedure_get(centre=centre),
        "can_edit": can(request.user, centre, Action.EDIT),
        "must_ack": procedure_must_show(user=request.user, centre=centre),
        "next": _next_url(request),
    }
    return render(request, "intake/procedure.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def procedure_edit(request: HttpRequest, centre_id: int) -> HttpResponse:
    """The standing unit, the commander and the deputies write the procedure (R22)."""
    centre = access_centre(request.user, centre_id, Action.EDIT)
    procedure = procedure_get(centre=centre)
    if request.method == "POST":
        form = ProcedureForm(request.POST)
        if form.is_valid():
            procedure_save(centre=centre, body=form.cleaned_data["body"], by=request.user)
            messages.success(request, _("Đã lưu quy trình tiếp nhận."))
            return redirect("intake:procedure", centre_id=centre.pk)
    else:
        form = ProcedureForm(initial={"body": procedure.body if procedure else ""})
    return render(request, "intake/procedure_form.html", {"centre": centre, "form": form})


@require_POST
@login_required
def procedure_acknowledge_view(request: HttpRequest, centre_id: int) -> HttpResponse:
    centre = access_centre(request.user, centre_id)
    procedure_acknowledge(user=request.user, centre=centre)
    return redirect(_next_url(request) or reverse("intake:procedure", kwargs={"centre_id": centre.pk}))
