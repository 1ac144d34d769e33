"""One day's figures for many children from an Excel sheet (issue 5 §7).

The centre downloads a template with its children's codes and names filled in, types or
pastes the figures, uploads it, sees a preview with every error by row and column, and
imports: all rows or none (one transaction through ``report_submit``).

Sheet layout: row 1 title, row 2 the day, row 4 the column labels, row 5 the machine
codes of the columns (so a translated or re-worded label does not matter), data from row 6.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.models import Centre
from chihuy.reports.choices import FILED_STATES, ImportStatus, Source, TextSection
from chihuy.reports.indicators import BY_CODE, STANDARD
from chihuy.reports.models import DailyReport, ReportImport, ReportTemplate
from chihuy.reports.selectors import expected_children
from chihuy.reports.services import (
    _clean_number,
    extra_field,
    is_day_closed,
    report_submit,
    template_for,
    template_indicators,
)

LABEL_ROW, CODE_ROW, FIRST_DATA_ROW = 4, 5, 6
MAX_ROWS = 2000


def unit_code(centre: Centre) -> str:
    """The code a child is known by in the sheet: its administrative code, or its short code."""
    return str(centre.jurisdiction.code) if centre.jurisdiction is not None else centre.short_code


@dataclass(frozen=True)
class Column:
    key: str  # figure code, "extra_<code>", a text section, or "unit_code"/"unit_name"
    label: str
    width: float
    short: str = ""  # the header of the preview table

    @property
    def is_extra(self) -> bool:
        return self.key.startswith(EXTRA)

    @property
    def is_number(self) -> bool:
        return self.key in BY_CODE or self.is_extra


EXTRA = extra_field("")


@dataclass(frozen=True)
class Layout:
    """The columns of a centre's sheet, and which added indicators each child reports.

    The national indicators apply to every child; an indicator a province added applies to
    the children of the level it names (or to all when it names none) under the template
    version each child would file with, so one sheet can hold children of several levels.
    """

    columns: list[Column]
    extras: dict[int, frozenset[str]]  # child pk -> the "extra_<code>" keys it reports

    def applies(self, key: str, child_pk: int | None) -> bool:
        if not key.startswith(EXTRA) or child_pk is None or child_pk not in self.extras:
            return True
        return key in self.extras[child_pk]

    @property
    def numbers(self) -> list[Column]:
        return [c for c in self.columns if c.is_number]


def _child_templates(centre: Centre, children: list[Centre]) -> dict[int, ReportTemplate | None]:
    """The template each child files with; children share their parent's unless one owns some."""
    shared = template_for(centre=centre)
    owners = set(
        ReportTemplate.objects.filter(owner__in=children).values_list("owner_id", flat=True).distinct()
    )
    return {c.pk: template_for(centre=c) if c.pk in owners else shared for c in children}


def layout(centre: Centre, children: list[Centre]) -> Layout:
    templates = _child_templates(centre, children)
    distinct = list({t.pk: t for t in templates.values() if t is not None}.values())
    prefetch_related_objects(distinct, "indicators")
    per_child = {
        child.pk: frozenset(
            extra_field(ti.code)
            for ti in template_indicators(template=templates[child.pk], level=child.level)
        )
        for child in children
    }
    reported = frozenset().union(*per_child.values())
    added: dict[str, Column] = {}
    for template in distinct:  # in the template's own order
        for ti in template.indicators.all():
            key = extra_field(ti.code)
            if key in reported and key not in added:
                label = f"{ti.label} ({ti.unit})" if ti.unit else ti.label
                added[key] = Column(key, label, 13, ti.label)
    cols = [Column("unit_code", _("Mã đơn vị"), 11), Column("unit_name", _("Tên đơn vị"), 28)]
    cols += [Column(i.code, f"{i.label} ({i.unit})", 13, str(i.label)) for i in STANDARD]
    cols += list(added.values())
    cols += [Column(s.value, str(s.label), 30) for s in TextSection]
    return Layout(columns=cols, extras=per_child)


