from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chihuy.audit.models import AuditEntry
from chihuy.centres.choices import CentreStatus
from chihuy.reports import services
from chihuy.reports.choices import DayStatus, ReportState, RollupRule, VersionKind
from chihuy.reports.models import DailyReport, ReportExtraValue, ReportVersion
from chihuy.reports.tests.factories import figures, local, submit

pytestmark = pytest.mark.django_db


def test_draft_then_submit_on_time_keeps_version(world, today):
    user = world.user("commune", "duty_officer")
    draft = services.report_save_draft(centre=world.commune, day=today, figures=figures(new_cases=1))
    assert draft.state == ReportState.DRAFT and draft.on_time is None
    assert draft.parent == world.district and draft.centre_path == world.commune.path
    report = services.report_submit(
        centre=world.commune, day=today, figures=figures(new_cases=2), user=user, now=local(today, 16, 59)
    )
    assert report.pk == draft.pk
    assert report.state == ReportState.SUBMITTED and report.on_time is True
    assert report.day_status == DayStatus.ON_TIME
    assert report.deadline_at == local(today, 17)
    assert report.new_cases == 2 and report.submitted_by == user
    version = report.versions.get()
    assert version.kind == VersionKind.SUBMITTED and version.figures["new_cases"] == 2
    assert AuditEntry.objects.filter(object_id=str(report.pk)).exists()


def test_submitted_after_deadline_is_late(world, today):
    report = submit(world.commune, today, at=local(today, 17, 1))
    assert report.on_time is False and report.day_status == DayStatus.LATE


def test_parent_may_move_the_deadline(world, today):
    services.reporting_settings_update(centre=world.district, deadline=dt.time(18, 30))
    report = submit(world.commune, today, at=local(today, 18))
    assert report.on_time is True and report.deadline_at == local(today, 18, 30)


def test_amend_keeps_versions_and_marks_amended(world, today):
    report = submit(world.commune, today, new_cases=3)
    amended = services.report_amend(
        report=report,
        figures={"new_cases": 5},
        reason="Bổ sung 2 ca muộn",
        user=world.user("commune", "commander"),
    )
    assert amended.state == ReportState.AMENDED and amended.version == 2
    assert amended.day_status == DayStatus.AMENDED
    assert amended.on_time is True  # timeliness is the first submission's
    assert amended.new_cases == 5 and amended.tests_done == 200  # untouched figures stay
    kinds = list(amended.versions.order_by("number").values_list("kind", "figures__new_cases", "reason"))
    assert kinds == [(VersionKind.SUBMITTED, 3, ""), (VersionKind.AMENDED, 5, "Bổ sung 2 ca muộn")]


def test_amend_needs_a_reason(world, today):
    report = submit(world.commune, today)
    with pytest.raises(ValidationError) as exc:
        services.report_amend(report=report, figures={"new_cases": 1}, reason="  ")
    assert "reason" in exc.value.message_dict
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.new_cases == 3


def test_draft_cannot_overwrite_a_submitted_report(world, today):
    submit(world.commune, today)
    with pytest.raises(ValidationError, match="sửa đổi"):
        services.report_save_draft(centre=world.commune, day=today, figures=figures(new_cases=99))
    assert DailyReport.objects.get().new_cases == 3


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("new_cases", -1, "không được là số âm"),
        ("tests_done", "mười", "số nguyên"),
        ("beds_occupied", 25, "không được lớn hơn tổng số giường"),
    ],
)
def test_bad_figures_are_refused_and_nothing_saved(world, today, field, value, message):
    with pytest.raises(ValidationError) as exc:
        services.report_submit(centre=world.commune, day=today, figures=figures(**{field: value}))
    assert message in " ".join(exc.value.message_dict[field])
    assert not DailyReport.objects.exists()
    assert not ReportVersion.objects.exists()


