from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chihuy.reports.choices import ImportStatus, ReportState, Source
from chihuy.reports.models import DailyReport, ReportExtraValue, ReportImport
from chihuy.reports.services import template_add_indicator
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
    refused = client.post(
        reverse("reports:import", args=[world.district.pk]), {"date": "22/11/2026", "file": buffer}
    )
    # The form reads what the bytes are (issue 12 §6): refused before any import is recorded.
    assert refused.status_code == 200
    assert "không được chấp nhận" in refused.content.decode()
    assert not ReportImport.objects.exists()
    disguised = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 60)
    disguised.name = "so-lieu.xlsx"
    refused = client.post(
        reverse("reports:import", args=[world.district.pk]), {"date": "22/11/2026", "file": disguised}
    )
    assert "chương trình Windows (.exe)" in refused.content.decode()
    assert not ReportImport.objects.exists()
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


class _Table(HTMLParser):
    """The preview table read back as text: header cells and, per row, (text, classes) of each cell."""

    def __init__(self) -> None:
        super().__init__()
        self.head: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []
        self._in_table = False
        self._cell: list[str] | None = None
        self._cls = ""
        self._section = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "rep-import-table" in (attrs.get("class") or ""):
            self._in_table = True
        elif self._in_table and tag in ("thead", "tbody"):
            self._section = tag
        elif self._in_table and tag == "tr" and self._section == "tbody":
            self.rows.append([])
        elif self._in_table and tag in ("th", "td"):
            self._cell, self._cls = [], attrs.get("class") or ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif self._in_table and tag in ("th", "td") and self._cell is not None:
            text = "".join(self._cell).strip()
            if self._section == "thead":
                self.head.append(text)
            else:
                self.rows[-1].append((text, self._cls))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _preview_table(html: str) -> _Table:
    table = _Table()
    table.feed(html)
    return table


@pytest.fixture
def added(world, today):
    """Indicators the province added: one for every level, one for communes, one for districts only."""
    for code, label, unit, level in (
        ("diem_ban", "Điểm bán hàng thiết yếu", "điểm", ""),
        ("to_covid", "Tổ COVID cộng đồng", "tổ", "commune"),
        ("chot_kiem_soat", "Chốt kiểm soát liên huyện", "chốt", "district"),
    ):
        template_add_indicator(
            owner=world.province, code=code, label=label, unit=unit, rule="last", level=level
        )


def test_downloaded_template_has_the_provinces_added_columns(world, login, added):
    ws = _template(login(world.user("district", "standing")), world).active
    codes = [c.value for c in ws[5]]
    labels = [c.value for c in ws[4]]
    assert "extra_diem_ban" in codes and "extra_to_covid" in codes
    assert "extra_chot_kiem_soat" not in codes  # the district's children are communes
    assert labels[codes.index("extra_diem_ban")] == "Điểm bán hàng thiết yếu (điểm)"
    assert labels[codes.index("extra_to_covid")] == "Tổ COVID cộng đồng (tổ)"
    # After the national indicators, before the text sections.
    assert codes.index("icu_beds") < codes.index("extra_diem_ban") < codes.index("situation")
    # The province's sheet (its children are districts) carries the district-only column instead.
    province = login(world.user("province", "standing"))
    response = province.get(reverse("reports:import_template", args=[world.province.pk]) + "?date=22/11/2026")
    codes = [c.value for c in load_workbook(io.BytesIO(response.content)).active[5]]
    assert "extra_chot_kiem_soat" in codes and "extra_diem_ban" in codes and "extra_to_covid" not in codes