def columns(centre: Centre, children: list[Centre]) -> list[Column]:
    return layout(centre, children).columns


def template_xlsx(*, centre: Centre, day: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    children = expected_children(centre=centre, day=day)
    cols = columns(centre, children)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Số liệu")[:31]
    ws.append([_("BIỂU NHẬP SỐ LIỆU BÁO CÁO HẰNG NGÀY – %(c)s") % {"c": centre.name.upper()}])
    ws.append([_("Ngày báo cáo"), day.strftime("%d/%m/%Y")])
    ws.append(
        [_("Mỗi dòng là một đơn vị cấp dưới; để trống ô chưa có số liệu; chỉ nhập số nguyên không âm.")]
    )
    ws.append([c.label for c in cols])
    ws.append([c.key for c in cols])
    for child in children:
        ws.append([unit_code(child), child.name])
    ws["A1"].font = Font(bold=True, size=13)
    ws["A3"].font = Font(italic=True, color="555555")
    for cell in ws[LABEL_ROW]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.fill = PatternFill("solid", fgColor="EEF1F5")
    for cell in ws[CODE_ROW]:
        cell.font = Font(size=8, color="888888")
    ws.row_dimensions[LABEL_ROW].height = 60
    for i, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class Parsed:
    rows: list[dict[str, Any]]
    errors: list[dict[str, Any]]


def _err(
    errors: list[dict[str, Any]], row: int | None, column: str, label: str, message: str, key: str = ""
) -> None:
    errors.append({"row": row, "column": column, "field": label, "message": message, "key": key})


def _cell_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 (a calendar day)
        except ValueError:
            return None
    return None


def parse(*, centre: Centre, day: dt.date, content: bytes) -> Parsed:
    """Read and check every row; nothing is saved here."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    errors: list[dict[str, Any]] = []
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        _err(errors, None, "", "", _("Không đọc được tệp: hãy dùng tệp Excel .xlsx tải từ mẫu."))
        return Parsed(rows=[], errors=errors)
    ws = wb.worksheets[0]
    table = [list(r) for r in ws.iter_rows(min_row=1, max_row=FIRST_DATA_ROW + MAX_ROWS, values_only=True)]
    wb.close()
    if len(table) < CODE_ROW:
        _err(errors, None, "", "", _("Tệp không đúng mẫu: thiếu dòng tiêu đề (dòng 4 và 5)."))
        return Parsed(rows=[], errors=errors)
    sheet_day = _cell_date(table[1][1] if len(table[1]) > 1 else None)
    if sheet_day is not None and sheet_day != day:
        _err(
            errors,
            2,
            "B",
            _("Ngày báo cáo"),
            _("Ngày trong tệp (%(a)s) khác ngày đã chọn (%(b)s).")
            % {"a": f"{sheet_day:%d/%m/%Y}", "b": f"{day:%d/%m/%Y}"},
        )
    if day > timezone.localdate():
        _err(errors, None, "", _("Ngày báo cáo"), _("Không thể nhập số liệu cho ngày trong tương lai."))
    if is_day_closed(parent=centre, day=day):
        _err(errors, None, "", _("Ngày báo cáo"), _("Ngày %(d)s đã chốt số liệu.") % {"d": f"{day:%d/%m/%Y}"})

    children = expected_children(centre=centre, day=day)
    sheet = layout(centre, children)
    cols = {c.key: c for c in sheet.columns}
    codes_row = [str(v).strip() if v is not None else "" for v in table[CODE_ROW - 1]]
    position: dict[str, int] = {}
    for i, key in enumerate(codes_row):
        if not key:
            continue
        if key not in cols:
            _err(errors, CODE_ROW, get_column_letter(i + 1), key, _("Cột không có trong mẫu báo cáo."))
            continue
        position[key] = i
    if "unit_code" not in position:
        _err(errors, CODE_ROW, "A", _("Mã đơn vị"), _("Thiếu cột mã đơn vị (unit_code)."))
        return Parsed(rows=[], errors=errors)

    by_code = {unit_code(c): c for c in children}
    filed = set(
        DailyReport.objects.filter(parent=centre, date=day, state__in=FILED_STATES).values_list(
            "centre_id", flat=True
        )
    )
    seen: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for offset, values in enumerate(table[FIRST_DATA_ROW - 1 :]):
        row_no = FIRST_DATA_ROW + offset

        def cell(key: str, values: list[Any] = values) -> Any:
            i = position.get(key)
            return values[i] if i is not None and i < len(values) else None

        number_keys = [k for k in position if cols[k].is_number]
        text_keys = [k for k in position if k in TextSection.values]
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        raw_code = cell("unit_code")
        code = str(raw_code).strip() if raw_code is not None else ""
        if code.endswith(".0"):
            code = code[:-2]
        label_a = get_column_letter(position["unit_code"] + 1)
        child = by_code.get(code)
        if not code:
            _err(errors, row_no, label_a, _("Mã đơn vị"), _("Thiếu mã đơn vị."))
            continue
        if child is None:
            _err(
                errors,
                row_no,
                label_a,
                _("Mã đơn vị"),
                _("Mã %(code)s không phải đơn vị cấp dưới đang hoạt động của %(centre)s; không nhập thay.")
                % {"code": code, "centre": centre.name},
            )
            continue
        if code in seen:
            _err(errors, row_no, label_a, _("Mã đơn vị"), _("Trùng với dòng %(r)d.") % {"r": seen[code]})
            continue
        seen[code] = row_no
        if child.pk in filed:
            _err(
                errors,
                row_no,
                label_a,
                _("Mã đơn vị"),
                _("%(name)s đã nộp báo cáo ngày này; không ghi đè (đơn vị tự sửa đổi nếu cần).")
                % {"name": child.name},
            )
        figures: dict[str, int | None] = {}
        extras: dict[str, int | None] = {}
        raw: dict[str, str] = {}  # what was typed in a cell that is wrong, for the preview
        for key in number_keys:
            if not sheet.applies(key, child.pk):
                if str(cell(key) or "").strip():
                    raw[key] = str(cell(key))
                    _err(
                        errors,
                        row_no,
                        get_column_letter(position[key] + 1),
                        str(cols[key].label),
                        _("Chỉ tiêu này không áp dụng cho %(name)s; để trống ô này.") % {"name": child.name},
                        key,
                    )
                continue
            field_errors: dict[str, list[str]] = {}
            value = _clean_number(cell(key), key, field_errors)
            if field_errors:
                raw[key] = str(cell(key))
            for message in field_errors.get(key, []):
                _err(errors, row_no, get_column_letter(position[key] + 1), str(cols[key].label), message, key)
            if key.startswith(EXTRA):
                extras[key.removeprefix(EXTRA)] = value
            else:
                figures[key] = value
        if all(v is None for v in [*figures.values(), *extras.values()]) and not any(
            str(cell(k) or "").strip() for k in text_keys
        ):
            _err(errors, row_no, label_a, _("Mã đơn vị"), _("Dòng chưa có số liệu nào."))
        total, occupied = figures.get("beds_total"), figures.get("beds_occupied")
        if total is not None and occupied is not None and occupied > total:
            _err(
                errors,
                row_no,
                get_column_letter(position["beds_occupied"] + 1),
                str(cols["beds_occupied"].label),
                _("Số giường đang sử dụng (%(o)d) lớn hơn tổng số giường (%(t)d).")
                % {"o": occupied, "t": total},
                "beds_occupied",
            )
        texts = {k: str(cell(k) or "").strip() for k in text_keys}
        rows.append(
            {
                "row": row_no,
                "centre": child.pk,
                "code": code,
                "name": child.name,
                "figures": figures,
                "extras": extras,
                "texts": texts,
                "raw": raw,
            }
        )
    if not rows and not errors:
        _err(errors, None, "", "", _("Tệp không có dòng số liệu nào."))
    return Parsed(rows=rows, errors=errors)


@dataclass(frozen=True)
class Cell:
    value: Any
    bad: bool = False
    applies: bool = True


def preview_table(record: ReportImport) -> tuple[list[Column], list[dict[str, Any]]]:
    """The preview's header (every indicator of the sheet, national and added) and its rows.

    Each row has one cell per indicator: the value read (or what was typed, when it is
    wrong), whether it is in error, and whether the indicator applies to that child at all.
    """
    sheet = layout(record.centre, expected_children(centre=record.centre, day=record.date))
    bad = {(e["row"], e.get("key", "")) for e in record.errors}
    errors_by_row: dict[Any, list[dict[str, Any]]] = {}
    for e in record.errors:
        errors_by_row.setdefault(e["row"], []).append(e)
    headers = sheet.numbers
    rows = []
    for row in record.rows:
        raw = row.get("raw", {})
        cells = []
        for col in headers:
            if col.key in raw:
                cells.append(Cell(raw[col.key], (row["row"], col.key) in bad))
            elif not sheet.applies(col.key, row["centre"]):
                cells.append(Cell(None, applies=False))
            elif col.is_extra:
                cells.append(Cell(row.get("extras", {}).get(col.key.removeprefix(EXTRA))))
            else:
                cells.append(Cell(row["figures"].get(col.key), (row["row"], col.key) in bad))
        rows.append({**row, "cells": cells, "errors": errors_by_row.get(row["row"], [])})
    return headers, rows


@transaction.atomic
def import_create(*, centre: Centre, day: dt.date, filename: str, content: bytes, user: Any) -> ReportImport:
    """Parse the sheet and keep it for the preview."""
    parsed = parse(centre=centre, day=day, content=content)
    return ReportImport.objects.create(
        centre=centre,
        date=day,
        filename=filename[:255],
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        rows=parsed.rows,
        errors=parsed.errors,
        status=ImportStatus.INVALID if parsed.errors else ImportStatus.PREVIEW,
    )


def import_apply(*, record: ReportImport, user: Any) -> int:
    """Submit every row's report, or none: the first failing row rolls the whole import back."""
    if record.status == ImportStatus.APPLIED:
        raise ValidationError(_("Bảng tính này đã được nhập."))
    if record.errors:
        raise ValidationError(_("Bảng tính còn lỗi; hãy sửa tệp và tải lên lại."))
    children = {
        c.pk: c
        for c in Centre.objects.filter(parent=record.centre, pk__in=[r["centre"] for r in record.rows])
    }
    with transaction.atomic():
        locked = ReportImport.objects.select_for_update().get(pk=record.pk)
        if locked.status == ImportStatus.APPLIED:
            raise ValidationError(_("Bảng tính này đã được nhập."))
        for row in record.rows:
            child = children.get(row["centre"])
            if child is None:
                raise ValidationError(
                    _("Dòng %(r)d: đơn vị không còn thuộc trung tâm này.") % {"r": row["row"]}
                )
            try:
                report_submit(
                    centre=child,
                    day=record.date,
                    figures=row["figures"],
                    extras=row["extras"],
                    texts=row["texts"],
                    user=user,
                    source=Source.IMPORT,
                )
            except ValidationError as exc:
                raise ValidationError(
                    _("Dòng %(r)d (%(name)s): %(msg)s")
                    % {"r": row["row"], "name": row["name"], "msg": " ".join(exc.messages)}
                ) from exc
        locked.status = ImportStatus.APPLIED
        locked.applied_at = timezone.now()
        locked.save(update_fields=["status", "applied_at"])
    record.status, record.applied_at = locked.status, locked.applied_at
    return len(record.rows)
