"""Issue an API token for a user and print it once: ``manage.py create_api_token <username>``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from chihuy.api.services import api_token_create


class Command(BaseCommand):
    help = "Tạo khoá API cho một người dùng; khoá chỉ được in ra một lần."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="Tên gợi nhớ, ví dụ hệ thống tích hợp dùng khoá.")
        parser.add_argument("--days", type=int, default=None, help="Hết hạn sau số ngày này.")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get(username=options["username"])
        except user_model.DoesNotExist as exc:
            raise CommandError(f"Không có người dùng {options['username']!r}.") from exc
        days = options["days"]
        if days is not None and days <= 0:
            raise CommandError("--days phải lớn hơn 0.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        name = options["name"] or f"{user.get_username()} {timezone.localdate():%d/%m/%Y}"
        try:
            token, secret = api_token_create(user=user, name=name, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(f"Khoá API “{token.name}” cho {user.get_username()} (chỉ hiện một lần):")
        self.stdout.write(secret)
