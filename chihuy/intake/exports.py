"""The logbook in the layout of the paper book (sổ theo dõi tiếp nhận thông tin), R15.

Columns as on paper: STT, time, reporter, phone, address, content, classification,
handling, result, receiving officer and an empty signature column.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.intake.models import IntakeRecord

MAX_ROWS = 5000


def columns() -> list[tuple[str, float]]:
    """Header and Excel width of each column."""
    return [
        (_("STT"), 5),
        (_("Thời gian"), 12),
        (_("Người báo"), 18),
        (_("Điện thoại"), 13),
        (_("Địa chỉ"), 20),
        (_("Nội dung"), 40),
        (_("Phân loại"), 13),
        (_("Xử lý"), 22),
        (_("Kết quả"), 24),
        (_("Cán bộ tiếp nhận"), 16),
        (_("Ký"), 9),
    ]


def _place(record: IntakeRecord) -> str:
    parts = [record.address, record.jurisdiction.label_with_parent if record.jurisdiction else ""]
    return ", ".join(p for p in parts if p)


def _handling(record: IntakeRecord) -> str:
    parts = [record.get_status_display()]
    if record.handler_label:
        parts.append(record.handler_label)
    if record.urgent:
        parts.append(_("Khẩn cấp: %(reason)s") % {"reason": record.urgency_reason})
    else:
        parts.append(_("Chờ giao ban"))
    return "\n".join(parts)


def _officer(record: IntakeRecord) -> str:
    user = record.received_by
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def rows(records: Sequence[IntakeRecord]) -> list[list[str]]:
    out = []
    for i, r in enumerate(records, start=1):
        out.append(
            [
                str(i),
                f"{timezone.localtime(r.received_at):%d/%m/%Y %H:%M}\n{r.number}",
                r.reporter_label or "",
                "" if r.anonymous else r.reporter_phone,
                _place(r),
                r.content,
                r.get_category_display(),
                _handling(r),
                "\n".join(
                    x for x in (r.result, r.reporter_told and _("Đã trả lời: ") + r.reporter_told) if x
                ),
                _officer(r),
                "",
            ]
        )
    return out


def period_label(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if date_from and date_to and date_from == date_to:
        return _("Ngày %(d)s") % {"d": f"{date_from:%d/%m/%Y}"}
    if date_from or date_to:
        start = f"{date_from:%d/%m/%Y}" if date_from else "…"
        end = f"{date_to:%d/%m/%Y}" if date_to else "…"
        return _("Từ ngày %(a)s đến ngày %(b)s") % {"a": start, "b": end}
    return _("Tất cả các ngày")


def filename(centre: Any, data: dict[str, Any], ext: str) -> str:
    start, end = data.get("date_from"), data.get("date_to")
    span = "-".join(f"{d:%Y%m%d}" for d in (start, end) if d) or "tat-ca"
    return f"so-theo-doi-{centre.short_code}-{span}.{ext}"


def logbook_xlsx(
    *, centre: Any, records: Sequence[IntakeRecord], date_from: dt.date | None, date_to: dt.date | None
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("Sổ theo dõi")[:31]
    cols = columns()
    last = get_column_letter(len(cols))
    ws.append([centre.name.upper()])
    ws.append([_("SỔ THEO DÕI TIẾP NHẬN THÔNG TIN")])
    ws.append([period_label(date_from, date_to)])
    for row in (1, 2, 3):
        ws.merge_cells(f"A{row}:{last}{row}")
        ws[f"A{row}"].alignment = Alignment(horizontal="center")
    ws["A1"].font = Font(bold=True, size=12)
    ws["A2"].font = Font(bold=True, size=14)
    ws["A3"].font = Font(italic=True)
    ws.append([])
    header_row = 5
    ws.append([h for h, _w in cols])
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = border
    for values in rows(records):
        ws.append(values)
        for cell in ws[ws.max_row]:
            cell.alignment = wrap
            cell.border = border
    for i, (_h, width) in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def logbook_pdf(
    *, centre: Any, records: Sequence[IntakeRecord], date_from: dt.date | None, date_to: dt.date | None
) -> bytes:
    # WeasyPrint loads Pango and fonts: import it only when a PDF is asked for.
    from weasyprint import HTML

    html = render_to_string(
        "intake/logbook_pdf.html",
        {
            "centre": centre,
            "columns": [h for h, _w in columns()],
            "rows": rows(records),
            "period": period_label(date_from, date_to),
            "printed_at": timezone.localtime(),
        },
    )
    return bytes(HTML(string=html).write_pdf())
