from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chihuy.intake.tests.factories import make_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def logbook(world):
    officer = world.user("commune", "duty_officer")
    return [
        make_intake(
            centre=world.commune,
            received_by=officer,
            reporter_name="Nguyễn Thị Hồng",
            content="Phát hiện người nhập cảnh trái phép tại thôn Đồng Tâm",
            address="Số 12 đường Nguyễn Tất Thành",
        ),
        make_intake(centre=world.commune, received_by=officer, urgent=True, urgency_reason="Người khó thở"),
    ]


def test_xlsx_has_paper_layout(world, login, logbook):
    client = login(world.user("commune", "commander"))
    response = client.get(reverse("intake:export_xlsx"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws["A1"].value == world.commune.name.upper()
    assert ws["A2"].value == "SỔ THEO DÕI TIẾP NHẬN THÔNG TIN"
    assert timezone.localdate().strftime("%d/%m/%Y") in ws["A3"].value
    header = [c.value for c in ws[5]]
    assert header == [
        "STT",
        "Thời gian",
        "Người báo",
        "Điện thoại",
        "Địa chỉ",
        "Nội dung",
        "Phân loại",
        "Xử lý",
        "Kết quả",
        "Cán bộ tiếp nhận",
        "Ký",
    ]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=6)]
    assert len(body) == 2
    texts = " ".join(str(v) for row in body for v in row if v)
    assert "Phát hiện người nhập cảnh trái phép tại thôn Đồng Tâm" in texts
    assert "Nguyễn Thị Hồng" in texts
    assert "Khẩn cấp: Người khó thở" in texts
    assert body[0][0] == "1" and body[0][10] in (None, "")
    assert ws.page_setup.orientation == "landscape"
    assert ws.print_title_rows == "$5:$5"
    assert ws["F6"].alignment.wrap_text
    assert ws["F6"].border.left.style == "thin"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_pdf_reads_back_in_vietnamese(world, login, logbook):
    client = login(world.user("commune", "commander"))
    response = client.get(reverse("intake:export_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(text.split())
    assert "SỔ THEO DÕI TIẾP NHẬN THÔNG TIN" in text
    assert "Cán bộ tiếp nhận" in text
    assert "Nguyễn Thị Hồng" in text
    assert "Đồng Tâm" in text
    assert logbook[0].number in text


def test_export_respects_visibility(world, login, logbook):
    client = login(world.user("sibling", "commander"))
    response = client.get(reverse("intake:export_xlsx"))
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.max_row == 5  # title and header only: nothing of the sibling's logbook
