"""The printable monthly roster, as an office pins it on the wall: one row a day, a column per
shift, each cell the names on duty; holidays marked (issue 4 item 8)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.roster.calendar import days_between, vn_holidays
from chihuy.roster.choices import DutyRole
from chihuy.roster.models import Assignment, Roster, ShiftDefinition

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


@dataclass
class WallRow:
    day: Any
    weekday: str
    holiday: str
    command: list[str] = field(default_factory=list)
    daily: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)


@dataclass
class Wall:
    roster: Roster
    columns: list[str]
    rows: list[WallRow]


def wall(*, roster: Roster) -> Wall:
    shifts = list(ShiftDefinition.objects.filter(centre=roster.centre))
    col = {s.pk: i for i, s in enumerate(shifts)}
    holidays = vn_holidays(roster.start, roster.end)
    rows = {
        d: WallRow(
            day=d, weekday=WEEKDAYS[d.weekday()], holiday=holidays.get(d, ""), cells=[[] for _s in shifts]
        )
        for d in days_between(roster.start, roster.end)
    }
    qs = (
        Assignment.objects.filter(roster=roster)
        .select_related("member__user", "agency")
        .order_by("start", "role", "agency__order", "id")
    )
    for a in qs:
        row = rows.get(timezone.localtime(a.start).date())
        if row is None:
            continue
        who = str(a.member.user)
        label = f"{who} ({a.agency.short_name or a.agency})" if a.agency is not None else who
        if a.role == DutyRole.BACKUP:
            label = _("DP: %(who)s") % {"who": label}
        if a.role == DutyRole.COMMAND:
            row.command.append(who)
        elif a.shift_id in col:
            row.cells[col[a.shift_id]].append(label)
        else:
            row.daily.append(label)
    columns = [f"{s.name} {s.start_time:%H:%M}–{s.end_time:%H:%M}" for s in shifts]
    return Wall(roster=roster, columns=columns, rows=list(rows.values()))


def roster_xlsx(*, roster: Roster) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    w = wall(roster=roster)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{roster.start:%m-%Y}"
    ws.append([_("LỊCH TRỰC %(centre)s") % {"centre": roster.centre.name.upper()}])
    ws.append(
        [
            _("Từ %(a)s đến %(b)s – %(s)s")
            % {
                "a": f"{roster.start:%d/%m/%Y}",
                "b": f"{roster.end:%d/%m/%Y}",
                "s": roster.get_status_display(),
            }
        ]
    )
    header = [_("Ngày"), _("Thứ"), _("Trực chỉ huy"), _("Trực trong ngày"), *w.columns, _("Ghi chú")]
    ws.append(header)
    for cell in ws[3]:
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=14)
    holiday_fill = PatternFill("solid", fgColor="FCE8E6")
    for r in w.rows:
        ws.append(
            [
                f"{r.day:%d/%m/%Y}",
                r.weekday,
                "\n".join(r.command),
                "\n".join(r.daily),
                *["\n".join(c) for c in r.cells],
                r.holiday,
            ]
        )
        if r.holiday or r.day.weekday() >= 5:
            for cell in ws[ws.max_row]:
                cell.fill = holiday_fill
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEFGHIJ", [12, 10, 22, 24, 30, 30, 30, 30, 30, 24], strict=False):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.print_title_rows = "3:3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def roster_pdf(*, roster: Roster) -> bytes:
    from weasyprint import HTML  # heavy: imported only when a PDF is asked for

    html = render_to_string("roster/print.html", {"wall": wall(roster=roster), "roster": roster})
    return HTML(string=html).write_pdf()
