from django.core.management.base import BaseCommand

from chihuy.core.demo import DEMO_PASSWORD, demo_logins


class Command(BaseCommand):
    help = "In danh sách tài khoản mẫu."

    def handle(self, *args, **options):
        self.stdout.write(f"Tài khoản mẫu (mật khẩu: {DEMO_PASSWORD}):")
        for login in demo_logins():
            self.stdout.write(f"  {login.username:<18} {login.description}")
