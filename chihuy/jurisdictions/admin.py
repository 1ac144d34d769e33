"""Django admin for jurisdictions: reference data, browsed and searched, loaded only by the loader (R14)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chihuy.jurisdictions.models import Jurisdiction, JurisdictionSuccession


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Rows come from ``manage.py load_jurisdictions``; edits here would be undone by the next load."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Jurisdiction)
class JurisdictionAdmin(_ReadOnlyAdmin):
    list_display = ["name", "code", "kind", "level", "structure", "parent", "valid_from", "valid_to"]
    list_filter = ["structure", "level", "kind"]
    search_fields = ["name", "code", "search_key", "codename"]
    list_select_related = ["parent"]
    show_full_result_count = False
    readonly_fields = ["province", "district", "search_key"]


@admin.register(JurisdictionSuccession)
class JurisdictionSuccessionAdmin(_ReadOnlyAdmin):
    list_display = ["old", "old_parent", "new", "new_parent", "partial"]
    list_filter = ["partial", "old__level"]
    search_fields = [
        "old__name",
        "old__search_key",
        "new__name",
        "new__search_key",
        "=old__code",
        "=new__code",
    ]
    list_select_related = ["old__parent", "new__parent"]
    show_full_result_count = False

    @admin.display(description=_("Cấp trên (cũ)"))
    def old_parent(self, obj: JurisdictionSuccession) -> str:
        return str(obj.old.parent or "")

    @admin.display(description=_("Cấp trên (mới)"))
    def new_parent(self, obj: JurisdictionSuccession) -> str:
        return str(obj.new.parent or "")
