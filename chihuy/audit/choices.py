from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Cập nhật")
    DELETE = "delete", pgettext_lazy("audit action", "Xoá")

    @property
    def colour(self) -> str:
        return {"create": "green", "update": "blue", "delete": "red"}[self.value]
