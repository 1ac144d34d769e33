"""The minutes (biên bản) of a briefing as PDF (WeasyPrint) and Word (python-docx)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chihuy.briefings.choices import Attendance
from chihuy.briefings.models import Briefing
from chihuy.briefings.services import fmt


@dataclass
class MinutesData:
    briefing: Briefing
    facts: list[tuple[str, str]]
    attendance: list[tuple[str, list[tuple[str, str]]]]
    counts: dict[str, int]
    items: list[Any]
    conclusions: list[tuple[str, str]]
    summary: str
    printed_at: str


def _who(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _assignees(c: Any) -> str:
    parts = []
    if c.assignee_member is not None:
        parts.append(_who(c.assignee_member.user))
    if c.assignee_agency is not None:
        parts.append(str(c.assignee_agency))
    parts.extend(x.name for x in c.assignee_centres.all())
    text = "; ".join(parts)
    if c.deadline is not None:
        text += ("; " if text else "") + _("hạn %(d)s") % {"d": fmt(c.deadline)}
    return text


def minutes_data(briefing: Briefing) -> MinutesData:
    facts = [
        (_("Thời gian"), fmt(briefing.starts_at)),
        (pgettext("briefing format", "Hình thức"), briefing.get_kind_display()),
        (_("Điểm cầu trung tâm"), briefing.venue or "—"),
        (_("Họp trực tuyến"), briefing.video_url or "—"),
        (_("Chủ trì"), _who(briefing.chair) if briefing.chair else "—"),
    ]
    people: dict[int, list[tuple[str, str]]] = {}
    counts = {a.value: 0 for a in Attendance}
    participants = briefing.participants.select_related("user", "attended_point", "point").order_by("id")
    for p in participants:
        counts[p.attendance] += 1
        state = p.get_attendance_display()
        if (
            p.attendance == Attendance.PRESENT
            and p.attended_point is not None
            and p.attended_point_id != p.point_id
        ):
            state += f" ({p.attended_point.label})"
        people.setdefault(p.point_id, []).append((_who(p.user), state))
    attendance = [
        (point.label, people[point.pk])
        for point in briefing.points.order_by("order", "id")
        if point.pk in people
    ]
    conclusions = briefing.conclusions.select_related(
        "assignee_member__user", "assignee_agency"
    ).prefetch_related("assignee_centres")
    return MinutesData(
        briefing=briefing,
        facts=facts,
        attendance=attendance,
        counts=counts,
        items=list(briefing.agenda.order_by("position", "id")),
        conclusions=[(c.text, _assignees(c)) for c in conclusions.order_by("position", "id")],
        summary=briefing.minutes_summary,
        printed_at=f"{timezone.localtime():%H:%M %d/%m/%Y}",
    )


def counts_line(counts: dict[str, int]) -> str:
    return _("Có mặt %(p)d; vắng có phép %(e)d; vắng không phép %(u)d; chưa điểm danh %(n)d.") % {
        "p": counts[Attendance.PRESENT],
        "e": counts[Attendance.EXCUSED],
        "u": counts[Attendance.UNEXCUSED],
        "n": counts[Attendance.UNKNOWN],
    }


def filename(briefing: Briefing, ext: str) -> str:
    local = timezone.localtime(briefing.starts_at)
    return f"bien-ban-{briefing.centre.short_code}-{local:%Y%m%d-%H%M}.{ext}"


def minutes_pdf(*, briefing: Briefing) -> bytes:
    from weasyprint import HTML

    data = minutes_data(briefing)
    html = render_to_string(
        "briefings/minutes_pdf.html", {"d": data, "counts_line": counts_line(data.counts)}
    )
    return bytes(HTML(string=html).write_pdf())


def minutes_docx(*, briefing: Briefing) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    data = minutes_data(briefing)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    head = doc.add_paragraph(briefing.centre.name.upper())
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.runs[0].bold = True
    title = doc.add_paragraph(_("BIÊN BẢN CUỘC HỌP"))
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.runs[0].bold = True
    title.runs[0].font.size = Pt(15)
    sub = doc.add_paragraph(briefing.title)
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for label, value in data.facts:
        p = doc.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)
    doc.add_heading(_("I. Thành phần dự họp"), level=2)
    doc.add_paragraph(counts_line(data.counts))
    for label, people in data.attendance:
        doc.add_paragraph(label).runs[0].bold = True
        table = doc.add_table(rows=0, cols=3)
        table.style = "Table Grid"
        for i, (name, state) in enumerate(people, start=1):
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = str(i), name, state
    doc.add_heading(_("II. Nội dung"), level=2)
    for i, item in enumerate(data.items, start=1):
        doc.add_paragraph(f"{i}. {item.title}").runs[0].bold = True
        if item.body and item.body != item.title:
            doc.add_paragraph(item.body)
        if item.notes:
            p = doc.add_paragraph()
            p.add_run(_("Ý kiến tại cuộc họp: ")).italic = True
            p.add_run(item.notes)
    if not data.items:
        doc.add_paragraph(_("Không có nội dung."))
    doc.add_heading(_("III. Kết luận của chủ trì"), level=2)
    if data.summary:
        doc.add_paragraph(data.summary)
    for i, (text, who) in enumerate(data.conclusions, start=1):
        p = doc.add_paragraph(f"{i}. {text}")
        if who:
            p.add_run(f" ({who})").italic = True
    sign = doc.add_table(rows=1, cols=2)
    sign.cell(0, 0).text = _("THƯ KÝ")
    sign.cell(0, 1).text = _("CHỦ TRÌ") + (f"\n\n\n{_who(briefing.chair)}" if briefing.chair else "")
    doc.add_paragraph(_("In lúc %(t)s") % {"t": data.printed_at}).runs[0].italic = True
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
