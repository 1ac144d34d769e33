from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.briefings.services import briefings_ensure_all
from chihuy.briefings.tasks import schedule_daily
from chihuy.core.actor import acting_as


class Command(BaseCommand):
    help = _("Tạo các cuộc giao ban định kỳ sắp tới và đặt lịch chạy hằng ngày (chạy khi khởi động).")

    def handle(self, *args: Any, **options: Any) -> None:
        with acting_as(None):
            created = briefings_ensure_all()
        self.stdout.write(_("Đã tạo %(n)d cuộc giao ban định kỳ.") % {"n": created})
        at = schedule_daily()
        if at is not None:
            self.stdout.write(
                _("Lần chạy tiếp theo: %(at)s") % {"at": timezone.localtime(at).strftime("%H:%M %d/%m/%Y")}
            )
