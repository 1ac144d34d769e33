from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.reports.reminders import send_due_reminders
from chihuy.reports.tasks import schedule_reminders


class Command(BaseCommand):
    help = _("Gửi các nhắc nộp báo cáo đã đến hạn và đặt lịch cho lần nhắc tiếp theo (chạy khi khởi động).")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_reminders()
        due = schedule_reminders()
        self.stdout.write(_("Đã gửi %(n)d lần nhắc.") % {"n": len(sent)})
        if due is not None:
            self.stdout.write(
                _("Lần nhắc tiếp theo: %(at)s") % {"at": timezone.localtime(due).strftime("%H:%M %d/%m/%Y")}
            )
