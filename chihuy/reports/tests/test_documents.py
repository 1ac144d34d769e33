from __future__ import annotations

import io
import subprocess

import pytest
from django.urls import reverse
from docx import Document

from chihuy.reports.documents import date_line, place_name
from chihuy.reports.tests.factories import submit

pytestmark = pytest.mark.django_db


def _docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def _district_report(world, today):
    submit(world.commune, today, new_cases=3)
    submit(world.sibling, today, new_cases=4)
    return submit(
        world.district,
        today,
        new_cases=1234,
        texts={
            "situation": "Trên địa bàn thành phố ghi nhận 7 ca mắc mới.",
            "difficulties": "Thiếu bình oxy.",
            "recommendations": "Đề nghị tỉnh hỗ trợ 50 bình oxy.",
        },
    )


def test_place_and_date_follow_decree_30(world):
    assert place_name(world.province) == "Vĩnh Phúc"
    assert place_name(world.district) == "Vĩnh Yên"
    import datetime as dt

    assert date_line("Hà Phong", dt.date(2026, 11, 22)) == "Hà Phong, ngày 22 tháng 11 năm 2026"
    assert date_line("Hà Phong", dt.date(2026, 2, 5)) == "Hà Phong, ngày 05 tháng 02 năm 2026"


def test_docx_reads_back_in_administrative_layout(world, login, today):
    report = _district_report(world, today)
    response = login(world.user("province", "commander")).get(reverse("reports:docx", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-VY-20261122.docx"'
    text = _docx_text(response.content)
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND THÀNH PHỐ VĨNH YÊN",
        "TRUNG TÂM CHỈ HUY THÀNH PHỐ VĨNH YÊN",
        "Số:       /BC-VY",
        "V/v báo cáo tình hình phòng, chống dịch ngày 22/11/2026",
        "Vĩnh Yên, ngày 22 tháng 11 năm 2026",
        "BÁO CÁO",
        "Kính gửi: Trung tâm chỉ huy tỉnh Vĩnh Phúc",
        "Ca mắc mới trong ngày",
        "1.234",
        "Số đơn vị cấp dưới đã báo cáo: 2/2 (100,0%)",
        "III. KHÓ KHĂN, VƯỚNG MẮC",
        "Đề nghị tỉnh hỗ trợ 50 bình oxy.",
        "Nơi nhận:",
        "- Như trên;",
        "CHỈ HUY TRƯỞNG",
        "commander district",
    ]:
        assert expected in text, expected


def test_pdf_reads_back_with_vietnamese_text(world, login, today, tmp_path):
    report = _district_report(world, today)
    response = login(world.user("district", "standing")).get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "r.pdf"
    path.write_bytes(response.content)
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    text = " ".join(raw.split())
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Vĩnh Yên, ngày 22 tháng 11 năm 2026",
        "V/v báo cáo tình hình phòng, chống dịch ngày 22/11/2026",
        "Kính gửi: Trung tâm chỉ huy tỉnh Vĩnh Phúc",
        "Giường bệnh đang sử dụng",
        "Nơi nhận:",
        "CHỈ HUY TRƯỞNG",
    ]:
        assert expected in text, expected


def test_document_particulars_from_the_form(world, login, today):
    from chihuy.reports import services
    from chihuy.reports.tests.factories import figures

    report = services.report_submit(
        centre=world.commune,
        day=today,
        figures=figures(),
        doc={
            "doc_number": "15/BC-TTCH",
            "signer_title": "KT. CHỈ HUY TRƯỞNG\nPHÓ CHỈ HUY TRƯỞNG",
            "signer_name": "Lê Văn Tám",
            "doc_recipient": "Ban Chỉ đạo thành phố",
        },
    )
    text = _docx_text(
        login(world.user("commune", "member")).get(reverse("reports:docx", args=[report.pk])).content
    )
    assert "Số: 15/BC-TTCH" in text and "Lê Văn Tám" in text and "Kính gửi: Ban Chỉ đạo thành phố" in text
    assert "PHÓ CHỈ HUY TRƯỞNG" in text
