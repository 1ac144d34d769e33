"""Writes for centres, member agencies and members. Every entry point calls these.

Each service validates with ``full_clean`` and saves inside ``transaction.atomic``;
the Audited base records the change, so none of the callers has to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.audit.choices import AuditAction
from chihuy.audit.mixins import audit_record
from chihuy.centres.choices import STATUS_DATE_FIELD, STATUS_ORDER, CentreLevel, CentreStatus, Role
from chihuy.centres.models import Agency, Centre, DeputySector, Member
from chihuy.jurisdictions.choices import Level

# Which jurisdiction level a centre of each level sits on.
_CENTRE_JURISDICTION_LEVEL = {
    CentreLevel.PROVINCE: Level.PROVINCE,
    CentreLevel.DISTRICT: Level.DISTRICT,
    CentreLevel.COMMUNE: Level.COMMUNE,
}
# Which centre levels may sit directly under which.
_ALLOWED_PARENT = {
    CentreLevel.NATIONAL: set(),
    CentreLevel.PROVINCE: {CentreLevel.NATIONAL},
    CentreLevel.FORWARD: {CentreLevel.PROVINCE},
    CentreLevel.DISTRICT: {CentreLevel.PROVINCE, CentreLevel.FORWARD},
    CentreLevel.COMMUNE: {CentreLevel.DISTRICT, CentreLevel.PROVINCE, CentreLevel.FORWARD},
}

CENTRE_EDITABLE_FIELDS = (
    "name",
    "short_code",
    "hotline",
    "hotline_fallback",
    "hotline_fallback_member",
    "address",
    "room_primary",
    "room_primary_capacity",
    "room_fallback",
    "room_fallback_capacity",
    "decision_number",
    "decision_date",
    "decision_file",
    "rules_document",
    "rules_issued_on",
    "require_2fa_for_leaders",
)


def centre_rebuild_path(*, centre: Centre) -> None:
    """Recompute the materialised path of ``centre`` and of its whole subtree."""
    parent_path = centre.parent.path if centre.parent is not None else "/"
    new_path = f"{parent_path}{centre.pk}/"
    if centre.path == new_path:
        return
    old_path = centre.path
    Centre.objects.filter(pk=centre.pk).update(path=new_path)
    centre.path = new_path
    centre._audit_before = centre.audit_values()  # the path is derived, not a change worth logging
    if old_path:
        for child in Centre.objects.filter(path__startswith=old_path).exclude(pk=centre.pk):
            Centre.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])


def _validate_placement(centre: Centre, region: Iterable[Any] | None) -> None:
    errors: dict[str, list[str]] = {}
    level = CentreLevel(centre.level)
    parent = centre.parent
    if parent is not None and parent.level not in _ALLOWED_PARENT[level]:
        errors.setdefault("parent", []).append(
            _("Trung tâm %(level)s không thể trực thuộc trung tâm %(parent)s.")
            % {"level": level.label, "parent": CentreLevel(parent.level).label}
        )
    if parent is not None and parent.status == CentreStatus.DISSOLVED:
        errors.setdefault("parent", []).append(_("Trung tâm cấp trên đã giải thể."))
    if level == CentreLevel.FORWARD:
        if centre.jurisdiction_id is not None:
            errors.setdefault("jurisdiction", []).append(
                _("Sở chỉ huy tiền phương phụ trách một vùng gồm nhiều địa phương, không gắn với một đơn vị.")
            )
        regions = list(region or [])
        if not regions:
            errors.setdefault("region", []).append(_("Chọn ít nhất một địa phương thuộc vùng phụ trách."))
        if parent is None:
            errors.setdefault("parent", []).append(
                _("Sở chỉ huy tiền phương phải trực thuộc trung tâm cấp tỉnh.")
            )
        elif parent.jurisdiction is not None:
            outside = [
                j.name
                for j in regions
                if not j.is_within(parent.jurisdiction) or j.pk == parent.jurisdiction_id
            ]
            if outside:
                errors.setdefault("region", []).append(
                    _("Các địa phương không thuộc tỉnh của trung tâm cấp trên: %(names)s.")
                    % {"names": ", ".join(outside)}
                )
    elif centre.jurisdiction is not None:
        expected = _CENTRE_JURISDICTION_LEVEL.get(level)
        if expected is not None and centre.jurisdiction.level != expected:
            errors.setdefault("jurisdiction", []).append(
                _("Trung tâm %(level)s phải gắn với một đơn vị hành chính %(unit)s.")
                % {"level": level.label, "unit": Level(expected).label.lower()}
            )
        anchor = parent
        while anchor is not None and anchor.level == CentreLevel.FORWARD:
            anchor = anchor.parent
        if (
            anchor is not None
            and anchor.jurisdiction is not None
            and not (
                centre.jurisdiction.is_within(anchor.jurisdiction)
                and centre.jurisdiction_id != anchor.jurisdiction_id
            )
        ):
            errors.setdefault("jurisdiction", []).append(
                _("Địa bàn phải nằm trong địa bàn của trung tâm cấp trên (%(name)s).")
                % {"name": anchor.jurisdiction}
            )
        if parent is not None and parent.level == CentreLevel.FORWARD:
            region_ids = set(parent.region.values_list("pk", flat=True))
            j = centre.jurisdiction
            if not region_ids & {j.pk, j.province_id, j.district_id}:
                errors.setdefault("jurisdiction", []).append(
                    _("Địa bàn không thuộc vùng phụ trách của sở chỉ huy tiền phương.")
                )
        clash = Centre.objects.filter(jurisdiction=centre.jurisdiction, level=centre.level).exclude(
            status=CentreStatus.DISSOLVED
        )
        if centre.pk:
            clash = clash.exclude(pk=centre.pk)
        if centre.status != CentreStatus.DISSOLVED and clash.exists():
            errors.setdefault("jurisdiction", []).append(
                _("Địa bàn này đã có trung tâm chỉ huy đang tồn tại: %(name)s.") % {"name": clash.first()}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def centre_create(
    *,
    name: str,
    short_code: str,
    level: str,
    parent: Centre | None,
    jurisdiction: Any | None = None,
    region: Iterable[Any] | None = None,
    proposed_on: dt.date | None = None,
    **fields: Any,
) -> Centre:
    """Create a centre in the ``proposed`` state under ``parent`` (R12, R29, R36)."""
    unknown = set(fields) - set(CENTRE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown centre fields: {sorted(unknown)}")
    region = list(region or [])
    centre = Centre(
        name=name,
        short_code=short_code,
        level=level,
        parent=parent,
        jurisdiction=jurisdiction,
        status=CentreStatus.PROPOSED,
        proposed_on=proposed_on or timezone.localdate(),
        **fields,
    )
    centre.full_clean()
    _validate_placement(centre, region)
    centre.save()
    if region:
        centre.region.set(region)
        audit_record(
            instance=centre, action=AuditAction.UPDATE, changes={"region": [[], [j.pk for j in region]]}
        )
    centre_rebuild_path(centre=centre)
    return centre


@transaction.atomic
def centre_update(*, centre: Centre, region: Iterable[Any] | None = None, **fields: Any) -> Centre:
    """Change a centre's set-up facts; level, parent and jurisdiction are fixed once created."""
    unknown = set(fields) - set(CENTRE_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Trường này không được phép sửa.")] for k in sorted(unknown)})
    for key, value in fields.items():
        setattr(centre, key, value)
    member = centre.hotline_fallback_member
    if member is not None and (member.centre_id != centre.pk or not member.is_active):
        raise ValidationError(
            {
                "hotline_fallback_member": [
                    _("Người nhận cuộc gọi chuyển tiếp phải là thành viên của trung tâm.")
                ]
            }
        )
    centre.full_clean()
    new_region = list(region) if region is not None else None
    _validate_placement(centre, new_region if new_region is not None else list(centre.region.all()))
    centre.save()
    if new_region is not None:
        before = sorted(centre.region.values_list("pk", flat=True))
        after = sorted(j.pk for j in new_region)
        if before != after:
            centre.region.set(new_region)
            audit_record(instance=centre, action=AuditAction.UPDATE, changes={"region": [before, after]})
    return centre


@transaction.atomic
def centre_set_status(*, centre: Centre, status: str, on: dt.date | None = None) -> Centre:
    """Move a centre forward through proposed → established → active → dissolved (R28).

    Establishing needs the decision number and date; no step goes backwards, and a
    centre with active child centres cannot dissolve.
    """
    target = CentreStatus(status)
    current = CentreStatus(centre.status)
    on = on or timezone.localdate()
    if STATUS_ORDER.index(target) <= STATUS_ORDER.index(current):
        raise ValidationError(
            {
                "status": [
                    _("Không thể chuyển từ “%(a)s” sang “%(b)s”.") % {"a": current.label, "b": target.label}
                ]
            }
        )
    if on > timezone.localdate():
        raise ValidationError({"on": [_("Ngày chuyển trạng thái không được ở tương lai.")]})
    if target in (CentreStatus.ESTABLISHED, CentreStatus.ACTIVE) and not (
        centre.decision_number and centre.decision_date
    ):
        raise ValidationError(
            {"status": [_("Cần nhập số và ngày quyết định thành lập trước khi chuyển trạng thái.")]}
        )
    if target == CentreStatus.DISSOLVED:
        alive = centre.children.exclude(status=CentreStatus.DISSOLVED)
        if alive.exists():
            raise ValidationError(
                {"status": [_("Còn %(n)d trung tâm cấp dưới chưa giải thể.") % {"n": alive.count()}]}
            )
    # Fill the dates of any skipped steps so the history stays complete.
    for step in STATUS_ORDER[STATUS_ORDER.index(current) + 1 : STATUS_ORDER.index(target) + 1]:
        field = STATUS_DATE_FIELD[step]
        if getattr(centre, field) is None:
            setattr(centre, field, on)
    centre.status = target
    centre.full_clean()
    centre.save()
    return centre


# --- member agencies -------------------------------------------------------------------------


@transaction.atomic
def agency_create(*, centre: Centre, name: str, kind: str, short_name: str = "", order: int = 100) -> Agency:
    agency = Agency(centre=centre, name=name.strip(), kind=kind, short_name=short_name.strip(), order=order)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, **fields: Any) -> Agency:
    allowed = {"name", "short_name", "kind", "order"}
    for key, value in fields.items():
        if key not in allowed:
            raise ValidationError({key: [_("Trường này không được phép sửa.")]})
        setattr(agency, key, value.strip() if isinstance(value, str) else value)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def agency_delete(*, agency: Agency) -> None:
    if agency.members.exists():
        raise ValidationError(
            _("Cơ quan còn thành viên, không thể xoá. Hãy chuyển các thành viên sang cơ quan khác.")
        )
    agency.delete()


