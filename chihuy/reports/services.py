"""Writes of the daily reports (R8, R12, R18). Every entry point (pages, API, import) calls these.

Each service validates, then saves inside ``transaction.atomic``: a report is saved with
all its figures or not at all. The day's rules live here:

- no report for a future day; none for a day the parent has closed;
- a draft can be saved and changed; submitting it records whether it beat the parent's
  deadline (17:00 local time unless the parent changed it) and keeps a copy of what was sent;
- after submission the report changes only by an amendment with a reason, which is kept
  as a new version and marks the report "amended" (its timeliness is that of the first
  submission).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.choices import CentreLevel
from chihuy.centres.models import Centre
from chihuy.reports.choices import ReportState, RollupRule, Source, VersionKind
from chihuy.reports.indicators import CODES
from chihuy.reports.models import (
    DEFAULT_DEADLINE,
    ClosedDay,
    DailyReport,
    ReportExtraValue,
    ReportingSettings,
    ReportTally,
    ReportTemplate,
    ReportVersion,
    TemplateIndicator,
)

TEXT_FIELDS = ("situation", "sector_results", "difficulties", "recommendations")
DOC_FIELDS = ("doc_number", "doc_recipient", "signer_name", "signer_title")
_MAX_FIGURE = 2_000_000_000


# --- deadlines and templates ------------------------------------------------------------------


def deadline_time(*, parent: Centre | None) -> dt.time:
    if parent is None:
        return DEFAULT_DEADLINE
    row = ReportingSettings.objects.filter(centre=parent).only("deadline").first()
    return row.deadline if row is not None else DEFAULT_DEADLINE


def deadline_at(*, parent: Centre | None, day: dt.date, at: dt.time | None = None) -> dt.datetime:
    """The moment a report for ``day`` is due at ``parent``: its deadline on that day, local time."""
    when = at if at is not None else deadline_time(parent=parent)
    return timezone.make_aware(dt.datetime.combine(day, when), timezone.get_default_timezone())


def template_for(*, centre: Centre) -> ReportTemplate | None:
    """The newest template version of the province (or higher centre) above ``centre``, if any."""
    ancestors = centre.ancestor_ids() or [centre.pk]
    return (
        ReportTemplate.objects.filter(owner_id__in=ancestors)
        .select_related("owner")
        .order_by("-created_at", "-id")
        .first()
    )


def template_indicators(*, template: ReportTemplate | None, level: str) -> list[TemplateIndicator]:
    """The indicators a template adds for centres of ``level``, in order."""
    if template is None:
        return []
    rows = template.indicators.all()
    return [i for i in rows if i.level in ("", level)]


@transaction.atomic
def template_add_indicator(
    *, owner: Centre, code: str, label: str, unit: str = "", rule: str, level: str = "", user: Any = None
) -> ReportTemplate:
    """A province adds an indicator: a new template version with the old ones plus this one (issue 5 §1).

    Reports already filed keep the version they were filed with.
    """
    if owner.level not in (CentreLevel.PROVINCE, CentreLevel.NATIONAL):
        raise ValidationError(_("Chỉ trung tâm cấp tỉnh (hoặc trung ương) được bổ sung chỉ tiêu báo cáo."))
    code = (code or "").strip().lower()
    current = ReportTemplate.objects.select_for_update().filter(owner=owner).order_by("-version").first()
    existing = list(current.indicators.all()) if current is not None else []
    if code in CODES or any(i.code == code for i in existing):
        raise ValidationError(
            {"code": [_("Mã chỉ tiêu “%(code)s” đã có trong mẫu báo cáo.") % {"code": code}]}
        )
    new_indicator = TemplateIndicator(
        code=code,
        label=(label or "").strip(),
        unit=(unit or "").strip(),
        rule=rule,
        level=level,
        order=len(existing) + 1,
    )
    new_indicator.full_clean(exclude=["template"])
    template = ReportTemplate(
        owner=owner,
        version=(current.version + 1) if current is not None else 1,
        note=_("Bổ sung chỉ tiêu: %(label)s") % {"label": new_indicator.label},
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    template.full_clean()
    template.save()
    copies = [
        TemplateIndicator(
            template=template,
            code=i.code,
            label=i.label,
            unit=i.unit,
            rule=i.rule,
            level=i.level,
            order=i.order,
        )
        for i in existing
    ]
    new_indicator.template = template
    TemplateIndicator.objects.bulk_create([*copies, new_indicator])
    return template


# --- settings and closing a day ----------------------------------------------------------------


@transaction.atomic
def reporting_settings_update(*, centre: Centre, deadline: dt.time) -> ReportingSettings:
    """The parent changes the daily deadline of its children's reports (R18: 17:00 by default)."""
    row, _created = ReportingSettings.objects.get_or_create(centre=centre)
    row.deadline = deadline
    row.full_clean()
    row.save()
    _schedule_reminders()  # the booked run is a row of this transaction (issue 12)
    return row


