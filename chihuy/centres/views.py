"""Centre pages: thin views over the services, selectors and the permission layer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chihuy.centres import selectors, services
from chihuy.centres.access import Action, access_centre, access_scoped, can, memberships
from chihuy.centres.choices import CentreLevel, CentreStatus, Role
from chihuy.centres.forms import (
    AgencyForm,
    CentreForm,
    ChildCentreForm,
    MemberCreateForm,
    MemberEditForm,
    StatusForm,
)
from chihuy.centres.middleware import SESSION_KEY, my_centres
from chihuy.centres.models import Agency, Member
from chihuy.core.files import serve_file
from chihuy.core.forms import add_service_errors, flash_errors


def _permissions(request: HttpRequest, centre) -> dict[str, bool]:
    user = request.user
    return {
        "can_edit": can(user, centre, Action.EDIT),
        "can_manage_members": can(user, centre, Action.MANAGE_MEMBERS),
        "can_create_child": can(user, centre, Action.CREATE_CHILD),
        "can_change_status": can(user, centre, Action.CHANGE_STATUS),
        "can_view_audit": can(user, centre, Action.VIEW_AUDIT),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The active centre's overview; people without a role are told whom to ask."""
    centre = request.centre  # type: ignore[attr-defined]
    if centre is None:
        return render(request, "centres/no_role.html")
    context = {
        "centre": centre,
        "my_roles": [m for m in memberships(request.user) if m.centre_id == centre.pk],
        "coverage": selectors.centre_coverage(centre=centre),
        "children": selectors.centre_children(centre=centre),
        "leaders": selectors.centre_members(centre=centre).filter(role__in=[Role.COMMANDER, Role.DEPUTY]),
        **_permissions(request, centre),
    }
    return render(request, "centres/home.html", context)


@require_POST
@login_required
def switch(request: HttpRequest) -> HttpResponse:
    try:
        wanted = int(request.POST.get("centre", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Trung tâm không hợp lệ."))
    if wanted not in {c.pk for c in my_centres(request.user)}:
        return HttpResponseBadRequest(_("Bạn không có vai trò tại trung tâm này."))
    request.session[SESSION_KEY] = wanted
    return redirect("centres:home")


@login_required
def centre_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    level = request.GET.get("level", "")
    status = request.GET.get("status", "")
    if level not in CentreLevel.values:
        level = ""
    if status not in CentreStatus.values:
        status = ""
    centres = selectors.centre_list(user=request.user, q=q, level=level, status=status)[:500]
    context = {
        "centres": centres,
        "q": q,
        "level": level,
        "status": status,
        "levels": CentreLevel.choices,
        "statuses": CentreStatus.choices,
    }
    template = "centres/centre_list.html#results" if request.htmx else "centres/centre_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def centre_detail(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk)
    context = {
        "centre": centre,
        "members": selectors.centre_members(centre=centre),
        "agencies": selectors.centre_agencies(centre=centre),
        "children": selectors.centre_children(centre=centre),
        "coverage": selectors.centre_coverage(centre=centre),
        "region": centre.region.all() if centre.is_forward_post else [],
        "status_form": StatusForm(current=centre.status),
        **_permissions(request, centre),
    }
    return render(request, "centres/centre_detail.html", context)


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    """A centre's decision or rules file, to whoever may see the centre (issue 12 §6)."""
    centre = access_centre(request.user, pk)
    file, name = selectors.centre_document(centre=centre, which=which)
    return serve_file(file, filename=name)


@login_required
def centre_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk)
    return render(
        request,
        "centres/coverage.html",
        {"centre": centre, "coverage": selectors.centre_coverage(centre=centre)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def centre_edit(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.EDIT)
    form = CentreForm(request.POST or None, request.FILES or None, instance=centre)
    if request.method == "POST" and form.is_valid():
        try:
            services.centre_update(centre=centre, **{f: form.cleaned_data[f] for f in form.cleaned_data})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin trung tâm."))
            return redirect("centres:detail", pk=centre.pk)
    return render(request, "centres/centre_form.html", {"centre": centre, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def child_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = access_centre(request.user, pk, Action.CREATE_CHILD)
    form = ChildCentreForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = services.centre_create(
                name=data["name"],
                short_code=data["short_code"],
                level=data["level"],
                parent=parent,
                jurisdiction=data.get("jurisdiction"),
                region=data.get("region") or [],
                hotline=data.get("hotline", ""),
                address=data.get("address", ""),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("Đã tạo trung tâm “%(name)s” ở trạng thái đề xuất.") % {"name": child.name}
            )
            return redirect("centres:detail", pk=child.pk)
    return render(request, "centres/child_form.html", {"centre": parent, "form": form})


@require_POST
@login_required
def centre_status(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.CHANGE_STATUS)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.centre_set_status(
                centre=centre, status=form.cleaned_data["status"], on=form.cleaned_data["on"]
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Đã chuyển trạng thái: %(s)s.") % {"s": centre.get_status_display()})
    else:
        messages.error(request, _("Trạng thái hoặc ngày không hợp lệ."))
    return redirect("centres:detail", pk=centre.pk)


@require_http_methods(["GET", "POST"])
@login_required
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.MANAGE_MEMBERS)
    form = MemberCreateForm(request.POST or None, centre=centre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_get_or_create(
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
            )
            services.member_create(
                centre=centre,
                user=user,
                role=data["role"],
                agency=data["agency"],
                title=data["title"],
                phone=data["phone"],
                sectors=data["sectors"],
                since=data["since"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm thành viên %(name)s.") % {"name": user})
            return redirect("centres:detail", pk=centre.pk)
    return render(request, "centres/member_form.html", {"centre": centre, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = access_scoped(
        request.user, Member.objects.select_related("centre", "user"), pk, Action.MANAGE_MEMBERS
    )
    form = MemberEditForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        sectors = data.pop("sectors")
        try:
            services.member_update(member=member, sectors=sectors, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã cập nhật thành viên."))
            return redirect("centres:detail", pk=member.centre_id)
    return render(
        request, "centres/member_form.html", {"centre": member.centre, "form": form, "member": member}
    )


@require_POST
@login_required
def member_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member = access_scoped(
        request.user, Member.objects.select_related("centre", "user"), pk, Action.MANAGE_MEMBERS
    )
    services.member_deactivate(member=member)
    messages.success(request, _("%(name)s không còn giữ vai trò này.") % {"name": member.user})
    return redirect("centres:detail", pk=member.centre_id)


@require_http_methods(["GET", "POST"])
@login_required
def agency_create(request: HttpRequest, pk: int) -> HttpResponse:
    centre = access_centre(request.user, pk, Action.EDIT)
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_create(centre=centre, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã thêm cơ quan thành viên."))
            return redirect("centres:detail", pk=centre.pk)
    return render(request, "centres/agency_form.html", {"centre": centre, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agency = access_scoped(request.user, Agency.objects.select_related("centre"), pk, Action.EDIT)
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_update(agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu cơ quan thành viên."))
            return redirect("centres:detail", pk=agency.centre_id)
    return render(
        request, "centres/agency_form.html", {"centre": agency.centre, "form": form, "agency": agency}
    )


@require_POST
@login_required
def agency_delete(request: HttpRequest, pk: int) -> HttpResponse:
    agency = access_scoped(request.user, Agency.objects.select_related("centre"), pk, Action.EDIT)
    try:
        services.agency_delete(agency=agency)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Đã xoá cơ quan thành viên."))
    return redirect("centres:detail", pk=agency.centre_id)
