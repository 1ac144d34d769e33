"""``manage.py alerts_audit``: fire overdue alert steps and retry cut-off deliveries now.

With ``--schedule`` it also makes sure the periodic auditor is waiting in the task queue
(run it once at deploy; the auditor then re-arms itself).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from chihuy.alerts.services import alert_audit, schedule_auditor


class Command(BaseCommand):
    help = "Kiểm tra báo khẩn: phát các bước đã quá hạn, gửi lại các lượt gửi bị gián đoạn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule", action="store_true", help="Đặt lịch kiểm tra định kỳ trong hàng đợi."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = alert_audit()
        if options["schedule"]:
            schedule_auditor()
        self.stdout.write(
            f"Đã phát {result['fired']} bước quá hạn, gửi lại {result['stuck']} lượt bị gián đoạn, "
            f"gửi {result['sent']} lượt đang chờ."
        )
