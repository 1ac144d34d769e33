"""The day's report as an official document (issue 5 §6), .docx and PDF.

Layout of an administrative document under Decree 30/2020/NĐ-CP: the issuing body top
left with its number and the "V/v" summary; national title and motto top right with the
place and date; the document name and summary centred; "Kính gửi"; the content with the
figures table; "Nơi nhận" bottom left and the signer's title and name bottom right.
Fonts: Times New Roman (the decree's font) with DejaVu Serif as the fallback that
renders Vietnamese wherever Times is not installed.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.centres.choices import CentreLevel, Role
from chihuy.reports.choices import TextSection
from chihuy.reports.models import DailyReport
from chihuy.reports.selectors import completeness, figure_rows, report_extra_rows

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
_KIND_PREFIX = re.compile(r"^(Tỉnh|Thành phố|Huyện|Quận|Thị xã|Xã|Phường|Thị trấn|Đặc khu)\s+", re.IGNORECASE)


def place_name(centre: Any) -> str:
    """The place written before the date: the locality of the issuing body, without its kind."""
    node = centre
    while node is not None and node.jurisdiction_id is None:
        node = node.parent
    if node is None:
        return "Hà Nội"
    return _KIND_PREFIX.sub("", node.jurisdiction.name)


def date_line(place: str, day: dt.date) -> str:
    """ "Hà Phong, ngày 05 tháng 02 năm 2026": days 1–9 and months 1–2 take a leading zero (Decree 30)."""
    d = f"{day.day:02d}" if day.day < 10 else str(day.day)
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {d} tháng {m} năm {day.year}"


def fmt_number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}".replace(",", ".")


@dataclass
class OfficialDocument:
    governing_body: str
    issuer: str
    number: str
    summary: str
    place_date: str
    title: str
    subtitle: str
    recipient: str
    completeness_line: str
    rows: list[tuple[str, str, str, str]]
    sections: list[tuple[str, str]]
    receivers: list[str]
    signer_title: str
    signer_name: str
    notes: list[str] = field(default_factory=list)


def _governing_body(centre: Any) -> str:
    node = centre
    while node is not None and node.jurisdiction_id is None:
        node = node.parent
    if node is None or centre.level == CentreLevel.NATIONAL:
        return ""
    return f"UBND {node.jurisdiction.name}".upper()


def _commander(centre: Any) -> tuple[str, str]:
    from chihuy.centres.models import Member

    m = (
        Member.objects.filter(centre=centre, is_active=True, role=Role.COMMANDER)
        .select_related("user")
        .first()
    )
    if m is None:
        return _("CHỈ HUY TRƯỞNG"), ""
    return _("CHỈ HUY TRƯỞNG"), m.user.get_full_name() or m.user.get_username()


def build(report: DailyReport) -> OfficialDocument:
    centre = report.centre
    day = report.date
    issued = timezone.localtime(report.submitted_at).date() if report.submitted_at else timezone.localdate()
    title, name = _commander(centre)
    recipient = report.doc_recipient or (
        report.parent.name if report.parent is not None else _("Ban Chỉ đạo phòng, chống dịch cấp trên")
    )
    rows = [
        (str(n), str(label), str(unit), fmt_number(value))
        for n, (label, unit, value) in enumerate(
            [*figure_rows(report.figures()), *report_extra_rows(report)], start=1
        )
    ]
    rate = completeness(centre=centre, date_from=day).pooled
    if rate.expected:
        completeness_line = _(
            "Số đơn vị cấp dưới đã báo cáo: %(filed)d/%(expected)d (%(pct)s%%), đúng hạn: %(on_time)d."
        ) % {
            "filed": rate.filed,
            "expected": rate.expected,
            "pct": str(rate.completeness).replace(".", ","),
            "on_time": rate.on_time,
        }
    else:
        completeness_line = ""
    sections = []
    roman = ["I", "II", "III", "IV"]
    for i, section in enumerate(TextSection):
        sections.append(
            (f"{roman[i]}. {section.label.upper()}", getattr(report, section.value) or _("Không có."))
        )
    number = report.doc_number or f"      /BC-{centre.short_code}"
    notes = []
    if report.state == "draft":
        notes.append(_("Bản nháp – chưa nộp"))
    elif report.state == "amended":
        notes.append(_("Báo cáo đã sửa đổi (lần nộp thứ %(n)d)") % {"n": report.version})
    receivers = [_("Như trên;")]
    if report.parent is not None and report.doc_recipient and report.doc_recipient != report.parent.name:
        receivers.append(f"{report.parent.name};")
    receivers.append(_("Lưu: VT."))
    return OfficialDocument(
        governing_body=_governing_body(centre),
        issuer=centre.name.upper(),
        number=_("Số: %(n)s") % {"n": number},
        summary=_("V/v báo cáo tình hình phòng, chống dịch ngày %(d)s") % {"d": f"{day:%d/%m/%Y}"},
        place_date=date_line(place_name(centre), issued),
        title=_("BÁO CÁO"),
        subtitle=_("Tình hình và kết quả công tác phòng, chống dịch ngày %(d)s") % {"d": f"{day:%d/%m/%Y}"},
        recipient=recipient,
        completeness_line=completeness_line,
        rows=rows,
        sections=sections,
        receivers=receivers,
        signer_title=(report.signer_title or title).upper(),
        signer_name=report.signer_name or name,
        notes=notes,
    )


def filename(report: DailyReport, ext: str) -> str:
    return f"bao-cao-{report.centre.short_code}-{report.date:%Y%m%d}.{ext}"


def report_pdf(report: DailyReport) -> bytes:
    from weasyprint import HTML

    html = render_to_string("reports/document_pdf.html", {"doc": build(report)})
    return bytes(HTML(string=html).write_pdf())


def report_docx(report: DailyReport) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc_data = build(report)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)

    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)

    def para(
        cell_or_doc: Any,
        text: str,
        *,
        bold: bool = False,
        italic: bool = False,
        size: int = 13,
        align: Any = WD_ALIGN_PARAGRAPH.CENTER,
        underline: bool = False,
        first: bool = False,
    ) -> Any:
        p = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
        p.alignment = align
        run = p.add_run(text)
        run.bold, run.italic, run.underline = bold, italic, underline
        run.font.size = Pt(size)
        return p

    header = document.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = header.rows[0].cells
    left.width, right.width = Mm(70), Mm(95)
    if doc_data.governing_body:
        para(left, doc_data.governing_body, size=12, first=True)
        para(left, doc_data.issuer, bold=True, size=12)
    else:
        para(left, doc_data.issuer, bold=True, size=12, first=True)
    para(left, doc_data.number, size=13)
    para(left, doc_data.summary, size=12)
    para(right, NATIONAL_TITLE, bold=True, size=12, first=True)
    para(right, MOTTO, bold=True, size=13, underline=True)
    para(right, doc_data.place_date, italic=True, size=13)

    for note in doc_data.notes:
        para(document, note, italic=True, size=11, align=WD_ALIGN_PARAGRAPH.RIGHT)
    para(document, "")
    para(document, doc_data.title, bold=True, size=14)
    para(document, doc_data.subtitle, bold=True, size=14)
    p = para(document, "", align=WD_ALIGN_PARAGRAPH.CENTER)
    run = p.add_run(_("Kính gửi: ") + doc_data.recipient)
    run.font.size = Pt(14)
    para(document, "")

    first_title, first_text = doc_data.sections[0]
    para(document, first_title, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in first_text.splitlines() or [""]:
        para(document, line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    if doc_data.completeness_line:
        para(document, doc_data.completeness_line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    para(document, _("Số liệu tổng hợp trong ngày:"), italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, [_("STT"), _("Chỉ tiêu"), _("Đơn vị tính"), _("Số liệu")], strict=True
    ):
        para(cell, text, bold=True, size=12, first=True)
    for stt, label, unit, value in doc_data.rows:
        cells = table.add_row().cells
        para(cells[0], stt, size=12, first=True)
        para(cells[1], label, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
        para(cells[2], unit, size=12, first=True)
        para(cells[3], value, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT, first=True)
    for section_title, text in doc_data.sections[1:]:
        para(document, section_title, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
        for line in text.splitlines() or [""]:
            para(document, line, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    para(document, "")
    footer = document.add_table(rows=1, cols=2)
    left, right = footer.rows[0].cells
    para(left, _("Nơi nhận:"), bold=True, italic=True, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, first=True)
    for line in doc_data.receivers:
        para(left, f"- {line}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    para(right, doc_data.signer_title, bold=True, size=13, first=True)
    for _i in range(3):
        para(right, "")
    para(right, doc_data.signer_name, bold=True, size=13)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
