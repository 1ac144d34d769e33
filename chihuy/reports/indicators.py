"""The national set of daily indicators (R24, R27): one typed column each on ``DailyReport``.

Typed columns keep the hot path (completeness and totals over thousands of communes) a
plain ``SUM``; indicators a province adds live in the narrow ``ReportExtraValue`` table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chihuy.reports.choices import RollupRule


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise
    unit: str | Promise
    rule: str
    key: bool = False  # shown on the command dashboard with its trends

    @property
    def is_flow(self) -> bool:
        return self.rule == RollupRule.SUM


SUM, LAST = RollupRule.SUM, RollupRule.LAST

STANDARD: tuple[Indicator, ...] = (
    Indicator("new_cases", _("Ca mắc mới trong ngày"), _("ca"), SUM, key=True),
    Indicator("cumulative_cases", _("Tổng số ca mắc cộng dồn"), _("ca"), LAST, key=True),
    Indicator("tests_done", _("Số mẫu xét nghiệm"), _("mẫu"), SUM, key=True),
    Indicator("positives", _("Số mẫu dương tính"), _("mẫu"), SUM, key=True),
    Indicator("vaccine_dose1", _("Tiêm vắc xin mũi 1"), _("liều"), SUM, key=True),
    Indicator("vaccine_dose2", _("Tiêm vắc xin mũi 2"), _("liều"), SUM),
    Indicator("vaccine_dose3", _("Tiêm vắc xin mũi 3"), _("liều"), SUM),
    Indicator("isolated_home", _("Đang cách ly tại nhà"), _("người"), LAST),
    Indicator("isolated_facility", _("Đang cách ly tập trung"), _("người"), LAST),
    Indicator("in_treatment", _("Đang điều trị"), _("người"), LAST, key=True),
    Indicator("recovered", _("Khỏi bệnh trong ngày"), _("người"), SUM),
    Indicator("deaths", _("Tử vong trong ngày"), _("người"), SUM, key=True),
    Indicator("beds_total", _("Tổng số giường bệnh"), _("giường"), LAST),
    Indicator("beds_occupied", _("Giường bệnh đang sử dụng"), _("giường"), LAST, key=True),
    Indicator("oxygen", _("Oxy y tế hiện có"), _("bình"), LAST),
    Indicator("icu_beds", _("Giường hồi sức tích cực (ICU)"), _("giường"), LAST),
)
BY_CODE = {i.code: i for i in STANDARD}
CODES: tuple[str, ...] = tuple(i.code for i in STANDARD)
FLOW_CODES = tuple(i.code for i in STANDARD if i.is_flow)
STOCK_CODES = tuple(i.code for i in STANDARD if not i.is_flow)
KEY = tuple(i for i in STANDARD if i.key)
