"""Daily reports end to end: a commune files, the district submits its pre-filled roll-up, the
province sees completeness on its dashboard and downloads the official document; the import
preview shows errors by row and column."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def _curve(page) -> dict:
    """What the epidemic-curve chart shows now: its series, today's bar, how many charts exist."""
    return page.evaluate(
        """() => {
            const chart = Chart.getChart("rep-curve");
            const set = chart.data.datasets[0];
            return {label: set.label, today: set.data[set.data.length - 1],
                    instances: Object.keys(Chart.instances).length};
        }"""
    )


def _today_figures(page, day) -> dict:
    """Today's new cases in the key-indicator table and today's row of the 7-day completeness table."""
    cells = page.locator(f"#rep-week tr[data-day='{day:%Y-%m-%d}'] td").all_inner_texts()
    return {
        "new_cases": page.locator("#rep-live tr[data-code='new_cases'] td").nth(1).inner_text(),
        "filed": cells[1],
        "completeness": cells[2],
    }


def _refresh(page) -> None:
    """Fire the dashboard's poll now (it also fires every 60 s) and wait until the chart took it."""
    before = int(page.get_attribute("#rep-curve", "data-refreshes") or 0)
    page.evaluate("htmx.trigger('#rep-live', 'refresh')")
    page.wait_for_selector(f"#rep-curve[data-refreshes='{before + 1}']", state="attached")


def test_commune_files_district_rolls_up_province_sees_and_downloads(page, live_server, log_in, world):
    from django.utils import timezone
    from docx import Document

    from chihuy.reports.models import DailyReport
    from chihuy.reports.services import report_submit
    from chihuy.reports.tests.factories import figures

    today = timezone.localdate()
    errors = _watch_console(page)

    # A commune duty officer files today's report from the dashboard.
    log_in(page, "commune_duty_officer")
    page.goto(f"{live_server.url}/reports/")
    page.click("text=Nộp báo cáo hôm nay")
    page.fill("input[name=new_cases]", "3")
    page.fill("input[name=tests_done]", "150")
    page.fill("input[name=beds_total]", "20")
    page.fill("input[name=beds_occupied]", "25")
    page.fill("textarea[name=situation]", "Phát hiện 3 ca mắc mới tại tổ dân phố 5.")
    _shot(page, "form")
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert "không được lớn hơn tổng số giường" in page.content()
    assert not DailyReport.objects.exists()
    page.fill("input[name=beds_occupied]", "8")
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert "Đã nộp báo cáo" in page.content()
    commune_report = DailyReport.objects.get(centre=world.commune)
    assert commune_report.new_cases == 3 and commune_report.beds_occupied == 8
    page.context.clear_cookies()

    # The district's standing unit watches its dashboard: one commune in, the curve shows its 3 cases.
    log_in(page, "district_standing")
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("#rep-curve[data-drawn=true]")
    district = "Trung tâm chỉ huy thành phố Vĩnh Yên"
    sibling = "Trung tâm chỉ huy phường Liên Bảo"
    assert _curve(page) == {"label": district, "today": 3, "instances": 1}
    assert sibling in page.locator(".rep-missing").inner_text()
    assert _today_figures(page, today) == {"new_cases": "3", "filed": "1/2", "completeness": "50,0%"}
    page.select_option("[data-curve-select]", label=sibling)
    assert _curve(page) == {"label": sibling, "today": None, "instances": 1}

    # The sibling commune files through the service (its officer used the API); the next refresh
    # brings its bar to the chart (the jurisdiction picked stays picked), with no second chart made,
    # and its figures to the key indicators and today's row of the 7-day table below the chart.
    report_submit(
        centre=world.sibling, day=today, figures=figures(new_cases=4), texts={"situation": "Ổn định."}
    )
    _refresh(page)
    assert _curve(page) == {"label": sibling, "today": 4, "instances": 1}
    assert sibling not in page.locator(".rep-missing").inner_text()
    assert _today_figures(page, today) == {"new_cases": "7", "filed": "2/2", "completeness": "100,0%"}
    # Swapped out of band: still one 7-day table, in its place below the chart.
    assert page.locator("#rep-week").count() == 1 and page.locator("#rep-live").count() == 1
    assert page.evaluate(
        "document.getElementById('rep-curve').compareDocumentPosition(document.getElementById('rep-week'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    page.select_option("[data-curve-select]", label=district)
    assert _curve(page) == {"label": district, "today": 7, "instances": 1}
    _refresh(page)
    assert _curve(page) == {"label": district, "today": 7, "instances": 1}
    _shot(page, "district_dashboard")

    # It opens its report: pre-filled from both communes; edits and submits.
    page.click("text=Tổng hợp và nộp báo cáo hôm nay")
    assert page.input_value("input[name=new_cases]") == "7"
    assert "Phát hiện 3 ca mắc mới" in page.input_value("textarea[name=situation]")
    page.fill("input[name=new_cases]", "8")
    page.fill("textarea[name=recommendations]", "Đề nghị tỉnh bổ sung 200 bộ xét nghiệm nhanh.")
    page.click("button[name=submit]")
    page.wait_for_load_state("networkidle")
    assert DailyReport.objects.get(centre=world.district).new_cases == 8
    page.context.clear_cookies()

    # The province's dashboard shows its district reported, and the chart is drawn.
    log_in(page, "province_commander")
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("#rep-curve[data-drawn=true]")
    live = page.locator("#rep-live").inner_text()
    assert "100,0%" in live and "Trung tâm chỉ huy thành phố Vĩnh Yên" in live
    _shot(page, "dashboard")
    page.click("text=Trung tâm chỉ huy thành phố Vĩnh Yên")
    page.wait_for_load_state("networkidle")
    with page.expect_download() as info:
        page.click("text=Tải văn bản Word (.docx)")
    content = Path(info.value.path()).read_bytes()
    text = "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)
    assert "BÁO CÁO" in text and "Kính gửi: Trung tâm chỉ huy tỉnh Vĩnh Phúc" in text
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors


def test_import_preview_shows_errors(page, live_server, log_in, world, tmp_path):
    from django.utils import timezone
    from openpyxl import load_workbook

    from chihuy.reports.spreadsheet import template_xlsx

    today = timezone.localdate()
    wb = load_workbook(io.BytesIO(template_xlsx(centre=world.district, day=today)))
    ws = wb.active
    ws["C6"], ws["E6"], ws["O6"], ws["P6"] = 2, "nhiều", 10, 12
    ws["C7"], ws["E7"] = 5, 90
    path = tmp_path / "so-lieu.xlsx"
    wb.save(path)

    log_in(page, "district_standing")
    page.goto(f"{live_server.url}/reports/centre/{world.district.pk}/import/")
    page.fill("input[name=date]", today.strftime("%d/%m/%Y"))
    page.set_input_files("input[name=file]", str(path))
    page.click("text=Tải lên và xem trước")
    page.wait_for_load_state("networkidle")
    body = page.content()
    assert "Dòng 6, cột E" in body and "Hãy nhập một số nguyên" in body
    assert page.locator("td.err").count() >= 2
    assert "Xác nhận nhập" not in body
    _shot(page, "import_preview")