def test_preview_shows_the_added_indicators_of_every_row_and_they_are_imported(world, login, added):
    client = login(world.user("district", "standing"))
    wb = _template(client, world)
    ws = wb.active
    _fill(ws, 6, new_cases=4, extra_diem_ban=17, extra_to_covid=3)
    _fill(ws, 7, new_cases=5, extra_diem_ban="nhiều")
    _upload(client, world, wb)
    record = ReportImport.objects.get()
    assert [(e["row"], e["key"]) for e in record.errors] == [(7, "extra_diem_ban")]
    table = _preview_table(client.get(reverse("reports:import_preview", args=[record.pk])).content.decode())
    head = table.head
    assert head[:4] == ["Dòng", "Mã", "Đơn vị", "Ca mắc mới trong ngày"]
    assert "Điểm bán hàng thiết yếu" in head and "Tổ COVID cộng đồng" in head
    assert "Chốt kiểm soát liên huyện" not in head
    by_unit = {row[1][0]: row for row in table.rows}
    lien_bao, tich_son = by_unit["8710"], by_unit["8707"]
    assert lien_bao[head.index("Điểm bán hàng thiết yếu")] == ("17", "num")
    assert lien_bao[head.index("Tổ COVID cộng đồng")] == ("3", "num")
    assert tich_son[head.index("Điểm bán hàng thiết yếu")] == ("nhiều", "num err")
    assert tich_son[head.index("Tổ COVID cộng đồng")] == ("", "num")

    # Fixed and uploaded again: the preview is clean, and the added figures are imported.
    _fill(ws, 7, extra_diem_ban=2)
    _upload(client, world, wb)
    record = ReportImport.objects.latest("pk")
    assert record.errors == []
    page = client.get(reverse("reports:import_preview", args=[record.pk])).content.decode()
    rows = {row[1][0]: row for row in _preview_table(page).rows}
    assert rows["8707"][head.index("Điểm bán hàng thiết yếu")] == ("2", "num")
    assert client.post(reverse("reports:import_preview", args=[record.pk])).status_code == 302
    values = {
        (v.report.centre.short_code, v.code): v.value
        for v in ReportExtraValue.objects.select_related("report__centre")
    }
    assert values[("LB", "diem_ban")] == 17 and values[("LB", "to_covid")] == 3
    assert values[("TS", "diem_ban")] == 2


def test_children_of_two_levels_each_report_the_indicators_of_their_level(world, login, added):
    """A province with a district and a commune straight under it (a two-tier changeover)."""
    from chihuy.centres.choices import CentreLevel
    from chihuy.core.testing.factories import CentreFactory, JurisdictionFactory
    from chihuy.jurisdictions.choices import Kind, Level, Structure

    commune = JurisdictionFactory(
        structure=Structure.CURRENT, level=Level.COMMUNE, code=9001, name="Xã Đạo Đức", kind=Kind.XA
    )
    CentreFactory(
        name="Trung tâm chỉ huy xã Đạo Đức",
        level=CentreLevel.COMMUNE,
        jurisdiction=commune,
        parent=world.province,
    )
    client = login(world.user("province", "standing"))
    response = client.get(reverse("reports:import_template", args=[world.province.pk]) + "?date=22/11/2026")
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    codes = [c.value for c in ws[5]]
    assert {"extra_diem_ban", "extra_to_covid", "extra_chot_kiem_soat"} <= set(codes)
    assert [r[0].value for r in ws.iter_rows(min_row=6)] == ["243", "9001"]
    _fill(ws, 6, new_cases=1, extra_chot_kiem_soat=4, extra_to_covid=9)  # the district: no COVID teams
    _fill(ws, 7, new_cases=2, extra_to_covid=5, extra_diem_ban=1)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "tinh.xlsx"
    client.post(reverse("reports:import", args=[world.province.pk]), {"date": "22/11/2026", "file": buffer})
    record = ReportImport.objects.get()
    assert [(e["row"], e["key"]) for e in record.errors] == [(6, "extra_to_covid")]
    assert "không áp dụng cho Trung tâm chỉ huy thành phố Vĩnh Yên" in record.errors[0]["message"]
    rows = {r["code"]: r for r in record.rows}
    assert rows["243"]["extras"] == {"diem_ban": None, "chot_kiem_soat": 4}
    assert rows["9001"]["extras"] == {"diem_ban": 1, "to_covid": 5}

    table = _preview_table(client.get(reverse("reports:import_preview", args=[record.pk])).content.decode())
    by_unit = {row[1][0]: row for row in table.rows}
    checkpoint, teams = table.head.index("Chốt kiểm soát liên huyện"), table.head.index("Tổ COVID cộng đồng")
    assert by_unit["243"][checkpoint] == ("4", "num")
    assert by_unit["243"][teams] == ("9", "num err")
    assert by_unit["9001"][checkpoint] == ("–", "na")
    assert by_unit["9001"][teams] == ("5", "num")
