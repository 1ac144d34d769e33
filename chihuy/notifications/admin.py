from django.contrib import admin

from chihuy.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "user", "centre", "kind", "created_at", "read_at")
    list_filter = ("kind",)
    search_fields = ("subject", "user__username")
    raw_id_fields = ("user", "centre")
    readonly_fields = ("deliveries",)
