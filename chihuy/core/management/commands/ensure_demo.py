"""First-run set-up for `make run`: jurisdictions and demo data once, then nothing."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from chihuy.centres.models import Centre
from chihuy.jurisdictions.models import Jurisdiction


class Command(BaseCommand):
    help = "Nạp đơn vị hành chính và dữ liệu mẫu nếu cơ sở dữ liệu còn trống."

    def handle(self, *args, **options):
        if not Jurisdiction.objects.exists():
            call_command("load_jurisdictions", structure="both", stdout=self.stdout)
        if not Centre.objects.exists():
            call_command("load_demo", stdout=self.stdout)
        else:
            self.stdout.write("Dữ liệu đã có sẵn; bỏ qua bước nạp.")
