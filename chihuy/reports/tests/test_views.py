from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chihuy.reports.choices import ReportState
from chihuy.reports.models import ClosedDay, DailyReport, ReportingSettings, ReportTemplate
from chihuy.reports.selectors import completeness
from chihuy.reports.tests.factories import DailyReportFactory, figures, submit

pytestmark = pytest.mark.django_db
DAY = "2026-11-22"


def _form_data(**overrides):
    data = {k: ("" if v is None else str(v)) for k, v in figures().items()}
    data.update(
        {
            "situation": "Không có ca mới ngoài khu cách ly.",
            "sector_results": "",
            "difficulties": "",
            "recommendations": "",
            "doc_number": "",
            "doc_recipient": "",
            "signer_title": "",
            "signer_name": "",
        }
    )
    data.update({k: str(v) for k, v in overrides.items()})
    return data


def _urls(world, report):
    c, d = world.commune.pk, world.district.pk
    return [
        reverse("reports:index"),
        reverse("reports:dashboard", args=[c]),
        reverse("reports:day", args=[c, DAY]),
        reverse("reports:file", args=[c, DAY]),
        reverse("reports:detail", args=[report.pk]),
        reverse("reports:amend", args=[report.pk]),
        reverse("reports:docx", args=[report.pk]),
        reverse("reports:pdf", args=[report.pk]),
        reverse("reports:settings", args=[d]),
        reverse("reports:import", args=[d]),
        reverse("reports:import_template", args=[d]),
    ]


def test_anonymous_is_sent_to_login(client, world, today):
    report = submit(world.commune, today)
    for url in _urls(world, report):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    for name in ("reports:close_day", "reports:reopen_day"):
        assert client.post(reverse(name, args=[world.district.pk, DAY])).status_code == 302
    assert not ClosedDay.objects.exists()


def test_sibling_gets_404_for_everything_of_another_commune(world, login, today):
    report = submit(world.commune, today)
    client = login(world.user("sibling", "commander"))
    for url in _urls(world, report)[1:]:
        if f"/centre/{world.district.pk}/" in url:
            continue
        assert client.get(url).status_code == 404, url
    # The district is above the sibling: invisible too.
    assert client.get(reverse("reports:dashboard", args=[world.district.pk])).status_code == 404
    assert client.post(reverse("reports:close_day", args=[world.district.pk, DAY])).status_code == 404


def test_parent_reads_but_does_not_file_for_a_commune(world, login, today):
    report = submit(world.commune, today)
    client = login(world.user("district", "commander"))
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    assert client.get(reverse("reports:dashboard", args=[world.commune.pk])).status_code == 200
    assert client.get(reverse("reports:file", args=[world.sibling.pk, DAY])).status_code == 403
    assert client.post(reverse("reports:amend", args=[report.pk]), _form_data(reason="x")).status_code == 403
    assert client.get(reverse("reports:docx", args=[report.pk])).status_code == 200


def test_member_role_may_not_file_or_manage(world, login, today):
    client = login(world.user("district", "member"))
    assert client.get(reverse("reports:file", args=[world.district.pk, DAY])).status_code == 403
    assert client.get(reverse("reports:settings", args=[world.district.pk])).status_code == 403
    assert client.get(reverse("reports:import", args=[world.district.pk])).status_code == 403
    assert client.post(reverse("reports:close_day", args=[world.district.pk, DAY])).status_code == 403
    duty = login(world.user("district", "duty_officer"))
    assert duty.post(reverse("reports:close_day", args=[world.district.pk, DAY])).status_code == 403
    assert not ClosedDay.objects.exists()


def test_commune_officer_files_a_report(world, login, today):
    client = login(world.user("commune", "duty_officer"))
    url = reverse("reports:file", args=[world.commune.pk, DAY])
    page = client.get(url)
    assert page.status_code == 200
    assert "Hạn nộp: 17:00 22/11/2026" in page.content.decode()
    response = client.post(url, _form_data(submit="1"))
    report = DailyReport.objects.get(centre=world.commune)
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])
    assert report.state == ReportState.SUBMITTED and report.on_time
    detail = client.get(response["Location"]).content.decode()
    assert "Đúng hạn" in detail and "Không có ca mới ngoài khu cách ly." in detail