def test_future_day_is_refused(world, today):
    with pytest.raises(ValidationError) as exc:
        submit(world.commune, today + dt.timedelta(days=1))
    assert "tương lai" in exc.value.message_dict["date"][0]
    assert not DailyReport.objects.exists()


def test_closed_day_refuses_submission_and_late_amendment(world, today):
    report = submit(world.commune, today)
    services.day_close(centre=world.district, day=today, user=world.user("district", "standing"))
    with pytest.raises(ValidationError) as exc:
        services.report_amend(report=report, figures={"new_cases": 9}, reason="muộn")
    assert "đã chốt số liệu" in exc.value.message_dict["date"][0]
    with pytest.raises(ValidationError):
        submit(world.sibling, today)
    report.refresh_from_db()
    assert report.new_cases == 3 and report.version == 1
    assert not DailyReport.objects.filter(centre=world.sibling).exists()
    services.day_reopen(centre=world.district, day=today)
    submit(world.sibling, today)


def test_cannot_close_the_same_day_twice_or_a_future_day(world, today):
    services.day_close(centre=world.district, day=today)
    with pytest.raises(ValidationError):
        services.day_close(centre=world.district, day=today)
    with pytest.raises(ValidationError):
        services.day_close(centre=world.district, day=today + dt.timedelta(days=1))


def test_centre_not_active_does_not_report(world, today):
    world.sibling.status = CentreStatus.ESTABLISHED
    world.sibling.save()
    with pytest.raises(ValidationError, match="hoạt động"):
        submit(world.sibling, today)


def test_day_before_activation_is_refused(world, today):
    world.sibling.activated_on = today
    world.sibling.save()
    with pytest.raises(ValidationError) as exc:
        submit(world.sibling, today - dt.timedelta(days=1))
    assert "hoạt động từ ngày" in exc.value.message_dict["date"][0]


def test_province_adds_indicator_as_new_version_old_reports_keep_theirs(world, today):
    old = submit(world.commune, today - dt.timedelta(days=1))
    assert old.template is None
    v1 = services.template_add_indicator(
        owner=world.province,
        code="diem_ban_hang",
        label="Điểm bán hàng thiết yếu",
        unit="điểm",
        rule=RollupRule.LAST,
    )
    v2 = services.template_add_indicator(
        owner=world.province,
        code="xe_luong_thuc",
        label="Chuyến xe lương thực",
        unit="chuyến",
        rule=RollupRule.SUM,
        level="district",
    )
    assert (v1.version, v2.version) == (1, 2)
    assert list(v2.indicators.values_list("code", flat=True)) == ["diem_ban_hang", "xe_luong_thuc"]
    report = services.report_submit(
        centre=world.commune, day=today, figures=figures(), extras={"diem_ban_hang": 4}
    )
    assert report.template == v2
    assert ReportExtraValue.objects.get(report=report).value == 4
    old.refresh_from_db()
    assert old.template is None
    # The district-level indicator is not on a commune's report.
    with pytest.raises(ValidationError) as exc:
        services.report_submit(
            centre=world.sibling, day=today, figures=figures(), extras={"xe_luong_thuc": 1}
        )
    assert "extra_xe_luong_thuc" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.report_submit(
            centre=world.sibling, day=today, figures=figures(), extras={"diem_ban_hang": -2}
        )
    assert "không được là số âm" in exc.value.message_dict["extra_diem_ban_hang"][0]
    assert not DailyReport.objects.filter(centre=world.sibling).exists()


def test_only_a_province_adds_indicators_and_codes_are_unique(world):
    with pytest.raises(ValidationError):
        services.template_add_indicator(owner=world.district, code="abc", label="X", rule=RollupRule.SUM)
    with pytest.raises(ValidationError) as exc:
        services.template_add_indicator(
            owner=world.province, code="new_cases", label="X", rule=RollupRule.SUM
        )
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.template_add_indicator(owner=world.province, code="Có Dấu", label="X", rule=RollupRule.SUM)
    assert "code" in exc.value.message_dict