def is_day_closed(*, parent: Centre | None, day: dt.date) -> bool:
    return parent is not None and ClosedDay.objects.filter(centre=parent, date=day).exists()


@transaction.atomic
def day_close(*, centre: Centre, day: dt.date, user: Any = None) -> ClosedDay:
    """The parent closes a day: its children's reports for it are final (no late amendment)."""
    if day > timezone.localdate():
        raise ValidationError({"date": [_("Không thể chốt số liệu cho ngày trong tương lai.")]})
    row, created = ClosedDay.objects.get_or_create(
        centre=centre,
        date=day,
        defaults={"closed_by": user if getattr(user, "is_authenticated", False) else None},
    )
    if not created:
        raise ValidationError(_("Ngày %(d)s đã được chốt số liệu.") % {"d": f"{day:%d/%m/%Y}"})
    return row


@transaction.atomic
def day_reopen(*, centre: Centre, day: dt.date) -> None:
    row = ClosedDay.objects.filter(centre=centre, date=day).first()
    if row is None:
        raise ValidationError(_("Ngày %(d)s chưa được chốt.") % {"d": f"{day:%d/%m/%Y}"})
    row.delete()


# --- reports ---------------------------------------------------------------------------------


def _check_day(*, centre: Centre, day: dt.date) -> None:
    from chihuy.centres.choices import CentreStatus

    if centre.status != CentreStatus.ACTIVE:
        raise ValidationError(_("Trung tâm chưa đi vào hoạt động (hoặc đã giải thể) nên không nộp báo cáo."))
    if centre.activated_on is not None and day < centre.activated_on:
        raise ValidationError(
            {
                "date": [
                    _("Trung tâm đi vào hoạt động từ ngày %(d)s; không có báo cáo cho ngày trước đó.")
                    % {"d": f"{centre.activated_on:%d/%m/%Y}"}
                ]
            }
        )
    if day > timezone.localdate():
        raise ValidationError(
            {"date": [_("Không thể báo cáo cho ngày trong tương lai (%(d)s).") % {"d": f"{day:%d/%m/%Y}"}]}
        )
    if is_day_closed(parent=centre.parent, day=day):
        raise ValidationError(
            {
                "date": [
                    _("%(parent)s đã chốt số liệu ngày %(d)s: không thể nộp hoặc sửa báo cáo ngày này nữa.")
                    % {"parent": centre.parent, "d": f"{day:%d/%m/%Y}"}
                ]
            }
        )