def test_draft_is_saved_and_reloaded(world, login, today):
    client = login(world.user("commune", "duty_officer"))
    url = reverse("reports:file", args=[world.commune.pk, DAY])
    client.post(url, _form_data(new_cases=7, draft="1"))
    report = DailyReport.objects.get()
    assert report.state == ReportState.DRAFT and report.new_cases == 7
    assert 'value="7"' in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"new_cases": "-3"}, "Số liệu không được là số âm."),
        ({"tests_done": "hai trăm"}, "Hãy nhập một số nguyên, không phải chữ."),
        ({"beds_total": "10", "beds_occupied": "12"}, "không được lớn hơn tổng số giường"),
    ],
)
def test_bad_input_shows_vietnamese_errors_and_saves_nothing(world, login, today, overrides, message):
    client = login(world.user("commune", "duty_officer"))
    response = client.post(
        reverse("reports:file", args=[world.commune.pk, DAY]), _form_data(submit="1", **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DailyReport.objects.exists()


def test_future_day_form_refuses(world, login, today):
    client = login(world.user("commune", "duty_officer"))
    response = client.post(
        reverse("reports:file", args=[world.commune.pk, "2026-11-23"]), _form_data(submit="1")
    )
    assert "Không thể báo cáo cho ngày trong tương lai" in response.content.decode()
    assert not DailyReport.objects.exists()


def test_district_form_is_prefilled_from_communes(world, login, today):
    submit(world.commune, today, new_cases=3, texts={"situation": "Tích Sơn ổn định"})
    submit(world.sibling, today, new_cases=4, texts={"situation": "Liên Bảo có ổ dịch"})
    client = login(world.user("district", "standing"))
    page = client.get(reverse("reports:file", args=[world.district.pk, DAY])).content.decode()
    assert 'name="new_cases" value="7"' in page
    assert "- Trung tâm chỉ huy phường Tích Sơn: Tích Sơn ổn định" in page
    assert "Số liệu tổng hợp từ 2 báo cáo cấp dưới đã nộp" in page
    response = client.post(
        reverse("reports:file", args=[world.district.pk, DAY]), _form_data(new_cases=8, submit="1")
    )
    assert response.status_code == 302
    assert DailyReport.objects.get(centre=world.district).new_cases == 8


def test_amend_through_the_page(world, login, today):
    report = submit(world.commune, today)
    client = login(world.user("commune", "commander"))
    url = reverse("reports:amend", args=[report.pk])
    missing_reason = client.post(url, _form_data(new_cases=5))
    assert "Hãy ghi lý do sửa đổi báo cáo đã nộp." in missing_reason.content.decode()
    client.post(url, _form_data(new_cases=5, reason="Xác minh thêm 2 ca"))
    report.refresh_from_db()
    assert report.state == ReportState.AMENDED and report.new_cases == 5
    detail = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Xác minh thêm 2 ca" in detail and "Đã sửa đổi" in detail


def test_close_day_then_amend_is_refused(world, login, today):
    report = submit(world.commune, today)
    login(world.user("district", "standing")).post(
        reverse("reports:close_day", args=[world.district.pk, DAY])
    )
    assert ClosedDay.objects.filter(centre=world.district, date=today).exists()
    client = login(world.user("commune", "commander"))
    response = client.post(reverse("reports:amend", args=[report.pk]), _form_data(new_cases=9, reason="muộn"))
    assert "đã chốt số liệu ngày 22/11/2026" in response.content.decode()
    report.refresh_from_db()
    assert report.new_cases == 3


def test_dashboard_shows_completeness_and_stays_within_query_budget(
    world, login, today, django_assert_max_num_queries
):
    submit(world.commune, today)
    for i in range(1, 30):
        DailyReportFactory(centre=world.commune, date=today - dt.timedelta(days=i))
        DailyReportFactory(centre=world.sibling, date=today - dt.timedelta(days=i), on_time=False)
    client = login(world.user("district", "commander"))
    url = reverse("reports:dashboard", args=[world.district.pk])
    with django_assert_max_num_queries(25):
        page = client.get(url)
    html = page.content.decode()
    assert "50,0%" in html and "Trung tâm chỉ huy phường Liên Bảo" in html
    assert 'hx-trigger="every 60s' in html and "rep-curve-data" in html
    # The poll brings every table (key indicators, 7-day completeness) but the chart's canvas,
    # within a fixed budget: a query per day or per child would exceed it.
    with django_assert_max_num_queries(24):
        partial = client.get(url, headers={"HX-Request": "true"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="rep-live"') and "<html" not in body
    assert 'id="rep-week"' in body and 'data-code="new_cases"' in body and 'id="rep-curve"' not in body


def _curve_data(html):
    import json
    import re

    found = re.search(r'<script id="rep-curve-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "no chart data in the response"
    return json.loads(found.group(1))


def _cells(html, attr, value):
    """The cells of the table row marked ``attr="value"``, as text."""
    import re

    row = re.search(rf'<tr {attr}="{value}">(.*?)</tr>', html, re.S)
    assert row, f"no row {attr}={value}"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells]


def test_polled_partial_carries_the_epidemic_curve(world, login, today):
    submit(world.commune, today, new_cases=6)
    client = login(world.user("district", "commander"))
    url = reverse("reports:dashboard", args=[world.district.pk])
    page = client.get(url).content.decode()
    live = page[page.index('<div id="rep-live"') :]
    assert live.index('id="rep-curve-data"') < live.index('id="rep-curve"')  # inside the polled part
    assert page.count('id="rep-curve-data"') == 1

    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    data = _curve_data(partial)
    assert data["labels"][-1] == "22/11"
    assert [s["name"] for s in data["series"]] == [
        "Trung tâm chỉ huy thành phố Vĩnh Yên",
        "Trung tâm chỉ huy phường Liên Bảo",
        "Trung tâm chỉ huy phường Tích Sơn",
    ]
    assert data["series"][0]["data"][-1] == 6 and data["series"][1]["data"][-1] is None

    # Key indicators and the 7-day completeness table travel with the poll too.
    assert _cells(partial, "data-code", "new_cases")[1] == "6"
    week = partial[partial.index('<section id="rep-week"') :]
    assert _cells(week, "data-day", "2026-11-22") == ["22/11/2026", "1/2", "50,0%", "50,0%"]

    submit(world.sibling, today, new_cases=4)  # the next poll sees the new report
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    data = _curve_data(partial)
    assert data["series"][0]["data"][-1] == 10 and data["series"][1]["data"][-1] == 4
    assert _cells(partial, "data-code", "new_cases")[1] == "10"
    assert _cells(partial, "data-day", "2026-11-22") == ["22/11/2026", "2/2", "100,0%", "100,0%"]
    # The 30-day summary is the days' counters added up: the same as completeness over the range.
    start = today - dt.timedelta(days=29)
    pooled = completeness(centre=world.district, date_from=start, date_to=today).pooled
    assert (pooled.expected, pooled.filed, pooled.completeness) == (60, 2, 3.3)
    assert "30 ngày: đầy đủ 3,3%, đúng hạn 3,3%" in partial


def test_index_is_the_active_centres_dashboard(world, login, today):
    page = login(world.user("province", "commander")).get(reverse("reports:index"))
    assert page.status_code == 200 and "Trung tâm chỉ huy tỉnh Vĩnh Phúc" in page.content.decode()


def test_settings_change_deadline_and_add_indicator(world, login, today):
    client = login(world.user("province", "deputy"))
    url = reverse("reports:settings", args=[world.province.pk])
    assert client.post(url, {"deadline": "16:30"}).status_code == 302
    assert ReportingSettings.objects.get(centre=world.province).deadline == dt.time(16, 30)
    assert "HH:MM" in client.post(url, {"deadline": "5 giờ"}).content.decode()
    client.post(
        url, {"code": "diem_ban", "label": "Điểm bán hàng", "unit": "điểm", "rule": "last", "level": ""}
    )
    assert ReportTemplate.objects.get(owner=world.province).version == 1
    page = client.get(reverse("reports:file", args=[world.province.pk, DAY])).content.decode()
    assert "Điểm bán hàng" in page