# --- members ----------------------------------------------------------------------------------


def _check_member(member: Member, sectors: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    if member.agency is not None and member.agency.centre_id != member.centre_id:
        errors["agency"] = [_("Cơ quan không thuộc trung tâm này.")]
    if sectors and member.role != Role.DEPUTY:
        errors["sectors"] = [_("Chỉ phó chỉ huy trưởng được phân công lĩnh vực phụ trách.")]
    if member.is_active:
        clash = Member.objects.filter(
            centre_id=member.centre_id, user_id=member.user_id, role=member.role, is_active=True
        )
        if member.pk:
            clash = clash.exclude(pk=member.pk)
        if clash.exists():
            errors["user"] = [_("Người này đã giữ vai trò này tại trung tâm.")]
        if member.role == Role.COMMANDER:
            other = Member.objects.filter(centre_id=member.centre_id, role=Role.COMMANDER, is_active=True)
            if member.pk:
                other = other.exclude(pk=member.pk)
            current = other.select_related("user").first()
            if current is not None:
                errors["role"] = [_("Trung tâm đã có chỉ huy trưởng: %(name)s.") % {"name": current.user}]
    if errors:
        raise ValidationError(errors)


def _set_sectors(member: Member, sectors: list[str]) -> None:
    before = sorted(member.sectors.values_list("sector", flat=True))
    after = sorted(set(sectors))
    if before == after:
        return
    member.sectors.exclude(sector__in=after).delete()
    DeputySector.objects.bulk_create(
        [DeputySector(member=member, sector=s) for s in after if s not in before]
    )
    audit_record(instance=member, action=AuditAction.UPDATE, changes={"sectors": [before, after]})


def user_get_or_create(*, username: str, full_name: str = "", email: str = "", phone: str = "") -> Any:
    """Find a person by username, or create an account without a usable password.

    A new account sets its password through "forgot password" by e-mail.
    """
    user_model = get_user_model()
    username = username.strip()
    user = user_model.objects.filter(username=username).first()
    if user is not None:
        return user
    user = user_model(
        username=username, full_name=full_name.strip(), email=email.strip(), phone=phone.strip()
    )
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def member_create(
    *,
    centre: Centre,
    user: Any,
    role: str,
    agency: Agency | None = None,
    title: str = "",
    phone: str = "",
    sectors: Iterable[str] = (),
    since: dt.date | None = None,
) -> Member:
    """Give ``user`` a role at ``centre`` (R9, R23, R25); deputies get their sectors."""
    sectors = list(sectors)
    member = Member(
        centre=centre,
        user=user,
        role=role,
        agency=agency,
        title=title.strip(),
        phone=phone.strip(),
        since=since,
    )
    member.full_clean(validate_constraints=False)
    _check_member(member, sectors)
    member.save()
    _set_sectors(member, sectors)
    return member


@transaction.atomic
def member_update(*, member: Member, sectors: Iterable[str] | None = None, **fields: Any) -> Member:
    allowed = {"role", "agency", "title", "phone", "since", "is_active"}
    for key, value in fields.items():
        if key not in allowed:
            raise ValidationError({key: [_("Trường này không được phép sửa.")]})
        setattr(member, key, value)
    sector_list = (
        list(sectors) if sectors is not None else list(member.sectors.values_list("sector", flat=True))
    )
    if member.role != Role.DEPUTY and sectors is None:
        sector_list = []
    member.full_clean(validate_constraints=False)
    _check_member(member, sector_list)
    member.save()
    _set_sectors(member, sector_list)
    return member


@transaction.atomic
def member_deactivate(*, member: Member) -> Member:
    """End a role; the record stays for history. The hotline fallback stops pointing at it."""
    if not member.is_active:
        return member
    member.is_active = False
    member.save()
    centre = member.centre
    if centre.hotline_fallback_member_id == member.pk:
        centre.hotline_fallback_member = None
        centre.save()
    return member
