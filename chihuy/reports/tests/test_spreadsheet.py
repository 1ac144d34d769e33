from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chihuy.reports.choices import ImportStatus, ReportState, Source
from chihuy.reports.models import DailyReport, ReportImport
from chihuy.reports.tests.factories import submit

pytestmark = pytest.mark.django_db


def _template(client, world):
    response = client.get(reverse("reports:import_template", args=[world.district.pk]) + "?date=22/11/2026")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _upload(client, world, wb, date="22/11/2026"):
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "so-lieu.xlsx"
    return client.post(reverse("reports:import", args=[world.district.pk]), {"date": date, "file": buffer})


def _fill(ws, row, **values):
    codes = [c.value for c in ws[5]]
    for key, value in values.items():
        ws.cell(row=row, column=codes.index(key) + 1, value=value)


def test_template_has_the_childrens_codes_and_names(world, login, today):
    ws = _template(login(world.user("district", "standing")), world).active
    assert ws["B2"].value == "22/11/2026"
    rows = [(r[0].value, r[1].value) for r in ws.iter_rows(min_row=6)]
    assert rows == [
        ("8710", "Trung tâm chỉ huy phường Liên Bảo"),
        ("8707", "Trung tâm chỉ huy phường Tích Sơn"),
    ]
    assert [c.value for c in ws[5]][:4] == ["unit_code", "unit_name", "new_cases", "cumulative_cases"]


def test_valid_sheet_previews_then_imports_every_row(world, login, today):
    client = login(world.user("district", "standing"))
    wb = _template(client, world)
    ws = wb.active
    _fill(ws, 6, new_cases=4, beds_total=10, beds_occupied=3, situation="Ổn định")
    _fill(ws, 7, new_cases="5", tests_done=120.0)
    response = _upload(client, world, wb)
    record = ReportImport.objects.get()
    assert response["Location"] == reverse("reports:import_preview", args=[record.pk])
    assert record.status == ImportStatus.PREVIEW and record.errors == []
    preview = client.get(response["Location"]).content.decode()
    assert "Xác nhận nhập 2 đơn vị" in preview
    assert not DailyReport.objects.exists()
    done = client.post(response["Location"])
    assert done.status_code == 302
    reports = {r.centre.short_code: r for r in DailyReport.objects.select_related("centre")}
    assert reports["LB"].new_cases == 4 and reports["LB"].situation == "Ổn định"
    assert reports["TS"].new_cases == 5 and reports["TS"].tests_done == 120
    assert all(r.state == ReportState.SUBMITTED and r.source == Source.IMPORT for r in reports.values())
    record.refresh_from_db()
    assert record.status == ImportStatus.APPLIED
    assert client.post(reverse("reports:import_preview", args=[record.pk])).status_code == 200
    assert DailyReport.objects.count() == 2


def test_errors_are_shown_per_row_and_column_and_nothing_is_imported(world, login, today):
    client = login(world.user("district", "standing"))
    wb = _template(client, world)
    ws = wb.active
    _fill(ws, 6, new_cases=-2, tests_done="nhiều", beds_total=5, beds_occupied=9)
    _fill(ws, 7, new_cases=1)
    ws.cell(row=8, column=1, value="9999")  # a commune of another district
    ws.cell(row=8, column=3, value=1)
    ws.cell(row=9, column=1, value=8710)  # twice the same commune
    ws.cell(row=9, column=3, value=1)
    _upload(client, world, wb)
    record = ReportImport.objects.get()
    assert record.status == ImportStatus.INVALID
    found = {(e["row"], e["column"]): e["message"] for e in record.errors}
    assert found[(6, "C")] == "Số liệu không được là số âm."
    assert found[(6, "E")] == "Hãy nhập một số nguyên, không phải chữ."
    assert "lớn hơn tổng số giường" in found[(6, "P")]
    assert "không phải đơn vị cấp dưới" in found[(8, "A")]
    assert found[(9, "A")] == "Trùng với dòng 6."
    page = client.get(reverse("reports:import_preview", args=[record.pk])).content.decode()
    assert "Dòng 6, cột C (Ca mắc mới trong ngày (ca)): Số liệu không được là số âm." in page
    assert "Xác nhận nhập" not in page
    assert client.post(reverse("reports:import_preview", args=[record.pk])).status_code == 200
    assert not DailyReport.objects.exists()


def test_row_for_a_child_that_already_filed_is_refused(world, login, today):
    submit(world.commune, today)
    client = login(world.user("district", "standing"))
    wb = _template(client, world)
    _fill(wb.active, 6, new_cases=1)
    _fill(wb.active, 7, new_cases=1)
    _upload(client, world, wb)
    record = ReportImport.objects.get()
    assert any("đã nộp báo cáo ngày này" in e["message"] for e in record.errors)


def test_import_is_all_or_nothing_when_a_row_fails_at_import_time(world, login, today):
    client = login(world.user("district", "standing"))
    wb = _template(client, world)
    _fill(wb.active, 6, new_cases=1)
    _fill(wb.active, 7, new_cases=2)
    _upload(client, world, wb)
    record = ReportImport.objects.get()
    submit(world.commune, today)  # Tích Sơn files between preview and import
    page = client.post(reverse("reports:import_preview", args=[record.pk])).content.decode()
    assert "Không nhập được, không có dòng nào được lưu" in page
    assert not DailyReport.objects.filter(centre=world.sibling).exists()
    record.refresh_from_db()
    assert record.status == ImportStatus.PREVIEW


def test_not_a_workbook_and_wrong_day(world, login, today):
    client = login(world.user("district", "standing"))
    buffer = io.BytesIO(b"not excel")
    buffer.name = "x.xlsx"
    client.post(reverse("reports:import", args=[world.district.pk]), {"date": "22/11/2026", "file": buffer})
    assert "Không đọc được tệp" in ReportImport.objects.get().errors[0]["message"]
    wb = _template(client, world)
    _fill(wb.active, 6, new_cases=1)
    _upload(client, world, wb, date="21/11/2026")
    assert "khác ngày đã chọn" in ReportImport.objects.latest("pk").errors[0]["message"]
    wrong = client.post(
        reverse("reports:import", args=[world.district.pk]), {"date": "22/11/2026", "file": io.BytesIO(b"x")}
    )
    assert wrong.status_code == 200


def test_empty_sheet(world, login, today):
    client = login(world.user("district", "standing"))
    wb = Workbook()
    _upload(client, world, wb)
    assert "thiếu dòng tiêu đề" in ReportImport.objects.get().errors[0]["message"]


def test_sibling_cannot_see_another_centres_import(world, login, today):
    client = login(world.user("district", "standing"))
    wb = _template(client, world)
    _fill(wb.active, 6, new_cases=1)
    _upload(client, world, wb)
    record = ReportImport.objects.get()
    assert (
        login(world.user("sibling", "commander"))
        .get(reverse("reports:import_preview", args=[record.pk]))
        .status_code
        == 404
    )
    assert (
        login(world.user("district", "member"))
        .get(reverse("reports:import_preview", args=[record.pk]))
        .status_code
        == 403
    )