def _clean_number(value: Any, field: str, errors: dict[str, list[str]]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors.setdefault(field, []).append(_("Hãy nhập một số nguyên, không phải chữ."))
        return None
    if isinstance(value, str):
        text = value.strip().replace(".", "").replace(",", "").replace(" ", "")
        if not text.lstrip("-").isdigit():
            errors.setdefault(field, []).append(_("Hãy nhập một số nguyên, không phải chữ."))
            return None
        value = int(text)
    if isinstance(value, float):
        if not value.is_integer():
            errors.setdefault(field, []).append(_("Số liệu phải là số nguyên."))
            return None
        value = int(value)
    if not isinstance(value, int):
        errors.setdefault(field, []).append(_("Hãy nhập một số nguyên, không phải chữ."))
        return None
    if value < 0:
        errors.setdefault(field, []).append(_("Số liệu không được là số âm."))
        return None
    if value > _MAX_FIGURE:
        errors.setdefault(field, []).append(_("Số liệu quá lớn."))
        return None
    return value


def extra_field(code: str) -> str:
    """The form and API field name of an added indicator."""
    return f"extra_{code}"


def _apply(
    report: DailyReport,
    *,
    figures: Mapping[str, Any],
    extras: Mapping[str, Any],
    texts: Mapping[str, Any],
    doc: Mapping[str, Any] | None,
) -> dict[str, int | None]:
    """Copy the input onto ``report`` and check it; returns the added indicators' values."""
    errors: dict[str, list[str]] = {}
    unknown = set(figures) - set(CODES)
    if unknown:
        errors["figures"] = [_("Chỉ tiêu không có trong mẫu: %(c)s.") % {"c": ", ".join(sorted(unknown))}]
    for code in CODES:
        if code in figures:
            setattr(report, code, _clean_number(figures[code], code, errors))
    allowed = {i.code for i in template_indicators(template=report.template, level=report.centre.level)}
    extra_values: dict[str, int | None] = {}
    for code, value in extras.items():
        if code not in allowed:
            errors.setdefault(extra_field(code), []).append(_("Chỉ tiêu này không có trong mẫu báo cáo."))
            continue
        extra_values[code] = _clean_number(value, extra_field(code), errors)
    for name in TEXT_FIELDS:
        if name in texts:
            setattr(report, name, (texts[name] or "").strip())
    for name in DOC_FIELDS:
        if doc and name in doc:
            setattr(report, name, (doc[name] or "").strip())
    try:
        report.full_clean(exclude=[*errors])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return extra_values


def _save_extras(report: DailyReport, values: Mapping[str, int | None]) -> None:
    for code, value in values.items():
        ReportExtraValue.objects.update_or_create(report=report, code=code, defaults={"value": value})


def _snapshot(report: DailyReport, *, kind: str, user: Any, reason: str = "") -> ReportVersion:
    extras = dict(report.extra_values.values_list("code", "value"))
    return ReportVersion.objects.create(
        report=report,
        number=report.version,
        kind=kind,
        created_at=(report.amended_at if kind == VersionKind.AMENDED else report.submitted_at)
        or timezone.now(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        reason=reason,
        on_time=report.on_time,
        figures=report.figures(),
        extras=extras,
        texts=report.texts(),
    )


def _locked(centre: Centre, day: dt.date) -> DailyReport | None:
    return DailyReport.objects.select_for_update().filter(centre=centre, date=day).first()


@transaction.atomic
def report_save_draft(
    *,
    centre: Centre,
    day: dt.date,
    figures: Mapping[str, Any],
    extras: Mapping[str, Any] | None = None,
    texts: Mapping[str, Any] | None = None,
    doc: Mapping[str, Any] | None = None,
    source: str = Source.WEB,
) -> DailyReport:
    """Save (or update) the centre's draft for ``day``; a submitted report needs an amendment."""
    _check_day(centre=centre, day=day)
    report = _locked(centre, day)
    if report is not None and report.is_filed:
        raise ValidationError(
            _("Báo cáo ngày %(d)s đã được nộp; muốn thay đổi hãy dùng chức năng sửa đổi báo cáo.")
            % {"d": f"{day:%d/%m/%Y}"}
        )
    if report is None:
        report = DailyReport(
            centre=centre,
            parent=centre.parent,
            centre_path=centre.path,
            date=day,
            template=template_for(centre=centre),
        )
    report.source = source
    extra_values = _apply(report, figures=figures, extras=extras or {}, texts=texts or {}, doc=doc)
    report.save()
    _save_extras(report, extra_values)
    return report


@transaction.atomic
def report_submit(
    *,
    centre: Centre,
    day: dt.date,
    figures: Mapping[str, Any],
    extras: Mapping[str, Any] | None = None,
    texts: Mapping[str, Any] | None = None,
    doc: Mapping[str, Any] | None = None,
    user: Any = None,
    source: str = Source.WEB,
    now: dt.datetime | None = None,
) -> DailyReport:
    """Submit the centre's report for ``day`` to its parent (R12, R18).

    Records the deadline that applied and whether the report beat it, and keeps a copy of
    what was sent as version 1.
    """
    report = report_save_draft(
        centre=centre, day=day, figures=figures, extras=extras, texts=texts, doc=doc, source=source
    )
    now = now or timezone.now()
    report.deadline_at = deadline_at(parent=centre.parent, day=day)
    report.submitted_at = now
    report.submitted_by = user if getattr(user, "is_authenticated", False) else None
    report.on_time = now <= report.deadline_at
    report.state = ReportState.SUBMITTED
    report.version = 1
    report.save()
    _snapshot(report, kind=VersionKind.SUBMITTED, user=user)
    report_tally_add(report=report)
    return report


@transaction.atomic
def report_amend(
    *,
    report: DailyReport,
    figures: Mapping[str, Any],
    extras: Mapping[str, Any] | None = None,
    texts: Mapping[str, Any] | None = None,
    doc: Mapping[str, Any] | None = None,
    reason: str,
    user: Any = None,
    now: dt.datetime | None = None,
) -> DailyReport:
    """Change a submitted report: the reason is required, the old version is kept (issue 5 §2)."""
    report = (
        DailyReport.objects.select_for_update(of=("self",))
        .select_related("centre", "template")
        .get(pk=report.pk)
    )
    if not report.is_filed:
        raise ValidationError(_("Báo cáo chưa được nộp; hãy sửa bản nháp rồi nộp."))
    _check_day(centre=report.centre, day=report.date)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Hãy ghi lý do sửa đổi báo cáo đã nộp.")]})
    extra_values = _apply(report, figures=figures, extras=extras or {}, texts=texts or {}, doc=doc)
    report.state = ReportState.AMENDED
    report.amended_at = now or timezone.now()
    report.version += 1
    report.save()
    _save_extras(report, extra_values)
    _snapshot(report, kind=VersionKind.AMENDED, user=user, reason=reason.strip())
    return report


@transaction.atomic
def report_update_document(*, report: DailyReport, doc: Mapping[str, Any]) -> DailyReport:
    """Set the document particulars (number, recipient, signer): they change no figure."""
    for name in DOC_FIELDS:
        if name in doc:
            setattr(report, name, (doc[name] or "").strip())
    report.full_clean()
    report.save()
    return report


# --- completeness counters (ReportTally) ---------------------------------------------------------


def report_tally_add(*, report: DailyReport) -> None:
    """Count a newly filed report for every ancestor of its centre, in the caller's transaction.

    One statement: an upsert of (ancestor, day, child-on-the-path) rows that adds 1 (and 1
    on time when it beat the deadline). The unique row makes concurrent submissions from
    sibling communes add up instead of overwriting each other.
    """
    ids = [int(p) for p in report.centre_path.strip("/").split("/") if p]
    pairs = list(pairwise(ids))
    if not pairs:
        return
    table = connection.ops.quote_name(ReportTally._meta.db_table)
    day = connection.ops.adapt_datefield_value(report.date)
    on_time = 1 if report.on_time else 0
    rows = ", ".join(["(%s, %s, %s, 1, %s)"] * len(pairs))
    params: list[Any] = []
    for ancestor, child in pairs:
        params += [ancestor, child, day, on_time]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (ancestor_id, child_id, date, filed, on_time) VALUES {rows}"
            f" ON CONFLICT (ancestor_id, date, child_id) DO UPDATE"
            f" SET filed = {table}.filed + 1, on_time = {table}.on_time + excluded.on_time",
            params,
        )


def report_tally_rebuild(*, reports: type[Model] = DailyReport, tallies: type[Model] = ReportTally) -> int:
    """Recompute every completeness counter from the filed reports; returns the rows touched.

    For reports loaded in bulk outside ``report_submit`` (the benchmark's seed, a restored
    dump) and for the migration that created the counters (which passes its historical
    models). One ``INSERT … SELECT … GROUP BY`` per level of ancestry, built from the ORM
    so it runs on SQLite and PostgreSQL alike.
    """
    table = connection.ops.quote_name(tallies._meta.db_table)
    written = 0
    with transaction.atomic():
        tallies._default_manager.all().delete()
        child = "centre"
        while True:
            ancestor = f"{child}__parent"
            select = (
                reports._default_manager.filter(
                    state__in=[ReportState.SUBMITTED, ReportState.AMENDED], **{f"{ancestor}__isnull": False}
                )
                .values_list(ancestor, child, "date")
                .annotate(n=Count("pk"), n_on_time=Count("pk", filter=Q(on_time=True)))
                .order_by()
            )
            sql, params = select.query.sql_with_params()
            with connection.cursor() as cursor:
                # A child's own report and its subtree's reports meet on one (ancestor, day,
                # child) row from two levels: add, do not overwrite.
                cursor.execute(
                    f"INSERT INTO {table} (ancestor_id, child_id, date, filed, on_time) {sql}"
                    f" ON CONFLICT (ancestor_id, date, child_id) DO UPDATE"
                    f" SET filed = {table}.filed + excluded.filed,"
                    f" on_time = {table}.on_time + excluded.on_time",
                    params,
                )
                if cursor.rowcount <= 0:
                    return written
                written += cursor.rowcount
            child = ancestor


def rule_of(code: str, template: ReportTemplate | None) -> str:
    from chihuy.reports.indicators import BY_CODE

    if code in BY_CODE:
        return BY_CODE[code].rule
    if template is not None:
        for i in template.indicators.all():
            if i.code == code:
                return i.rule
    return RollupRule.SUM


def _schedule_reminders() -> None:
    from chihuy.reports.tasks import schedule_reminders

    schedule_reminders()
