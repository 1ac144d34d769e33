"""A citizen files a report on the public portal without logging in, then looks up its status."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from chihuy.intake.choices import IntakeStatus, Source
from chihuy.intake.models import IntakeRecord
from chihuy.intake.services import intake_set_status

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_citizen_reports_and_looks_up_status(world, page, live_server):
    cache.clear()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(f"{live_server.url}/public/?q=tich son")
    row = page.locator("tr", has_text=world.commune.name)
    assert world.commune.hotline in row.inner_text()
    row.get_by_role("link", name="Gửi phản ánh").click()

    page.get_by_label("Họ và tên").fill("Phạm Thị Dung")
    page.get_by_label("Số điện thoại").fill("0911 222 333")
    page.get_by_label("Gõ tên xã, phường để tìm").fill("tich")
    option = page.get_by_role("radio", name=re.compile("Tích Sơn"))
    option.check()  # the option arrives over HTMX, limited to the centre's area
    page.get_by_label("Địa chỉ cụ thể").fill("Số 12, tổ 4")
    page.get_by_label("Lĩnh vực").select_option("luong_thuc")
    page.get_by_label("Nội dung phản ánh").fill("Khu phong toả tổ 4 thiếu rau xanh ba ngày nay")
    page.get_by_role("button", name="Gửi phản ánh").click()

    code = page.locator("[data-tracking-code]").inner_text().strip()
    record = IntakeRecord.objects.get(tracking_code=code)
    assert record.source == Source.PUBLIC
    assert record.jurisdiction_id == world.commune.jurisdiction_id

    intake_set_status(
        record=record,
        status=IntakeStatus.RESOLVED,
        result="Đã chuyển 200 suất rau",
        reporter_told="Tổ 4 đã được cấp rau ngày hôm nay.",
    )
    page.get_by_role("link", name="Tra cứu kết quả").click()
    page.get_by_label("Mã tra cứu").fill(code)
    page.get_by_label("Số điện thoại đã dùng khi gửi").fill("0911222333")
    page.get_by_role("button", name="Tra cứu").click()
    assert page.locator("[data-status]").inner_text() == "Đã xử lý"
    assert "Tổ 4 đã được cấp rau" in page.content()

    # A wrong phone says nothing about the code.
    page.get_by_label("Mã tra cứu").fill(code)
    page.get_by_label("Số điện thoại đã dùng khi gửi").fill("0911999999")
    page.get_by_role("button", name="Tra cứu").click()
    assert "Không tìm thấy phản ánh" in page.content()

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "portal-status.png"), full_page=True)
    assert problems == []
