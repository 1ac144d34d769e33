from django.core.management.base import BaseCommand

from chihuy.core.actor import acting_as
from chihuy.core.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: tỉnh Vĩnh Phúc (ba cấp) và tỉnh Quảng Ninh (hai cấp)."

    def handle(self, *args, **options):
        with acting_as(None):
            logins = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Đã nạp dữ liệu mẫu. Mật khẩu chung: {DEMO_PASSWORD}"))
        for login in logins:
            self.stdout.write(f"  {login.username:<18} {login.description}")
