from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from chihuy.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "phone", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email", "phone"]
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), ("ChiHuy", {"fields": ("full_name", "phone")}))
