"""``manage.py schedule_jobs``: make sure every periodic job has its next run waiting.

Run at every start (``make run`` does) and at deploy; running it twice books nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chihuy.core.periodic import PERIODIC_JOBS, SELF_SCHEDULING, schedule_all


class Command(BaseCommand):
    help = "Đặt lịch cho các công việc định kỳ (kiểm tra báo khẩn, nhắc báo cáo, lỗ hổng lịch trực…)."

    def handle(self, *args: Any, **options: Any) -> None:
        booked = schedule_all()
        self.stdout.write(
            f"Công việc định kỳ: {len(PERIODIC_JOBS) + len(SELF_SCHEDULING)} loại; vừa đặt lịch {len(booked)}"
            + (f" ({', '.join(booked)})" if booked else "")
            + "."
        )
